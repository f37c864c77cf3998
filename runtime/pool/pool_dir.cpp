#include "runtime/pool/pool_dir.hpp"

#include <fcntl.h>
#include <signal.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <sstream>
#include <thread>

#include "common/error.hpp"
#include "common/log.hpp"
#include "runtime/store/state_store.hpp"

namespace chrunc::runtime::pool {
namespace {

namespace fs = std::filesystem;
using namespace std::chrono_literals;

constexpr const char* kRecordFile = "standby";
constexpr size_t kRecordMax = 4096;

struct StatePrefix {
  SlotState state;
  const char* prefix;
};
constexpr StatePrefix kPrefixes[] = {{SlotState::kBooting, "booting-"},
                                     {SlotState::kReady, "ready-"},
                                     {SlotState::kClaimed, "claimed-"}};

const char* prefix_of(SlotState state) {
  for (const auto& p : kPrefixes)
    if (p.state == state) return p.prefix;
  return "";
}

}  // namespace

// 16 hex digits from the kernel's random source.
std::string PoolDir::new_slot_name() {
  UniqueFd fd(::open("/dev/urandom", O_RDONLY | O_CLOEXEC));
  if (!fd) throw_errno("open /dev/urandom");
  unsigned char bytes[8];
  if (::read(fd.get(), bytes, sizeof bytes) != static_cast<ssize_t>(sizeof bytes))
    throw_errno("read /dev/urandom");
  static const char digits[] = "0123456789abcdef";
  std::string name;
  for (unsigned char b : bytes) name += digits[b >> 4], name += digits[b & 15];
  return name;
}

namespace {

std::optional<StandbyRecord> read_record(const fs::path& dir) {
  UniqueFd fd(::open((dir / kRecordFile).c_str(), O_RDONLY | O_CLOEXEC | O_NOFOLLOW));
  if (!fd) return std::nullopt;
  std::string text(kRecordMax + 1, '\0');
  ssize_t n = ::read(fd.get(), text.data(), text.size());
  if (n <= 0 || static_cast<size_t>(n) > kRecordMax) return std::nullopt;
  text.resize(static_cast<size_t>(n));
  try {
    return parse_standby_record(text);
  } catch (const Error&) {
    return std::nullopt;
  }
}

void write_record(const fs::path& dir, const StandbyRecord& record) {
  const fs::path tmp = dir / (std::string(kRecordFile) + ".tmp");
  const std::string text = format_standby_record(record);
  UniqueFd fd(::open(tmp.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC | O_NOFOLLOW, 0600));
  if (!fd) throw_errno("create " + tmp.string());
  if (::write(fd.get(), text.data(), text.size()) != static_cast<ssize_t>(text.size()))
    throw_errno("write " + tmp.string());
  fd.reset();
  if (::rename(tmp.c_str(), (dir / kRecordFile).c_str()) != 0)
    throw_errno("rename " + tmp.string());
}

void remove_tree(const fs::path& path) {
  std::error_code ec;
  fs::remove_all(path, ec);
  if (ec) log_warn("pool: remove " + path.string() + ": " + ec.message());
}

}  // namespace

bool StandbyShape::serves(const StandbyShape& wanted) const {
  return hypervisor == wanted.hypervisor && vcpus == wanted.vcpus &&
         memory_mib == wanted.memory_mib && nics >= wanted.nics &&
         tcg_cache_mib == wanted.tcg_cache_mib;
}

std::string format_standby_record(const StandbyRecord& r) {
  std::ostringstream out;
  out << "pid " << r.standby.pid << " " << r.standby.start_time << "\n"
      << "hypervisor " << r.shape.hypervisor << "\n"
      << "vcpus " << r.shape.vcpus << "\n"
      << "memory_mib " << r.shape.memory_mib << "\n"
      << "nics " << r.shape.nics << "\n"
      << "tcg_cache_mib " << r.shape.tcg_cache_mib << "\n"
      << "vmm " << r.vmm.pid << " " << r.vmm.start_time << "\n"
      << "virtiofsd " << r.virtiofsd.pid << " " << r.virtiofsd.start_time << "\n";
  return out.str();
}

StandbyRecord parse_standby_record(const std::string& text) {
  if (text.size() > kRecordMax) throw Error("standby record: too long");
  StandbyRecord r;
  bool have_pid = false, have_shape = false;
  std::istringstream in(text);
  std::string line;
  auto identity = [](std::istringstream& fields, ProcessIdentity& id) {
    long long pid = -1;
    unsigned long long start = 0;
    if (!(fields >> pid >> start) || pid < 0 || pid > 4194304)
      throw Error("standby record: bad process line");
    id.pid = static_cast<pid_t>(pid);
    id.start_time = start;
  };
  while (std::getline(in, line)) {
    std::istringstream fields(line);
    std::string key;
    fields >> key;
    if (key == "pid") {
      identity(fields, r.standby);
      have_pid = r.standby.pid > 0;
    } else if (key == "hypervisor") {
      fields >> r.shape.hypervisor;
      have_shape = !r.shape.hypervisor.empty();
    } else if (key == "vcpus") {
      if (!(fields >> r.shape.vcpus)) throw Error("standby record: bad vcpus");
    } else if (key == "memory_mib") {
      if (!(fields >> r.shape.memory_mib)) throw Error("standby record: bad memory_mib");
    } else if (key == "nics") {
      if (!(fields >> r.shape.nics)) throw Error("standby record: bad nics");
    } else if (key == "tcg_cache_mib") {
      if (!(fields >> r.shape.tcg_cache_mib)) throw Error("standby record: bad tcg_cache_mib");
    } else if (key == "vmm") {
      identity(fields, r.vmm);
    } else if (key == "virtiofsd") {
      identity(fields, r.virtiofsd);
    } else if (!key.empty()) {
      throw Error("standby record: unknown key " + key);
    }
  }
  if (!have_pid || !have_shape) throw Error("standby record: incomplete");
  return r;
}

const char* slot_state_name(SlotState state) {
  switch (state) {
    case SlotState::kBooting:
      return "booting";
    case SlotState::kReady:
      return "ready";
    case SlotState::kClaimed:
      return "claimed";
  }
  return "?";
}

PoolDir::PoolDir(fs::path dir) : dir_(std::move(dir)) {
  std::error_code ec;
  fs::create_directories(dir_.parent_path(), ec);
  if (::mkdir(dir_.c_str(), 0700) != 0 && errno != EEXIST) throw_errno("mkdir " + dir_.string());
  struct stat st {};
  if (::lstat(dir_.c_str(), &st) != 0) throw_errno("stat " + dir_.string());
  if (!S_ISDIR(st.st_mode) || st.st_uid != ::geteuid() || (st.st_mode & 077) != 0)
    throw Error("pool: " + dir_.string() +
                " must be a directory of the caller's own with mode 0700");
}

PoolLock PoolDir::lock(std::chrono::milliseconds deadline) const {
  const fs::path path = dir_ / "lock";
  UniqueFd fd(::open(path.c_str(), O_RDWR | O_CREAT | O_CLOEXEC | O_NOFOLLOW, 0600));
  if (!fd) throw_errno("open " + path.string());
  const auto until = std::chrono::steady_clock::now() + deadline;
  while (::flock(fd.get(), LOCK_EX | LOCK_NB) != 0) {
    if (errno != EWOULDBLOCK && errno != EINTR) throw_errno("flock " + path.string());
    if (std::chrono::steady_clock::now() >= until)
      throw Error("pool: " + path.string() + " stayed locked for " +
                  std::to_string(deadline.count()) + " ms");
    std::this_thread::sleep_for(10ms);
  }
  return PoolLock(std::move(fd));
}

std::vector<Slot> PoolDir::slots() const {
  std::vector<Slot> out;
  std::error_code ec;
  for (const auto& entry : fs::directory_iterator(dir_, ec)) {
    const std::string file = entry.path().filename().string();
    for (const auto& p : kPrefixes) {
      const std::string prefix = p.prefix;
      if (!file.starts_with(prefix) || file.size() == prefix.size()) continue;
      Slot slot;
      slot.name = file.substr(prefix.size());
      slot.state = p.state;
      slot.dir = entry.path();
      slot.record = read_record(slot.dir);
      out.push_back(std::move(slot));
    }
  }
  std::sort(out.begin(), out.end(), [](const Slot& a, const Slot& b) { return a.name < b.name; });
  return out;
}

Slot PoolDir::add_booting(const PoolLock& lock, const std::string& name,
                          const StandbyRecord& record) const {
  if (!lock.held()) throw Error("pool: add_booting without the lock");
  if (name.empty() || name.find('/') != std::string::npos || name[0] == '.')
    throw Error("pool: bad slot name " + name);
  Slot slot;
  slot.name = name;
  slot.state = SlotState::kBooting;
  slot.dir = dir_ / (prefix_of(SlotState::kBooting) + slot.name);
  if (::mkdir(slot.dir.c_str(), 0700) != 0) throw_errno("mkdir " + slot.dir.string());
  if (::mkdir(vm_dir(slot.name).c_str(), 0700) != 0) {
    int saved = errno;
    ::rmdir(slot.dir.c_str());
    errno = saved;
    throw_errno("mkdir " + vm_dir(slot.name).string());
  }
  write_record(slot.dir, record);
  slot.record = record;
  return slot;
}

std::optional<Slot> PoolDir::find(const std::string& name) const {
  for (Slot& slot : slots())
    if (slot.name == name) return slot;
  return std::nullopt;
}

void PoolDir::update_record(const Slot& slot, const StandbyRecord& record) const {
  write_record(slot.dir, record);
}

Slot PoolDir::mark_ready(const PoolLock& lock, const Slot& slot) const {
  if (!lock.held()) throw Error("pool: mark_ready without the lock");
  Slot ready = slot;
  ready.state = SlotState::kReady;
  ready.dir = dir_ / (prefix_of(SlotState::kReady) + slot.name);
  if (::rename(slot.dir.c_str(), ready.dir.c_str()) != 0)
    throw_errno("pool: rename " + slot.dir.string());
  return ready;
}

std::optional<Slot> PoolDir::claim(const PoolLock& lock, const StandbyShape& wanted) const {
  if (!lock.held()) throw Error("pool: claim without the lock");
  for (Slot& slot : slots()) {
    if (slot.state != SlotState::kReady) continue;
    if (!standby_alive(slot)) {
      reap(lock, slot);
      continue;
    }
    if (!slot.record->shape.serves(wanted)) continue;
    Slot claimed = slot;
    claimed.state = SlotState::kClaimed;
    claimed.dir = dir_ / (prefix_of(SlotState::kClaimed) + slot.name);
    if (::rename(slot.dir.c_str(), claimed.dir.c_str()) != 0)
      throw_errno("pool: rename " + slot.dir.string());
    return claimed;
  }
  return std::nullopt;
}

void PoolDir::forget(const PoolLock& lock, const Slot& slot) const {
  if (!lock.held()) throw Error("pool: forget without the lock");
  remove_tree(slot.dir);
  remove_tree(vm_dir(slot.name));
}

void PoolDir::reap(const PoolLock& lock, const Slot& slot) const {
  if (!lock.held()) throw Error("pool: reap without the lock");
  if (slot.record) {
    // The standby first: its VMM and virtiofsd die with it (PDEATHSIG);
    // they are killed too in case they outlived it.
    std::vector<ProcessIdentity> processes = {slot.record->standby, slot.record->vmm,
                                              slot.record->virtiofsd};
    for (const auto& p : processes) signal_if_same(p, SIGKILL);
    for (const auto& p : processes)
      if (p.pid > 0 && !wait_process_gone(p, 5s))
        log_warn("pool: process " + std::to_string(p.pid) + " outlived SIGKILL");
  }
  remove_tree(slot.dir);
  remove_tree(vm_dir(slot.name));
}

size_t PoolDir::reap_dead(const PoolLock& lock) const {
  size_t reaped = 0;
  for (const Slot& slot : slots()) {
    if (standby_alive(slot)) continue;
    reap(lock, slot);
    ++reaped;
  }
  std::vector<std::string> names;
  for (const Slot& slot : slots()) names.push_back(slot.name);
  std::error_code ec;
  for (const auto& entry : fs::directory_iterator(dir_, ec)) {
    const std::string file = entry.path().filename().string();
    if (!file.starts_with("vm-")) continue;
    if (std::find(names.begin(), names.end(), file.substr(3)) == names.end())
      remove_tree(entry.path());
  }
  return reaped;
}

bool standby_alive(const Slot& slot) {
  return slot.record && same_process_running(slot.record->standby);
}

}  // namespace chrunc::runtime::pool
