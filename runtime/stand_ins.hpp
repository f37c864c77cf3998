#pragma once
// Host stand-ins of a container's guest processes. The container's processes
// live in the VM, where the host's tools (docker top runs the host's ps on the
// pids of `ps --format json`; podman top reads the monitor's /proc) cannot
// see them. The monitor keeps, for each, one child process exec'd from the
// small ch-runc-standin helper (runtime/stand_in_main.cpp) with the guest
// process's argv, name, uid and gid: it sits in the monitor's pid namespace
// and the container's host cgroup, so those tools show the guest's command
// lines. A signal sent to a stand-in is forwarded to its guest process, and a
// stand-in killed with SIGKILL takes its guest process with it.
//
// Each stand-in's control socket (fd 3 in it) is the only link: the stand-in
// exits when the monitor closes its end or dies, so none outlives the monitor
// even where the monitor is not a pid namespace's init.

#include <sys/types.h>

#include <condition_variable>
#include <filesystem>
#include <functional>
#include <map>
#include <memory>
#include <mutex>
#include <thread>
#include <vector>

#include "common/child_process.hpp"
#include "common/unique_fd.hpp"
#include "runtime/stand_in_plan.hpp"

namespace chrunc::runtime {

class StandIns {
 public:
  // Called from the stand-ins' own thread with a signal for a guest process.
  using Forward = std::function<void(const GuestProcess&, int signo)>;

  // `helper`: the ch-runc-standin executable.
  StandIns(std::filesystem::path helper, Forward forward);
  ~StandIns();
  StandIns(const StandIns&) = delete;
  StandIns& operator=(const StandIns&) = delete;

  // Brings the stand-ins in line with `listed`, the container's processes
  // now: ends the ones whose process is gone or changed, starts the missing
  // ones (each started one runs with its name and ids when this returns).
  // A stand-in that cannot be started is logged and left out.
  void reconcile(const std::vector<GuestProcess>& listed);
  // Ends every stand-in and waits for them (SIGKILL after `grace`); no more
  // are started afterwards.
  void end_all(std::chrono::milliseconds grace = std::chrono::seconds(2));
  // Guest pid -> host pid of each running stand-in.
  std::map<pid_t, pid_t> host_pids();

  // The helper next to the running executable (/proc/self/exe's directory).
  static std::filesystem::path default_helper();

 private:
  struct StandIn;
  std::shared_ptr<StandIn> spawn(const GuestProcess& process);
  void end(const std::shared_ptr<StandIn>& stand_in);
  void serve();
  // Reads the stand-in's messages; true when it is gone (and reaped).
  bool handle(const std::shared_ptr<StandIn>& stand_in, short revents);
  void wake();

  const std::filesystem::path helper_;
  const Forward forward_;
  std::mutex mutex_;
  std::condition_variable changed_;
  std::map<pid_t, std::shared_ptr<StandIn>> live_;  // by guest pid
  std::vector<std::shared_ptr<StandIn>> ending_;    // asked to exit, not reaped yet
  bool closed_ = false;                             // end_all was called
  bool stop_ = false;                               // the thread is to return
  UniqueFd wake_;                                   // eventfd: the sets changed
  std::thread thread_;
};

}  // namespace chrunc::runtime
