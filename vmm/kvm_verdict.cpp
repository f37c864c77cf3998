#include "vmm/kvm_verdict.hpp"

#include <fcntl.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cstdio>
#include <fstream>
#include <optional>
#include <sstream>
#include <thread>

#include "common/error.hpp"
#include "common/private_dir.hpp"
#include "common/unique_fd.hpp"

namespace chrunc::vmm {
namespace {

namespace fs = std::filesystem;
using namespace std::chrono_literals;

constexpr const char* kVerdictSuffix = ".verdict";

// mkdir 0700 (parents too), then insists, level by level: a directory, not
// a symlink, ours.
void make_private_dir(const fs::path& dir) {
  if (!dir.has_relative_path()) throw Error("kvm probe: cache directory " + dir.string());
  if (dir.has_parent_path() && dir.parent_path() != dir.root_path())
    make_private_dir(dir.parent_path());
  try {
    make_owned_dir(dir, 0700, false);
  } catch (const Error& e) {
    throw Error(std::string("kvm probe: ") + e.what(), e.sys_errno());
  }
}

fs::path verdict_file(const KvmProbeInputs& in) {
  char name[32];
  std::snprintf(name, sizeof name, "%016llx",
                static_cast<unsigned long long>(fnv1a_64(in.identity)));
  return in.cache_dir / (std::string(name) + kVerdictSuffix);
}

// The cached verdict for the identity, when there is one (the file repeats
// the identity: a hash collision reads as no verdict).
std::optional<KvmVerdict> read_verdict(const KvmProbeInputs& in) {
  const fs::path file = verdict_file(in);
  UniqueFd fd(::open(file.c_str(), O_RDONLY | O_NOFOLLOW | O_CLOEXEC));
  if (!fd) return std::nullopt;
  char buf[4096];
  ssize_t n = ::read(fd.get(), buf, sizeof buf);
  if (n <= 0) return std::nullopt;
  std::istringstream text(std::string(buf, static_cast<size_t>(n)));
  std::string identity, usable, reason;
  if (!std::getline(text, identity) || !std::getline(text, usable) || !std::getline(text, reason) ||
      identity != in.identity)
    return std::nullopt;
  if (usable != "usable" && usable != "unusable") return std::nullopt;
  KvmVerdict verdict;
  verdict.usable = usable == "usable";
  verdict.reason = reason;
  verdict.cached = true;
  return verdict;
}

std::string one_line(std::string text) {
  for (char& c : text)
    if (c == '\n' || c == '\r') c = ' ';
  if (text.size() > 400) text = text.substr(0, 400) + "...";
  return text;
}

// Written beside its final name (O_EXCL|O_NOFOLLOW, 0600), then renamed over it.
void write_verdict(const KvmProbeInputs& in, const KvmVerdict& verdict) {
  const fs::path file = verdict_file(in);
  const fs::path tmp = file.string() + ".tmp." + std::to_string(::getpid());
  ::unlink(tmp.c_str());
  UniqueFd fd(::open(tmp.c_str(), O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC, 0600));
  if (!fd) throw_errno("kvm probe: create " + tmp.string());
  const std::string text = in.identity + "\n" + (verdict.usable ? "usable" : "unusable") + "\n" +
                           one_line(verdict.reason) + "\n";
  if (::write(fd.get(), text.data(), text.size()) != static_cast<ssize_t>(text.size())) {
    int err = errno;
    ::unlink(tmp.c_str());
    throw_errno("kvm probe: write " + tmp.string(), err);
  }
  fd.reset();
  if (::rename(tmp.c_str(), file.c_str()) != 0) {
    int err = errno;
    ::unlink(tmp.c_str());
    throw_errno("kvm probe: rename " + tmp.string(), err);
  }
}

// flock with a deadline: one probe at a time, the others wait for its verdict.
UniqueFd lock_probe(const fs::path& dir, std::chrono::milliseconds timeout) {
  const fs::path file = dir / "probe.lock";
  UniqueFd fd(::open(file.c_str(), O_RDWR | O_CREAT | O_NOFOLLOW | O_CLOEXEC, 0600));
  if (!fd) throw_errno("kvm probe: open " + file.string());
  const auto deadline = std::chrono::steady_clock::now() + timeout;
  while (::flock(fd.get(), LOCK_EX | LOCK_NB) != 0) {
    if (errno != EWOULDBLOCK && errno != EINTR) throw_errno("kvm probe: flock " + file.string());
    if (std::chrono::steady_clock::now() > deadline)
      throw Error("kvm probe: another probe held " + file.string() + " for more than " +
                  std::to_string(timeout.count() / 1000) + " s");
    std::this_thread::sleep_for(50ms);
  }
  return fd;
}

std::string file_identity(const fs::path& file) {
  struct stat st {};
  if (file.empty() || ::stat(file.c_str(), &st) != 0) return "absent";
  return std::to_string(st.st_dev) + ":" + std::to_string(st.st_ino) + ":" +
         std::to_string(st.st_size) + ":" + std::to_string(st.st_mtim.tv_sec) + "." +
         std::to_string(st.st_mtim.tv_nsec);
}

}  // namespace

std::string kvm_probe_identity(const fs::path& vmm_binary, const fs::path& kernel,
                               const fs::path& initramfs) {
  std::string boot_id;
  std::ifstream("/proc/sys/kernel/random/boot_id") >> boot_id;
  return "boot=" + (boot_id.empty() ? std::string("unknown") : boot_id) +
         " vmm=" + vmm_binary.string() + "@" + file_identity(vmm_binary) +
         " kernel=" + file_identity(kernel) + " initramfs=" + file_identity(initramfs);
}

KvmVerdict judge_kvm(const KvmProbeInputs& in) {
  KvmDeviceCheck device = in.check_device();
  if (!device.usable) return {false, "no usable KVM: " + device.detail, false, false};
  make_private_dir(in.cache_dir);
  if (auto cached = read_verdict(in)) return *cached;
  UniqueFd lock = lock_probe(in.cache_dir, in.probe_timeout + 30s);
  if (auto cached = read_verdict(in)) return *cached;  // another caller probed meanwhile

  KvmVerdict verdict;
  verdict.probed_now = true;
  const auto start = std::chrono::steady_clock::now();
  try {
    in.boot(in.probe_timeout);
    const auto ms = std::chrono::duration_cast<std::chrono::milliseconds>(
                        std::chrono::steady_clock::now() - start)
                        .count();
    verdict.usable = true;
    verdict.reason =
        "the guest answered under KVM in " + std::to_string(ms) + " ms (" + device.detail + ")";
  } catch (const std::exception& e) {
    verdict.usable = false;
    verdict.reason = "KVM cannot run the guest: " + one_line(e.what()) + " (" + device.detail + ")";
  }
  write_verdict(in, verdict);
  return verdict;
}

void forget_kvm_verdicts(const fs::path& cache_dir) {
  std::error_code ec;
  for (const auto& entry : fs::directory_iterator(cache_dir, ec)) {
    if (entry.path().extension() == kVerdictSuffix) fs::remove(entry.path(), ec);
  }
}

}  // namespace chrunc::vmm
