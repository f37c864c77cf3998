// StandIns with the real ch-runc-standin helper: what the host sees of a
// stand-in, and the signals it forwards.
#include "runtime/relays/stand_ins.hpp"

#include <gtest/gtest.h>
#include <unistd.h>

#include <chrono>
#include <csignal>
#include <filesystem>
#include <fstream>
#include <sstream>
#include <thread>

namespace chrunc::runtime {
namespace {

using namespace std::chrono_literals;

std::string slurp(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  std::stringstream ss;
  ss << in.rdbuf();
  return ss.str();
}

std::string status_line(pid_t pid, const std::string& key) {
  std::istringstream lines(slurp("/proc/" + std::to_string(pid) + "/status"));
  for (std::string line; std::getline(lines, line);)
    if (line.rfind(key + ":", 0) == 0) return line;
  return "";
}

// The host identity the stand-ins are given (a test run as root can give
// any; otherwise only its own).
HostIdentity host_identity() {
  return ::geteuid() == 0 ? HostIdentity{65534, 65533} : HostIdentity{::geteuid(), ::getegid()};
}

// A guest process that claims to be root.
GuestProcess guest(pid_t pid, std::vector<std::string> argv) {
  GuestProcess p;
  p.pid = pid;
  p.start_time_ticks = 77;
  p.uid = 0;
  p.gid = 0;
  p.comm = argv[0];
  p.argv = std::move(argv);
  return p;
}

bool gone(pid_t pid) {
  for (int i = 0; i < 300; ++i) {
    if (::kill(pid, 0) != 0 && errno == ESRCH) return true;
    std::this_thread::sleep_for(10ms);
  }
  return false;
}

class StandInsTest : public ::testing::Test {
 protected:
  StandInsTest()
      : stand_ins_(CHRUNC_TEST_STANDIN_HELPER, host_identity(),
                   [this](const GuestProcess& p, int signo) {
                     std::lock_guard lock(mutex_);
                     forwarded_.emplace_back(p.pid, signo);
                   }) {}

  std::vector<std::pair<pid_t, int>> forwarded(size_t at_least) {
    for (int i = 0; i < 300; ++i) {
      {
        std::lock_guard lock(mutex_);
        if (forwarded_.size() >= at_least) return forwarded_;
      }
      std::this_thread::sleep_for(10ms);
    }
    std::lock_guard lock(mutex_);
    return forwarded_;
  }

  std::mutex mutex_;
  std::vector<std::pair<pid_t, int>> forwarded_;
  StandIns stand_ins_;
};

TEST_F(StandInsTest, ShowsTheGuestCommandLineNameAndIds) {
  stand_ins_.reconcile({guest(42, {"sleep", "301"})});
  auto pids = stand_ins_.host_pids();
  ASSERT_EQ(pids.size(), 1u);
  pid_t host = pids.at(42);
  std::string proc = "/proc/" + std::to_string(host);
  EXPECT_EQ(slurp(proc + "/cmdline"), std::string("sleep\0"
                                                  "301\0",
                                                  10));
  EXPECT_EQ(slurp(proc + "/comm"), "sleep\n");
  // The host identity, not the guest's uid 0; no supplementary groups.
  const std::string uid = std::to_string(host_identity().uid);
  const std::string gid = std::to_string(host_identity().gid);
  EXPECT_EQ(status_line(host, "Uid"), "Uid:\t" + uid + "\t" + uid + "\t" + uid + "\t" + uid);
  EXPECT_EQ(status_line(host, "Gid"), "Gid:\t" + gid + "\t" + gid + "\t" + gid + "\t" + gid);
  if (::geteuid() == 0)
    EXPECT_EQ(status_line(host, "Groups").find_first_not_of("Groups:\t "), std::string::npos);
  EXPECT_EQ(status_line(host, "CapEff"), "CapEff:\t0000000000000000");
  EXPECT_EQ(status_line(host, "CapPrm"), "CapPrm:\t0000000000000000");
  EXPECT_EQ(status_line(host, "NoNewPrivs"), "NoNewPrivs:\t1");
  // No environment, and only stdio and the control socket.
  if (::geteuid() == 0) EXPECT_EQ(slurp(proc + "/environ"), "");
  std::vector<std::string> fds;
  for (const auto& e : std::filesystem::directory_iterator(proc + "/fd"))
    fds.push_back(e.path().filename());
  std::sort(fds.begin(), fds.end());
  ASSERT_GE(fds.size(), 4u);
  EXPECT_EQ(std::vector<std::string>(fds.begin(), fds.begin() + 4),
            (std::vector<std::string>{"0", "1", "2", "3"}));
  for (size_t i = 4; i < fds.size(); ++i)  // its own, opened after exec
    EXPECT_EQ(std::filesystem::read_symlink(proc + "/fd/" + fds[i]), "anon_inode:[signalfd]");
  EXPECT_NE(::getsid(host), ::getsid(0));  // its own session
}

TEST_F(StandInsTest, ForwardsSignalsAndASigkill) {
  stand_ins_.reconcile({guest(42, {"sleep", "301"}), guest(43, {"sh"})});
  auto pids = stand_ins_.host_pids();
  ASSERT_EQ(pids.size(), 2u);
  ASSERT_EQ(::kill(pids.at(42), SIGUSR1), 0);
  ASSERT_EQ(::kill(pids.at(42), SIGTERM), 0);
  auto got = forwarded(2);
  ASSERT_EQ(got.size(), 2u);
  EXPECT_EQ(got[0], std::make_pair(42, SIGUSR1));
  EXPECT_EQ(got[1], std::make_pair(42, SIGTERM));
  ASSERT_EQ(::kill(pids.at(43), SIGKILL), 0);
  got = forwarded(3);
  ASSERT_EQ(got.size(), 3u);
  EXPECT_EQ(got[2], std::make_pair(43, SIGKILL));
  EXPECT_TRUE(gone(pids.at(43)));
  EXPECT_EQ(stand_ins_.host_pids().count(43), 0u);
}

TEST_F(StandInsTest, ReconcileEndsGoneAndChangedProcessesWithoutForwarding) {
  stand_ins_.reconcile({guest(5, {"sh", "-c", "x"}), guest(6, {"sleep", "1"})});
  auto before = stand_ins_.host_pids();
  stand_ins_.reconcile({guest(5, {"sleep", "9"})});  // 5 exec'd, 6 exited
  auto after = stand_ins_.host_pids();
  ASSERT_EQ(after.size(), 1u);
  EXPECT_NE(after.at(5), before.at(5));
  EXPECT_EQ(slurp("/proc/" + std::to_string(after.at(5)) + "/cmdline"),
            std::string("sleep\09\0", 8));
  EXPECT_TRUE(gone(before.at(5)));
  EXPECT_TRUE(gone(before.at(6)));
  stand_ins_.end_all();
  EXPECT_TRUE(gone(after.at(5)));
  std::this_thread::sleep_for(200ms);
  EXPECT_TRUE(forwarded(0).empty());
  stand_ins_.reconcile({guest(7, {"sleep", "1"})});  // none after end_all
  EXPECT_TRUE(stand_ins_.host_pids().empty());
}

TEST_F(StandInsTest, AMissingHelperLeavesTheProcessOut) {
  StandIns broken("/nonexistent/ch-runc-standin", host_identity(), [](const GuestProcess&, int) {});
  broken.reconcile({guest(1, {"init"})});
  EXPECT_TRUE(broken.host_pids().empty());
}

// The helper refuses to run as root: a stand-in that would stay root exits
// instead of saying "ready" (here the monitor's side asks for root).
TEST(StandInsRoot, AStandInNeverRunsAsRoot) {
  StandIns as_root(CHRUNC_TEST_STANDIN_HELPER, HostIdentity{0, 0}, [](const GuestProcess&, int) {});
  as_root.reconcile({guest(1, {"sleep", "304"})});
  EXPECT_TRUE(as_root.host_pids().empty());
  for (const auto& e : std::filesystem::directory_iterator("/proc")) {
    std::string cmdline = slurp(e.path().string() + "/cmdline");
    EXPECT_NE(cmdline, std::string("sleep\0"
                                   "304\0",
                                   10))
        << e.path();
  }
}

// A guest that starts more processes than the rate allows: the burst at
// once, the rest as the rate allows (without a new list), never over it.
TEST(StandInsRate, StartsAreRateLimited) {
  StandIns limited(
      CHRUNC_TEST_STANDIN_HELPER, host_identity(), [](const GuestProcess&, int) {},
      StandInLimits{4, 10});
  std::vector<GuestProcess> listed;
  for (pid_t pid = 1; pid <= 12; ++pid) listed.push_back(guest(pid, {"sleep", "305"}));
  const auto t0 = std::chrono::steady_clock::now();
  auto seconds_since = [](std::chrono::steady_clock::time_point t) {
    return std::chrono::duration<double>(std::chrono::steady_clock::now() - t).count();
  };
  limited.reconcile(listed);
  // 4 at once, plus what the rate allowed while reconcile ran (slow under
  // ASan or on a loaded machine): a bound from the clock, not a fixed count.
  const double reconcile_took = seconds_since(t0);
  const size_t allowed = 4 + static_cast<size_t>(reconcile_took * 10) + 1;
  EXPECT_LE(limited.host_pids().size(), allowed);
  // Only when reconcile was quick enough for the rate to hold some back.
  if (allowed < 12) EXPECT_LT(limited.host_pids().size(), 12u) << "not rate-limited at all";
  size_t count = 0;
  for (int i = 0; i < 500 && count < 12; ++i) {
    std::this_thread::sleep_for(10ms);
    count = limited.host_pids().size();
    // 4 at once, then at most 10 a second (and a little slack for the clock).
    const double elapsed =
        std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
    EXPECT_LE(count, 4 + static_cast<size_t>(elapsed * 10) + 1) << "at " << elapsed << " s";
  }
  EXPECT_EQ(count, 12u) << "the deferred ones are started without a new list";
  // Exec in a loop: every replacement is a new start, within the same rate
  // (the bucket is empty now: only what refilled since t1 may start).
  const auto t1 = std::chrono::steady_clock::now();
  for (int round = 0; round < 5; ++round) {
    for (auto& p : listed) p.start_time_ticks += 1;
    limited.reconcile(listed);
  }
  EXPECT_LE(limited.host_pids().size(), static_cast<size_t>(seconds_since(t1) * 10) + 2);
  limited.end_all();
}

}  // namespace
}  // namespace chrunc::runtime
