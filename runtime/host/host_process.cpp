#include "runtime/host/host_process.hpp"

#include <dirent.h>
#include <fcntl.h>
#include <signal.h>
#include <sys/syscall.h>
#include <unistd.h>

#include <cerrno>
#include <sstream>
#include <string>
#include <thread>

#include "common/unique_fd.hpp"
#include "runtime/store/state_store.hpp"

namespace chrunc::runtime {
namespace {

// A small file under `dir` (at most 4 KiB: /proc stat and status lines).
std::string read_small(int dir, const std::string& path) {
  UniqueFd fd(::openat(dir, path.c_str(), O_RDONLY | O_CLOEXEC));
  if (!fd) return "";
  char buffer[4096];
  ssize_t n = ::read(fd.get(), buffer, sizeof buffer);
  return n > 0 ? std::string(buffer, static_cast<size_t>(n)) : std::string();
}

struct StatFields {
  char state = 0;
  pid_t ppid = 0;
  uint64_t start_time = 0;
};

// Fields 3 (state), 4 (ppid) and 22 (starttime), after the command's closing
// parenthesis (the command may itself hold spaces and parentheses).
std::optional<StatFields> parse_stat(const std::string& text) {
  auto close = text.rfind(')');
  if (close == std::string::npos) return std::nullopt;
  std::istringstream fields(text.substr(close + 1));
  StatFields out;
  std::string field;
  for (int number = 3; number <= 22 && fields >> field; ++number) {
    try {
      if (number == 3) out.state = field[0];
      if (number == 4) out.ppid = static_cast<pid_t>(std::stol(field));
      if (number == 22) {
        out.start_time = std::stoull(field);
        return out;
      }
    } catch (const std::exception&) {
      return std::nullopt;
    }
  }
  return std::nullopt;
}

// The last value of the NSpid line: the pid in the process's own namespace.
pid_t innermost_pid(const std::string& status) {
  auto at = status.find("\nNSpid:");
  if (at == std::string::npos) return 0;
  std::istringstream line(status.substr(at + 7, status.find('\n', at + 1) - at - 7));
  long value = 0, last = 0;
  while (line >> value) last = value;
  return static_cast<pid_t>(last);
}

}  // namespace

bool same_process_running(const ProcessIdentity& process) {
  return process.pid > 0 && process.start_time != 0 &&
         process_start_time(process.pid) == process.start_time;
}

bool signal_if_same(const ProcessIdentity& process, int signo) {
  if (process.pid <= 0 || process.start_time == 0) return false;
  UniqueFd pidfd(static_cast<int>(::syscall(SYS_pidfd_open, process.pid, 0)));
  if (!pidfd) {
    if (errno != ENOSYS) return false;  // ESRCH: gone
    // A kernel without pidfds (before 5.3): check, then kill.
    return same_process_running(process) && ::kill(process.pid, signo) == 0;
  }
  if (!same_process_running(process)) return false;
  return ::syscall(SYS_pidfd_send_signal, pidfd.get(), signo, nullptr, 0) == 0;
}

bool wait_process_gone(const ProcessIdentity& process, std::chrono::milliseconds timeout) {
  auto deadline = std::chrono::steady_clock::now() + timeout;
  while (same_process_running(process)) {
    if (std::chrono::steady_clock::now() >= deadline) return false;
    std::this_thread::sleep_for(std::chrono::milliseconds(20));
  }
  return true;
}

std::optional<ProcessIdentity> find_host_child(int proc_dir, pid_t parent, pid_t child_pid) {
  if (child_pid <= 0) return std::nullopt;
  int dup = ::fcntl(proc_dir, F_DUPFD_CLOEXEC, 0);
  if (dup < 0) return std::nullopt;
  DIR* dir = ::fdopendir(dup);
  if (dir == nullptr) {
    ::close(dup);
    return std::nullopt;
  }
  ::rewinddir(dir);
  std::optional<ProcessIdentity> found;
  while (dirent* entry = ::readdir(dir)) {
    char* end = nullptr;
    long pid = std::strtol(entry->d_name, &end, 10);
    if (pid <= 0 || *end != '\0') continue;
    const std::string name = entry->d_name;
    auto stat = parse_stat(read_small(proc_dir, name + "/stat"));
    if (!stat || stat->ppid != parent || stat->state == 'Z') continue;
    if (innermost_pid(read_small(proc_dir, name + "/status")) != child_pid) continue;
    found = ProcessIdentity{static_cast<pid_t>(pid), stat->start_time};
    break;
  }
  ::closedir(dir);
  return found;
}

std::vector<pid_t> children_known_as(pid_t parent, const std::vector<pid_t>& pids,
                                     const std::set<pid_t>& inner_pids) {
  std::vector<pid_t> out;
  if (parent <= 0 || inner_pids.empty()) return out;
  UniqueFd proc(::open("/proc", O_RDONLY | O_DIRECTORY | O_CLOEXEC));
  if (!proc) return out;
  for (pid_t pid : pids) {
    const std::string name = std::to_string(pid);
    auto stat = parse_stat(read_small(proc.get(), name + "/stat"));
    if (!stat || stat->ppid != parent || stat->state == 'Z') continue;
    if (inner_pids.count(innermost_pid(read_small(proc.get(), name + "/status"))) == 0) continue;
    out.push_back(pid);
  }
  return out;
}

}  // namespace chrunc::runtime
