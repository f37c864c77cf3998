#pragma once
// Host stand-ins of a container's guest processes. The container's processes
// live in the VM, where the host's tools (docker top runs the host's ps on the
// pids of `ps --format json`; podman top reads the monitor's /proc) cannot
// see them. The monitor keeps, for each, one child process exec'd from the
// small ch-runc-standin helper (runtime/relays/stand_in_main.cpp) with the guest
// process's argv and name (bounded, title-safe: stand_in_plan.hpp): it sits
// in the monitor's pid namespace and the container's host cgroup, so those
// tools show the guest's command lines. A signal sent to a stand-in is
// forwarded to its guest process, and a stand-in killed with SIGKILL takes
// its guest process with it.
//
// The guest chooses how many processes it has, what they are called and how
// often they change; none of it chooses anything on the host: every stand-in
// runs as one unprivileged host identity (stand_in_user.hpp), at most
// kMaxStandIns of them, started at most `per_second` a second after a burst
// (StandInLimits). Processes over those limits get their stand-in later (or
// none), and each condition is logged once, not once per process or update.
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
#include <set>
#include <thread>
#include <vector>

#include "common/child_process.hpp"
#include "common/unique_fd.hpp"
#include "runtime/relays/stand_in_plan.hpp"
#include "runtime/relays/stand_in_user.hpp"
#include "runtime/relays/token_bucket.hpp"

namespace chrunc::runtime {

// How fast the guest can make the host start stand-ins.
struct StandInLimits {
  double burst = 32;       // started at once
  double per_second = 16;  // then on average
};

class StandIns {
 public:
  // Called from the stand-ins' own thread with a signal for a guest process.
  using Forward = std::function<void(const GuestProcess&, int signo)>;

  // `helper`: the ch-runc-standin executable; `identity`: the host uid and
  // gid every stand-in runs as.
  StandIns(std::filesystem::path helper, HostIdentity identity, Forward forward,
           StandInLimits limits = {});
  ~StandIns();
  StandIns(const StandIns&) = delete;
  StandIns& operator=(const StandIns&) = delete;

  // Brings the stand-ins in line with `listed`, the container's processes
  // now: ends the ones whose process is gone or changed, starts the missing
  // ones (each started one runs with its name and ids when this returns),
  // as many as the rate limit allows now: the rest are started by the
  // stand-ins' thread as it allows more. A stand-in that cannot be started
  // is left out (the first few failures are logged).
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
  // Under mutex_: reconcile() with the last list.
  void reconcile_locked();
  std::shared_ptr<StandIn> spawn(const GuestProcess& process);
  // Under mutex_: logs `message` the first time `flag` is set.
  static void log_once(bool& flag, const std::string& message);
  void end(const std::shared_ptr<StandIn>& stand_in);
  void serve();
  // Reads the stand-in's messages; true when it is gone (and reaped).
  bool handle(const std::shared_ptr<StandIn>& stand_in, short revents);
  void wake();

  const std::filesystem::path helper_;
  const HostIdentity identity_;
  const Forward forward_;
  TokenBucket starts_;                // under mutex_
  std::vector<GuestProcess> listed_;  // the last list, bounded
  bool deferred_ = false;             // some of listed_ wait for the rate limit
  bool logged_over_cap_ = false, logged_rate_ = false;
  unsigned failures_logged_ = 0;
  std::set<std::pair<pid_t, uint64_t>> failed_;  // (pid, start time) whose start failed
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
