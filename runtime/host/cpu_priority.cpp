#include "runtime/host/cpu_priority.hpp"

#include <dirent.h>
#include <sys/resource.h>

#include <cerrno>
#include <cstdlib>
#include <set>
#include <string>

#include "common/error.hpp"

namespace chrunc::runtime {
namespace {

std::set<pid_t> threads_of(pid_t pid) {
  const std::string dir = "/proc/" + std::to_string(pid) + "/task";
  DIR* d = ::opendir(dir.c_str());
  if (!d) throw_errno("list the threads of process " + std::to_string(pid));
  std::set<pid_t> tids;
  while (dirent* e = ::readdir(d)) {
    char* end = nullptr;
    long tid = std::strtol(e->d_name, &end, 10);
    if (end != e->d_name && *end == '\0' && tid > 0) tids.insert(static_cast<pid_t>(tid));
  }
  ::closedir(d);
  return tids;
}

}  // namespace

void set_own_nice(int nice) {
  if (::setpriority(PRIO_PROCESS, 0, nice) != 0) throw_errno("setpriority " + std::to_string(nice));
}

size_t set_process_nice(pid_t pid, int nice) {
  std::set<pid_t> done;
  // Twice over: a thread started during the first pass by one not yet set
  // inherits the old value.
  for (int pass = 0; pass < 2; ++pass) {
    for (pid_t tid : threads_of(pid)) {
      if (done.count(tid)) continue;
      if (::setpriority(PRIO_PROCESS, static_cast<id_t>(tid), nice) != 0) {
        if (errno == ESRCH) continue;  // ended meanwhile
        throw_errno("setpriority of thread " + std::to_string(tid) + " of process " +
                    std::to_string(pid));
      }
      done.insert(tid);
    }
  }
  return done.size();
}

}  // namespace chrunc::runtime
