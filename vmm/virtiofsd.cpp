#include "vmm/virtiofsd.hpp"

#include <algorithm>
#include <thread>

#include "common/error.hpp"
#include "vmm/log_tail.hpp"

namespace chrunc::vmm {

namespace fs = std::filesystem;

VirtiofsDaemon& VirtiofsDaemon::operator=(VirtiofsDaemon&& other) noexcept {
  if (this != &other) {
    stop();
    process_ = std::move(other.process_);
    socket_path_ = std::move(other.socket_path_);
    source_dir_ = std::move(other.source_dir_);
    read_only_ = other.read_only_;
    other.socket_path_.clear();
  }
  return *this;
}

VirtiofsDaemon VirtiofsDaemon::start(const fs::path& source_dir, const fs::path& socket_path,
                                     bool read_only, const VirtiofsOptions& options) {
  std::error_code ec;
  if (!fs::is_directory(source_dir, ec))
    throw Error("virtiofsd: shared directory " + source_dir.string() + " is not a directory");
  fs::remove(socket_path, ec);
  fs::path log =
      options.log_file.empty() ? fs::path(socket_path.string() + ".log") : options.log_file;

  SpawnOptions spawn;
  spawn.argv = {options.binary, "--socket-path=" + socket_path.string(),
                "-o",           "source=" + source_dir.string(),
                "-o",           "cache=none"};
  if (read_only && options.supports_readonly) spawn.argv.push_back("--readonly");
  spawn.argv.insert(spawn.argv.end(), options.extra_args.begin(), options.extra_args.end());
  spawn.stderr_file = log;
  spawn.stdout_file = log;

  VirtiofsDaemon daemon;
  daemon.socket_path_ = socket_path;
  daemon.source_dir_ = source_dir;
  daemon.read_only_ = read_only;
  try {
    daemon.process_ = ChildProcess::spawn(spawn);
  } catch (const Error& e) {
    throw Error(std::string("virtiofsd: ") + e.what(), e.sys_errno());
  }
  const auto deadline = std::chrono::steady_clock::now() + options.start_timeout;
  while (!fs::exists(socket_path, ec)) {
    if (!daemon.process_.running()) {
      std::string said = last_line(log);
      daemon.socket_path_.clear();
      throw Error("virtiofsd for " + source_dir.string() +
                  " exited: " + (said.empty() ? "no message" : said));
    }
    if (std::chrono::steady_clock::now() > deadline)
      throw Error("virtiofsd for " + source_dir.string() + ": socket " + socket_path.string() +
                  " did not appear in time");
    std::this_thread::sleep_for(std::chrono::milliseconds(5));
  }
  return daemon;
}

void VirtiofsDaemon::stop(std::chrono::milliseconds grace) noexcept {
  if (process_.running()) {
    process_.signal(SIGTERM);
    if (!process_.wait_for(grace)) process_.kill_and_wait();
  }
  if (!socket_path_.empty()) {
    std::error_code ec;
    fs::remove(socket_path_, ec);
    socket_path_.clear();
  }
}

SharedDirectories::SharedDirectories(fs::path work_dir, VirtiofsOptions options)
    : work_dir_(std::move(work_dir)), options_(std::move(options)) {}

std::string SharedDirectories::key(const fs::path& source) {
  std::error_code ec;
  fs::path canonical = fs::weakly_canonical(source, ec);
  return (ec ? source : canonical).string();
}

std::string SharedDirectories::acquire_rootfs(const fs::path& source) {
  return acquire_as(source, false, true);
}

std::string SharedDirectories::acquire(const fs::path& source, bool read_only) {
  return acquire_as(source, read_only, false);
}

std::string SharedDirectories::acquire_as(const fs::path& source, bool read_only, bool rootfs) {
  const std::string k = key(source);
  if (auto it = shares_.find(k); it != shares_.end()) {
    if (rootfs && it->second.tag != "rootfs")
      throw Error("virtiofs: " + k + " is already shared as " + it->second.tag +
                  "; acquire the rootfs first");
    ++it->second.refs;
    return it->second.tag;
  }
  if (rootfs) {
    for (const auto& [path, share] : shares_)
      if (share.tag == "rootfs") throw Error("virtiofs: a rootfs is already shared (" + path + ")");
  }
  Share share;
  share.tag = rootfs ? "rootfs" : "share" + std::to_string(next_share_);
  share.refs = 1;
  share.daemon = VirtiofsDaemon::start(k, work_dir_ / ("virtiofs-" + share.tag + ".sock"),
                                       read_only, options_);
  if (!rootfs) ++next_share_;
  std::string tag = share.tag;
  shares_.emplace(k, std::move(share));
  return tag;
}

void SharedDirectories::release(const fs::path& source) {
  auto it = shares_.find(key(source));
  if (it == shares_.end()) throw Error("virtiofs: " + source.string() + " is not shared");
  if (--it->second.refs == 0) shares_.erase(it);
}

void SharedDirectories::clear() noexcept {
  shares_.clear();
}

std::vector<FsDevice> SharedDirectories::devices() const {
  std::vector<FsDevice> out;
  for (const auto& [path, share] : shares_) out.push_back({share.tag, share.daemon.socket_path()});
  // rootfs first, then share<N> in order of creation.
  std::sort(out.begin(), out.end(), [](const FsDevice& a, const FsDevice& b) {
    auto rank = [](const std::string& t) { return t == "rootfs" ? -1 : std::stoi(t.substr(5)); };
    return rank(a.tag) < rank(b.tag);
  });
  return out;
}

unsigned SharedDirectories::references(const fs::path& source) const {
  auto it = shares_.find(key(source));
  return it == shares_.end() ? 0 : it->second.refs;
}

}  // namespace chrunc::vmm
