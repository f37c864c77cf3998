#include "agent/container/security/seccomp.hpp"

#include <gtest/gtest.h>
#include <signal.h>
#include <sys/resource.h>
#include <sys/syscall.h>
#include <unistd.h>

#include <cerrno>

#include "child.hpp"

namespace chrunc::container {
namespace {

using test::run_in_child;
using test::status_field;

oci::SeccompSyscall rule(std::vector<std::string> names, std::string action,
                         std::optional<uint32_t> errno_ret = std::nullopt,
                         std::vector<oci::SeccompArg> args = {}) {
  return oci::SeccompSyscall{std::move(names), std::move(action), errno_ret, std::move(args)};
}

oci::Seccomp allow_by_default(std::vector<oci::SeccompSyscall> rules) {
  oci::Seccomp seccomp;
  seccomp.default_action = "SCMP_ACT_ALLOW";
  seccomp.syscalls = std::move(rules);
  return seccomp;
}

// "<return value>/<errno>" of a raw syscall.
std::string outcome(long rc) {
  return std::to_string(rc) + "/" + std::to_string(rc < 0 ? errno : 0);
}

TEST(Seccomp, ErrnoRuleReturnsTheConfiguredErrno) {
  auto result = run_in_child([] {
    load_seccomp(allow_by_default({rule({"getppid"}, "SCMP_ACT_ERRNO", 42)}));
    return status_field("Seccomp") + " " + outcome(::syscall(SYS_getppid));
  });
  ASSERT_TRUE(result.exited_ok()) << result.output;
  EXPECT_EQ(result.output, "2 -1/42");
}

TEST(Seccomp, ErrnoDefaultsToEperm) {
  auto result = run_in_child([] {
    load_seccomp(allow_by_default({rule({"getppid"}, "SCMP_ACT_ERRNO")}));
    return outcome(::syscall(SYS_getppid));
  });
  EXPECT_EQ(result.output, "-1/" + std::to_string(EPERM));
}

TEST(Seccomp, DefaultErrnoRet) {
  auto result = run_in_child([] {
    oci::Seccomp seccomp;
    seccomp.default_action = "SCMP_ACT_ERRNO";
    seccomp.default_errno_ret = 38;
    // Enough for the child to report and exit; socketcall and _llseek do not
    // exist on x86_64 (pseudo syscalls) and must not break the filter.
    seccomp.syscalls = {
        rule({"write", "exit_group", "exit", "brk", "mmap", "munmap", "mremap", "madvise", "futex",
              "rt_sigprocmask", "socketcall", "_llseek", "no_such_syscall"},
             "SCMP_ACT_ALLOW")};
    load_seccomp(seccomp);
    return outcome(::syscall(SYS_getppid));
  });
  ASSERT_TRUE(result.exited_ok()) << result.output;
  EXPECT_EQ(result.output, "-1/38");
}

TEST(Seccomp, KillActionsKillWithSigsys) {
  for (const char* action :
       {"SCMP_ACT_KILL", "SCMP_ACT_KILL_PROCESS", "SCMP_ACT_KILL_THREAD", "SCMP_ACT_TRAP"}) {
    auto result = run_in_child([&] {
      load_seccomp(allow_by_default({rule({"getppid"}, action)}));
      ::syscall(SYS_getppid);
      return std::string("survived");
    });
    EXPECT_TRUE(result.killed_by(SIGSYS)) << action << ": " << result.output;
  }
}

TEST(Seccomp, LogAndTraceActions) {
  auto result = run_in_child([] {
    load_seccomp(allow_by_default(
        {rule({"getppid"}, "SCMP_ACT_LOG"), rule({"getpgid"}, "SCMP_ACT_TRACE", 55)}));
    // No tracer: TRACE fails the syscall with ENOSYS.
    return outcome(::syscall(SYS_getppid) > 0 ? 0 : -1) + " " + outcome(::syscall(SYS_getpgid, 0));
  });
  ASSERT_TRUE(result.exited_ok()) << result.output;
  EXPECT_EQ(result.output, "0/0 -1/" + std::to_string(ENOSYS));
}

TEST(Seccomp, ArgumentsOnDifferentIndexesAreAnded) {
  auto result = run_in_child([] {
    load_seccomp(allow_by_default(
        {rule({"getpriority"}, "SCMP_ACT_ERRNO", 33,
              {{0, PRIO_PROCESS, 0, "SCMP_CMP_EQ"}, {1, 777777, 0, "SCMP_CMP_EQ"}})}));
    return outcome(::syscall(SYS_getpriority, PRIO_PROCESS, 777777)) + " " +
           outcome(::syscall(SYS_getpriority, PRIO_PROCESS, 0) >= 0 ? 0 : -1) + " " +
           outcome(::syscall(SYS_getpriority, PRIO_PGRP, 777777));
  });
  ASSERT_TRUE(result.exited_ok()) << result.output;
  EXPECT_EQ(result.output, "-1/33 0/0 -1/" + std::to_string(ESRCH));
}

TEST(Seccomp, ArgumentsOnTheSameIndexAreOred) {
  auto result = run_in_child([] {
    load_seccomp(
        allow_by_default({rule({"getpgid"}, "SCMP_ACT_ERRNO", 11,
                               {{0, 111111, 0, "SCMP_CMP_EQ"}, {0, 222222, 0, "SCMP_CMP_EQ"}})}));
    return outcome(::syscall(SYS_getpgid, 111111)) + " " + outcome(::syscall(SYS_getpgid, 222222)) +
           " " + outcome(::syscall(SYS_getpgid, 333333));
  });
  ASSERT_TRUE(result.exited_ok()) << result.output;
  EXPECT_EQ(result.output, "-1/11 -1/11 -1/" + std::to_string(ESRCH));
}

TEST(Seccomp, ComparisonOperators) {
  auto result = run_in_child([] {
    load_seccomp(allow_by_default(
        {rule({"getpgid"}, "SCMP_ACT_ERRNO", 11, {{0, 0xff, 0x39, "SCMP_CMP_MASKED_EQ"}}),
         rule({"getsid"}, "SCMP_ACT_ERRNO", 12, {{0, 900000, 0, "SCMP_CMP_GT"}}),
         rule({"getpriority"}, "SCMP_ACT_ERRNO", 13, {{1, 5, 0, "SCMP_CMP_NE"}})}));
    return outcome(::syscall(SYS_getpgid, 0x12339)) + " " +
           outcome(::syscall(SYS_getpgid, 0x12338)) + " " + outcome(::syscall(SYS_getsid, 900001)) +
           " " + outcome(::syscall(SYS_getsid, 899999)) + " " +
           outcome(::syscall(SYS_getpriority, PRIO_PROCESS, 0));
  });
  ASSERT_TRUE(result.exited_ok()) << result.output;
  EXPECT_EQ(result.output,
            "-1/11 -1/" + std::to_string(ESRCH) + " -1/12 -1/" + std::to_string(ESRCH) + " -1/13");
}

TEST(Seccomp, RuleEqualToDefaultIsSkipped) {
  auto result = run_in_child([] {
    load_seccomp(allow_by_default({rule({"read"}, "SCMP_ACT_ALLOW")}));
    return status_field("Seccomp");
  });
  ASSERT_TRUE(result.exited_ok()) << result.output;
  EXPECT_EQ(result.output, "2");
}

TEST(Seccomp, ArchitecturesAndFlags) {
  auto result = run_in_child([] {
    auto seccomp = allow_by_default({rule({"getppid"}, "SCMP_ACT_ERRNO", 7)});
    seccomp.architectures = {"SCMP_ARCH_X86_64", "SCMP_ARCH_X86", "SCMP_ARCH_X32"};
    seccomp.flags = {"SECCOMP_FILTER_FLAG_TSYNC", "SECCOMP_FILTER_FLAG_LOG",
                     "SECCOMP_FILTER_FLAG_SPEC_ALLOW"};
    load_seccomp(seccomp);
    return outcome(::syscall(SYS_getppid));
  });
  ASSERT_TRUE(result.exited_ok()) << result.output;
  EXPECT_EQ(result.output, "-1/7");
}

TEST(Seccomp, NoNewPrivsIsNotSetByTheFilter) {
  auto result = run_in_child([] {
    load_seccomp(allow_by_default({rule({"getppid"}, "SCMP_ACT_ERRNO")}));
    return status_field("NoNewPrivs");
  });
  EXPECT_EQ(result.output, "0");
}

TEST(Seccomp, AbsentLoadsNothing) {
  auto result = run_in_child([] {
    load_seccomp(std::nullopt);
    return status_field("Seccomp");
  });
  EXPECT_EQ(result.output, "0");
}

TEST(Seccomp, ValidationErrors) {
  auto expect_error = [](oci::Seccomp seccomp, const std::string& message) {
    try {
      check_seccomp(seccomp);
      ADD_FAILURE() << "no error, expected " << message;
    } catch (const Error& e) {
      EXPECT_EQ(e.what(), message);
    }
  };
  auto base = allow_by_default({});
  auto s = base;
  s.default_action = "SCMP_ACT_FOO";
  expect_error(s, "seccomp: unknown action \"SCMP_ACT_FOO\"");
  s = base;
  s.default_action = "";
  expect_error(s, "seccomp: defaultAction is missing");
  s = allow_by_default({rule({"read"}, "SCMP_ACT_NOTIFY")});
  expect_error(s, "seccomp: action SCMP_ACT_NOTIFY is not supported");
  s = base;
  s.listener_path = "/run/notify.sock";
  expect_error(s, "seccomp: listenerPath is not supported");
  s = base;
  s.architectures = {"SCMP_ARCH_FOO"};
  expect_error(s, "seccomp: unknown architecture \"SCMP_ARCH_FOO\"");
  s = base;
  s.flags = {"SECCOMP_FILTER_FLAG_FOO"};
  expect_error(s, "seccomp: unknown or unsupported flag \"SECCOMP_FILTER_FLAG_FOO\"");
  s = allow_by_default({rule({"read"}, "SCMP_ACT_ERRNO", 1, {{0, 1, 0, "SCMP_CMP_FOO"}})});
  expect_error(s, "seccomp: unknown operator \"SCMP_CMP_FOO\"");
  s = allow_by_default({rule({"read"}, "SCMP_ACT_ERRNO", 1, {{6, 1, 0, "SCMP_CMP_EQ"}})});
  expect_error(s, "seccomp: argument index 6 out of range (0-5)");
  s = allow_by_default({rule({"no_such_syscall"}, "SCMP_ACT_ERRNO")});
  s.architectures = {"SCMP_ARCH_AARCH64", "SCMP_ARCH_PPC64LE", "SCMP_ARCH_S390X",
                     "SCMP_ARCH_RISCV64", "SCMP_ARCH_MIPSEL64N32"};
  check_seccomp(s);  // unknown syscall names are not errors
}

TEST(Seccomp, LoadErrorsComeBeforeAnyFilter) {
  auto result = run_in_child([] {
    load_seccomp(allow_by_default({rule({"read"}, "SCMP_ACT_NOTIFY")}));
    return status_field("Seccomp");
  });
  EXPECT_EQ(result.output, "ERROR: seccomp: action SCMP_ACT_NOTIFY is not supported");
}

}  // namespace
}  // namespace chrunc::container
