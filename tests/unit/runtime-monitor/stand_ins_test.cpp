// StandIns with the real ch-runc-standin helper: what the host sees of a
// stand-in, and the signals it forwards.
#include "runtime/stand_ins.hpp"

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

GuestProcess guest(pid_t pid, std::vector<std::string> argv) {
  GuestProcess p;
  p.pid = pid;
  p.start_time_ticks = 77;
  p.uid = ::geteuid() == 0 ? 65534 : ::geteuid();
  p.gid = ::geteuid() == 0 ? 65533 : ::getegid();
  p.comm = argv[0];
  p.argv = std::move(argv);
  return p;
}

class StandInsTest : public ::testing::Test {
 protected:
  StandInsTest()
      : stand_ins_(CHRUNC_TEST_STANDIN_HELPER, [this](const GuestProcess& p, int signo) {
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

  static bool gone(pid_t pid) {
    for (int i = 0; i < 300; ++i) {
      if (::kill(pid, 0) != 0 && errno == ESRCH) return true;
      std::this_thread::sleep_for(10ms);
    }
    return false;
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
  auto g = guest(42, {"x"});
  EXPECT_EQ(status_line(host, "Uid"), "Uid:\t" + std::to_string(g.uid) + "\t" +
                                          std::to_string(g.uid) + "\t" + std::to_string(g.uid) +
                                          "\t" + std::to_string(g.uid));
  EXPECT_EQ(status_line(host, "Gid").substr(0, 5 + std::to_string(g.gid).size()),
            "Gid:\t" + std::to_string(g.gid));
  EXPECT_EQ(status_line(host, "CapEff"), "CapEff:\t0000000000000000");
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
  StandIns broken("/nonexistent/ch-runc-standin", [](const GuestProcess&, int) {});
  broken.reconcile({guest(1, {"init"})});
  EXPECT_TRUE(broken.host_pids().empty());
}

}  // namespace
}  // namespace chrunc::runtime
