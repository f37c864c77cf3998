#pragma once
// The agent's reaper: as PID 1 it must reap every child (and every orphan the
// kernel re-parents to it). A SIGCHLD handler wakes a thread that reaps with
// waitpid(-1, WNOHANG) and files each status by pid; wait_status() callers
// are woken. Statuses of pids nobody waits for yet are kept until asked for.
//
// A status is handed out once (the first wait_status takes it), except for
// pids passed to watch(): those stay until forget(), so several callers (the
// container library and the agent's own WaitProcess) can all see them.

#include <sys/types.h>

#include <condition_variable>
#include <map>
#include <mutex>
#include <optional>
#include <set>
#include <thread>

#include "agent/container/container.hpp"
#include "common/unique_fd.hpp"

namespace chrunc::agent {

class ChildReaper final : public container::ProcessReaper {
 public:
  // Installs the SIGCHLD handler and starts the reaping thread. One per process.
  ChildReaper();
  ~ChildReaper() override;
  ChildReaper(const ChildReaper&) = delete;
  ChildReaper& operator=(const ChildReaper&) = delete;

  int wait_status(pid_t pid) override;
  // The status if `pid` has been reaped, without blocking (and without taking it).
  std::optional<int> try_status(pid_t pid);
  void watch(pid_t pid);
  void forget(pid_t pid);

 private:
  void run();
  void reap_all();

  UniqueFd wake_read_;
  std::mutex mutex_;
  std::condition_variable exited_;
  std::map<pid_t, int> statuses_;
  std::set<pid_t> watched_;
  bool stopping_ = false;
  std::thread thread_;
};

}  // namespace chrunc::agent
