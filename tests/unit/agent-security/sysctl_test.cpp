#include "agent/container/security/sysctl.hpp"

#include <gtest/gtest.h>
#include <sched.h>
#include <unistd.h>

#include "child.hpp"

namespace chrunc::container {
namespace {

using test::read_text;
using test::run_in_child;

TEST(Sysctl, WritesInTheCallersNamespaces) {
  auto result = run_in_child([] {
    check_syscall(::unshare(CLONE_NEWUTS | CLONE_NEWNET | CLONE_NEWIPC), "unshare");
    apply_sysctls({{"kernel.hostname", "chrunc-sysctl"},
                   {"net.ipv4.ip_forward", "1"},
                   {"kernel.msgmax", "4096"}});
    char name[64] = {};
    ::gethostname(name, sizeof name - 1);
    return std::string(name) + " " + read_text("/proc/sys/net/ipv4/ip_forward").substr(0, 1) + " " +
           read_text("/proc/sys/kernel/msgmax");
  });
  ASSERT_TRUE(result.exited_ok()) << result.output;
  EXPECT_EQ(result.output, "chrunc-sysctl 1 4096\n");
}

TEST(Sysctl, RejectsPathsInNames) {
  for (const char* name : {"kernel/hostname", "net..ipv4", "..", ".kernel.x", "kernel.", ""}) {
    auto result = run_in_child([&] {
      apply_sysctls({{name, "1"}});
      return std::string("applied");
    });
    EXPECT_EQ(result.output, std::string("ERROR: invalid sysctl name \"") + name + "\"");
  }
}

TEST(Sysctl, ErrorNamesTheSysctl) {
  auto result = run_in_child([] {
    apply_sysctls({{"kernel.no_such_knob", "1"}});
    return std::string("applied");
  });
  EXPECT_EQ(result.output,
            "ERROR: sysctl kernel.no_such_knob=1: write /proc/sys/kernel/no_such_knob: No such "
            "file or directory");
}

}  // namespace
}  // namespace chrunc::container
