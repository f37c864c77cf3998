// The refill's CPU priority (runtime/host/cpu_priority.hpp): lowered before
// its children start, raised on every thread at the claim.
#include "runtime/host/cpu_priority.hpp"

#include <gtest/gtest.h>
#include <sys/resource.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cerrno>
#include <thread>

#include "common/error.hpp"

namespace chrunc::runtime {
namespace {

int nice_of(pid_t tid) {
  errno = 0;
  int value = ::getpriority(PRIO_PROCESS, static_cast<id_t>(tid));
  return errno == 0 ? value : -100;
}

// A child with a second thread, both parked until `release` is written to.
struct TwoThreadChild {
  pid_t pid = -1;
  pid_t second_tid = 0;
  int release = -1;

  TwoThreadChild() {
    int go[2], report[2];
    EXPECT_EQ(::pipe(go), 0);
    EXPECT_EQ(::pipe(report), 0);
    pid = ::fork();
    if (pid == 0) {
      ::close(go[1]);  // so that the read below sees the parent's close
      ::close(report[0]);
      std::thread t([&] {
        pid_t tid = static_cast<pid_t>(::syscall(SYS_gettid));
        (void)!::write(report[1], &tid, sizeof tid);
        char c;
        (void)!::read(go[0], &c, 1);
      });
      t.join();
      ::_exit(0);
    }
    ::close(go[0]);
    ::close(report[1]);
    EXPECT_EQ(::read(report[0], &second_tid, sizeof second_tid),
              static_cast<ssize_t>(sizeof second_tid));
    ::close(report[0]);
    release = go[1];
  }
  ~TwoThreadChild() {
    ::close(release);
    int status = 0;
    ::waitpid(pid, &status, 0);
  }
};

TEST(CpuPriority, EveryThreadOfAProcessIsSet) {
  TwoThreadChild child;
  ASSERT_GT(child.second_tid, 0);
  EXPECT_EQ(set_process_nice(child.pid, kBackgroundNice), 2u);
  EXPECT_EQ(nice_of(child.pid), kBackgroundNice);
  EXPECT_EQ(nice_of(child.second_tid), kBackgroundNice);
  if (::geteuid() != 0) GTEST_SKIP() << "raising a nice value back needs root";
  EXPECT_EQ(set_process_nice(child.pid, 0), 2u);
  EXPECT_EQ(nice_of(child.pid), 0);
  EXPECT_EQ(nice_of(child.second_tid), 0);
}

TEST(CpuPriority, AGoneProcessIsAnError) {
  pid_t pid = ::fork();
  if (pid == 0) ::_exit(0);
  int status = 0;
  ::waitpid(pid, &status, 0);
  EXPECT_THROW(set_process_nice(pid, 0), Error);
}

TEST(CpuPriority, WhatTheLoweredThreadStartsInheritsIt) {
  pid_t pid = ::fork();
  if (pid == 0) {
    try {
      set_own_nice(kBackgroundNice);
    } catch (...) {
      ::_exit(2);
    }
    int seen = -100;
    std::thread t([&] { seen = nice_of(static_cast<pid_t>(::syscall(SYS_gettid))); });
    t.join();
    ::_exit(seen == kBackgroundNice ? 0 : 1);
  }
  int status = 0;
  ASSERT_EQ(::waitpid(pid, &status, 0), pid);
  ASSERT_TRUE(WIFEXITED(status));
  EXPECT_EQ(WEXITSTATUS(status), 0);
}

}  // namespace
}  // namespace chrunc::runtime
