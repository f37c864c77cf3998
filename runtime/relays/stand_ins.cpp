#include "runtime/relays/stand_ins.hpp"

#include <fcntl.h>
#include <poll.h>
#include <sys/eventfd.h>
#include <sys/socket.h>
#include <unistd.h>

#include <algorithm>
#include <atomic>
#include <csignal>
#include <cstring>
#include <set>

#include "common/error.hpp"
#include "common/log.hpp"

namespace chrunc::runtime {
namespace {

using namespace std::chrono_literals;

constexpr auto kReadyTimeout = 2s;

void send_message(int fd, const std::string& text) {
  if (::send(fd, text.data(), text.size(), MSG_NOSIGNAL) < 0)
    throw_errno("stand-in: send to the control socket");
}

// Waits for "ready" from a new stand-in.
void wait_ready(int fd) {
  pollfd p{fd, POLLIN, 0};
  int n;
  do {
    n = ::poll(&p, 1, static_cast<int>(std::chrono::milliseconds(kReadyTimeout).count()));
  } while (n < 0 && errno == EINTR);
  if (n == 0) throw Error("stand-in: no answer from the helper");
  char text[16] = {};
  ssize_t got = ::recv(fd, text, sizeof text - 1, MSG_DONTWAIT);
  if (got <= 0 || std::strcmp(text, "ready") != 0) throw Error("stand-in: the helper exited");
}

// Failures to start a stand-in logged in full; after these, one line says
// that the rest are not.
constexpr unsigned kFailuresLogged = 5;

}  // namespace

struct StandIns::StandIn {
  GuestProcess guest;
  ChildProcess child;
  UniqueFd control;
  std::atomic<bool> ending{false};
};

StandIns::StandIns(std::filesystem::path helper, HostIdentity identity, Forward forward,
                   StandInLimits limits)
    : helper_(std::move(helper)),
      identity_(identity),
      forward_(std::move(forward)),
      starts_(limits.burst, limits.per_second) {
  wake_ = UniqueFd(::eventfd(0, EFD_CLOEXEC | EFD_NONBLOCK));
  if (!wake_) throw_errno("stand-ins: eventfd");
  thread_ = std::thread([this] { serve(); });
}

StandIns::~StandIns() {
  end_all();
}

std::filesystem::path StandIns::default_helper() {
  std::error_code ec;
  auto self = std::filesystem::read_symlink("/proc/self/exe", ec);
  if (ec) throw Error("stand-ins: read /proc/self/exe: " + ec.message());
  return self.parent_path() / "ch-runc-standin";
}

void StandIns::wake() {
  uint64_t one = 1;
  ssize_t ignored = ::write(wake_.get(), &one, sizeof one);
  (void)ignored;
}

std::shared_ptr<StandIns::StandIn> StandIns::spawn(const GuestProcess& process) {
  int pair[2];
  check_syscall(::socketpair(AF_UNIX, SOCK_SEQPACKET | SOCK_CLOEXEC, 0, pair),
                "stand-in: socketpair");
  UniqueFd mine(pair[0]), theirs(pair[1]);
  SpawnOptions options;
  options.program = helper_;
  options.argv = stand_in_argv(process);
  options.env = {};
  options.fds = {{theirs.get(), 3}};
  options.pdeathsig = 0;       // the control socket's end says the monitor is gone
  options.new_session = true;  // away from the monitor's terminal (SIGWINCH, SIGHUP)
  options.cwd = "/";
  auto stand_in = std::make_shared<StandIn>();
  stand_in->guest = process;
  stand_in->child = ChildProcess::spawn(options);
  theirs.reset();
  send_message(mine.get(), stand_in_identity(process, identity_.uid, identity_.gid));
  wait_ready(mine.get());
  int flags = ::fcntl(mine.get(), F_GETFL);
  ::fcntl(mine.get(), F_SETFL, flags | O_NONBLOCK);
  stand_in->control = std::move(mine);
  return stand_in;
}

// Under mutex_: the stand-in is told to exit (its control socket's write side
// is shut) and waited for by serve().
void StandIns::end(const std::shared_ptr<StandIn>& stand_in) {
  stand_in->ending = true;
  ::shutdown(stand_in->control.get(), SHUT_WR);
  ending_.push_back(stand_in);
}

void StandIns::log_once(bool& flag, const std::string& message) {
  if (flag) return;
  flag = true;
  log_warn(message);
}

void StandIns::reconcile(const std::vector<GuestProcess>& listed) {
  std::lock_guard lock(mutex_);
  if (closed_) return;
  listed_ = listed;
  for (auto& process : listed_) bound_guest_process(process);
  reconcile_locked();
  wake();
}

void StandIns::reconcile_locked() {
  std::map<pid_t, GuestProcess> current;
  for (const auto& [pid, stand_in] : live_) current[pid] = stand_in->guest;
  StandInPlan plan = plan_stand_ins(current, listed_);
  if (listed_.size() > kMaxStandIns)
    log_once(logged_over_cap_, "stand-ins: the guest lists " + std::to_string(listed_.size()) +
                                   " processes; only the first " + std::to_string(kMaxStandIns) +
                                   " get a stand-in (logged once)");
  for (pid_t pid : plan.end) {
    end(live_[pid]);
    live_.erase(pid);
  }
  // A process whose stand-in failed to start is not tried again (until its
  // pid is reused): a helper that cannot start must not spin.
  std::set<std::pair<pid_t, uint64_t>> still_listed;
  for (const auto& process : listed_) still_listed.insert({process.pid, process.start_time_ticks});
  std::erase_if(failed_, [&](const auto& key) { return !still_listed.contains(key); });
  deferred_ = false;
  for (const auto& process : plan.start) {
    if (failed_.contains({process.pid, process.start_time_ticks})) continue;
    if (!starts_.take()) {
      // The rest wait for serve() to start them as the bucket refills.
      deferred_ = true;
      log_once(logged_rate_,
               "stand-ins: the guest changes its processes faster than stand-ins are started; "
               "some get theirs later (logged once)");
      break;
    }
    try {
      live_[process.pid] = spawn(process);
    } catch (const std::exception& e) {
      failed_.insert({process.pid, process.start_time_ticks});
      if (failures_logged_ < kFailuresLogged)
        log_warn("stand-in for guest process " + std::to_string(process.pid) + ": " + e.what());
      else if (failures_logged_ == kFailuresLogged)
        log_warn("stand-ins: more stand-ins failed to start; no more such failures are logged");
      if (failures_logged_ <= kFailuresLogged) ++failures_logged_;
    }
  }
}

std::map<pid_t, pid_t> StandIns::host_pids() {
  std::lock_guard lock(mutex_);
  std::map<pid_t, pid_t> pids;
  for (const auto& [pid, stand_in] : live_) pids[pid] = stand_in->child.pid();
  return pids;
}

bool StandIns::handle(const std::shared_ptr<StandIn>& stand_in, short revents) {
  bool gone = (revents & (POLLHUP | POLLERR)) != 0;
  for (;;) {
    char text[32] = {};
    ssize_t n = ::recv(stand_in->control.get(), text, sizeof text - 1, MSG_DONTWAIT);
    if (n == 0 || (n < 0 && errno != EAGAIN && errno != EINTR)) gone = true;
    if (n <= 0) break;
    int signo = 0;
    if (std::sscanf(text, "signal %d", &signo) == 1 && signo > 0 && !stand_in->ending)
      forward_(stand_in->guest, signo);
  }
  if (!gone) return false;
  // It closed its end: it is exiting.
  auto status = stand_in->child.wait_for(1s);
  if (!status) {
    stand_in->child.kill_and_wait();
    return true;
  }
  if (*status == 128 + SIGKILL && !stand_in->ending) forward_(stand_in->guest, SIGKILL);
  return true;
}

void StandIns::serve() {
  for (;;) {
    std::vector<pollfd> fds{{wake_.get(), POLLIN, 0}};
    std::vector<std::shared_ptr<StandIn>> owners{nullptr};
    {
      std::lock_guard lock(mutex_);
      if (stop_) return;
      for (const auto& [pid, stand_in] : live_) {
        fds.push_back({stand_in->control.get(), POLLIN, 0});
        owners.push_back(stand_in);
      }
      for (const auto& stand_in : ending_) {
        fds.push_back({stand_in->control.get(), POLLIN, 0});
        owners.push_back(stand_in);
      }
    }
    int timeout_ms = 1000;
    {
      std::lock_guard lock(mutex_);
      if (deferred_) {
        auto wait = std::chrono::duration_cast<std::chrono::milliseconds>(starts_.wait());
        timeout_ms = static_cast<int>(std::clamp<long long>(wait.count() + 1, 1, 1000));
      }
    }
    if (::poll(fds.data(), fds.size(), timeout_ms) < 0 && errno != EINTR) {
      log_warn(std::string("stand-ins: poll: ") + std::strerror(errno));
      return;
    }
    if (fds[0].revents != 0) {
      uint64_t count;
      ssize_t ignored = ::read(wake_.get(), &count, sizeof count);
      (void)ignored;
    }
    for (size_t i = 1; i < fds.size(); ++i) {
      if (fds[i].revents == 0 || !handle(owners[i], fds[i].revents)) continue;
      std::lock_guard lock(mutex_);
      std::erase(ending_, owners[i]);
      auto it = live_.find(owners[i]->guest.pid);
      if (it != live_.end() && it->second == owners[i]) live_.erase(it);
      changed_.notify_all();
    }
    std::lock_guard lock(mutex_);
    if (deferred_ && !closed_ && starts_.wait() == TokenBucket::Clock::duration::zero())
      reconcile_locked();
  }
}

void StandIns::end_all(std::chrono::milliseconds grace) {
  std::unique_lock lock(mutex_);
  if (!thread_.joinable()) return;
  closed_ = true;
  for (auto& [pid, stand_in] : live_) end(stand_in);
  live_.clear();
  wake();
  changed_.wait_for(lock, grace, [this] { return ending_.empty(); });
  stop_ = true;
  wake();
  lock.unlock();
  thread_.join();
  // What did not exit in time: SIGKILLed and reaped (ChildProcess).
  std::lock_guard relock(mutex_);
  ending_.clear();
}

}  // namespace chrunc::runtime
