#include "agent/server/child_reaper.hpp"

#include <gtest/gtest.h>
#include <sys/wait.h>
#include <unistd.h>

#include <chrono>
#include <thread>

namespace chrunc::agent {
namespace {

pid_t child_exiting_with(int code) {
  pid_t pid = ::fork();
  if (pid == 0) ::_exit(code);
  return pid;
}

TEST(ChildReaper, DeliversTheStatusToAWaiter) {
  ChildReaper reaper;
  pid_t pid = ::fork();
  if (pid == 0) {
    ::usleep(100 * 1000);
    ::_exit(7);
  }
  int status = reaper.wait_status(pid);
  ASSERT_TRUE(WIFEXITED(status));
  EXPECT_EQ(WEXITSTATUS(status), 7);
}

TEST(ChildReaper, KeepsStatusesNobodyWaitsForYet) {
  ChildReaper reaper;
  pid_t pid = child_exiting_with(5);
  for (int i = 0; i < 200 && !reaper.try_status(pid); ++i)
    std::this_thread::sleep_for(std::chrono::milliseconds(10));
  ASSERT_TRUE(reaper.try_status(pid).has_value());  // reaped without any waiter
  EXPECT_EQ(WEXITSTATUS(reaper.wait_status(pid)), 5);
  EXPECT_FALSE(reaper.try_status(pid).has_value());  // handed out once
}

TEST(ChildReaper, WatchedStatusesStayUntilForgotten) {
  ChildReaper reaper;
  pid_t pid = ::fork();
  if (pid == 0) {
    ::usleep(50 * 1000);
    ::_exit(9);
  }
  reaper.watch(pid);
  EXPECT_EQ(WEXITSTATUS(reaper.wait_status(pid)), 9);
  EXPECT_EQ(WEXITSTATUS(reaper.wait_status(pid)), 9);
  reaper.forget(pid);
  EXPECT_FALSE(reaper.try_status(pid).has_value());
}

TEST(ChildReaper, ReapsKilledChildren) {
  ChildReaper reaper;
  pid_t pid = ::fork();
  if (pid == 0) {
    ::pause();
    ::_exit(0);
  }
  ::kill(pid, SIGKILL);
  int status = reaper.wait_status(pid);
  ASSERT_TRUE(WIFSIGNALED(status));
  EXPECT_EQ(WTERMSIG(status), SIGKILL);
}

}  // namespace
}  // namespace chrunc::agent
