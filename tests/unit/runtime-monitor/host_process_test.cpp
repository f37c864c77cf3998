// Killing by identity: a pid whose start time differs is left alone.
#include "runtime/host/host_process.hpp"

#include <fcntl.h>
#include <gtest/gtest.h>
#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

#include "common/unique_fd.hpp"
#include "runtime/store/state_store.hpp"

namespace chrunc::runtime {
namespace {

using namespace std::chrono_literals;

pid_t spawn_sleeper() {
  pid_t pid = ::fork();
  if (pid == 0) {
    ::execl("/bin/sleep", "sleep", "60", nullptr);
    ::_exit(127);
  }
  return pid;
}

// The identity of a live child, once /proc shows it running sleep.
ProcessIdentity identity_of(pid_t pid) {
  for (int i = 0; i < 200 && process_start_time(pid) == 0; ++i) ::usleep(10000);
  return {pid, process_start_time(pid)};
}

TEST(HostProcess, KillsTheProcessItRecorded) {
  pid_t pid = spawn_sleeper();
  ASSERT_GT(pid, 0);
  ProcessIdentity id = identity_of(pid);
  ASSERT_NE(id.start_time, 0u);
  EXPECT_TRUE(same_process_running(id));
  EXPECT_TRUE(signal_if_same(id, SIGKILL));
  int status = 0;
  ASSERT_EQ(::waitpid(pid, &status, 0), pid);
  EXPECT_TRUE(WIFSIGNALED(status) && WTERMSIG(status) == SIGKILL);
  EXPECT_FALSE(same_process_running(id));
  EXPECT_FALSE(signal_if_same(id, SIGKILL));
}

TEST(HostProcess, LeavesARecycledPidAlone) {
  pid_t pid = spawn_sleeper();
  ASSERT_GT(pid, 0);
  ProcessIdentity id = identity_of(pid);
  // The same pid with another start time: what a recycled pid looks like.
  ProcessIdentity stale{pid, id.start_time + 1};
  EXPECT_FALSE(same_process_running(stale));
  EXPECT_FALSE(signal_if_same(stale, SIGKILL));
  EXPECT_FALSE(signal_if_same({pid, 0}, SIGKILL));  // unknown start time: never
  EXPECT_TRUE(same_process_running(id));            // still alive
  EXPECT_FALSE(wait_process_gone(id, 100ms));
  ::kill(pid, SIGKILL);
  ::waitpid(pid, nullptr, 0);
  EXPECT_TRUE(wait_process_gone(id, 1s));
}

TEST(HostProcess, SignalsAStoppedProcess) {
  pid_t pid = spawn_sleeper();
  ProcessIdentity id = identity_of(pid);
  ASSERT_EQ(::kill(pid, SIGSTOP), 0);
  EXPECT_TRUE(signal_if_same(id, SIGKILL));
  int status = 0;
  ASSERT_EQ(::waitpid(pid, &status, 0), pid);
  EXPECT_TRUE(WIFSIGNALED(status));
}

TEST(HostProcess, FindsAChildByItsPidInTheParentsView) {
  pid_t pid = spawn_sleeper();
  ProcessIdentity id = identity_of(pid);
  UniqueFd proc(::open("/proc", O_RDONLY | O_DIRECTORY | O_CLOEXEC));
  auto found = find_host_child(proc.get(), ::getpid(), pid);
  ASSERT_TRUE(found);
  EXPECT_EQ(found->pid, pid);
  EXPECT_EQ(found->start_time, id.start_time);
  EXPECT_FALSE(find_host_child(proc.get(), ::getpid() + 100000, pid));  // not its parent
  EXPECT_FALSE(find_host_child(proc.get(), ::getpid(), 0));
  ::kill(pid, SIGKILL);
  ::waitpid(pid, nullptr, 0);
}

// ps --format json: the monitor names its stand-ins by their pids in its
// namespace; the caller keeps those of the cgroup's pids that are its children.
TEST(HostProcess, ChildrenKnownAsTheirPidsInTheirNamespace) {
  pid_t a = spawn_sleeper(), b = spawn_sleeper();
  ASSERT_GT(a, 0);
  ASSERT_GT(b, 0);
  identity_of(a);
  identity_of(b);
  const pid_t self = ::getpid();
  // Here the caller's namespace is the children's: inner pid = pid.
  EXPECT_EQ(children_known_as(self, {a, self, b}, {a, b}), (std::vector<pid_t>{a, b}));
  EXPECT_EQ(children_known_as(self, {b, a}, {a}), (std::vector<pid_t>{a}));
  EXPECT_TRUE(children_known_as(self, {a, b}, {}).empty());
  EXPECT_TRUE(children_known_as(self, {self}, {self}).empty());         // not its own child
  EXPECT_TRUE(children_known_as(::getppid(), {a, b}, {a, b}).empty());  // another parent's
  for (pid_t pid : {a, b}) {
    ::kill(pid, SIGKILL);
    ::waitpid(pid, nullptr, 0);
  }
  EXPECT_TRUE(children_known_as(self, {a, b}, {a, b}).empty());  // gone
}

}  // namespace
}  // namespace chrunc::runtime
