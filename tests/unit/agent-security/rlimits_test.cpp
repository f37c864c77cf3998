#include "agent/container/security/rlimits.hpp"

#include <gtest/gtest.h>
#include <linux/capability.h>
#include <sys/prctl.h>
#include <sys/resource.h>
#include <sys/syscall.h>

#include "child.hpp"

namespace chrunc::container {
namespace {

using test::read_text;
using test::run_in_child;

std::string limits_line(const std::string& prefix) {
  std::istringstream in(read_text("/proc/self/limits"));
  for (std::string line; std::getline(in, line);)
    if (line.rfind(prefix, 0) == 0) return line;
  return "";
}

TEST(Rlimits, AppliesSoftAndHard) {
  auto result = run_in_child([] {
    apply_rlimits({{"RLIMIT_NOFILE", 2048, 1024}, {"RLIMIT_CORE", RLIM_INFINITY, 0}});
    return limits_line("Max open files") + "\n" + limits_line("Max core file size");
  });
  ASSERT_TRUE(result.exited_ok()) << result.output;
  EXPECT_NE(result.output.find("Max open files            1024                 2048"),
            std::string::npos)
      << result.output;
  EXPECT_NE(result.output.find("Max core file size        0                    unlimited"),
            std::string::npos)
      << result.output;
}

TEST(Rlimits, UnknownNameIsAnError) {
  auto result = run_in_child([] {
    apply_rlimits({{"RLIMIT_FOO", 1, 1}});
    return std::string("applied");
  });
  EXPECT_EQ(result.output, "ERROR: unknown rlimit \"RLIMIT_FOO\"");
}

TEST(Rlimits, ErrorNamesTheLimitAndValues) {
  // Soft above hard is refused by the kernel (EINVAL).
  auto result = run_in_child([] {
    apply_rlimits({{"RLIMIT_NOFILE", 100, 200}});
    return std::string("applied");
  });
  EXPECT_EQ(result.output, "ERROR: setrlimit RLIMIT_NOFILE soft=200 hard=100: Invalid argument");
}

TEST(Rlimits, RaisingHardNeedsCapSysResource) {
  rlimit current{};
  ::getrlimit(RLIMIT_NOFILE, &current);
  if (current.rlim_max == RLIM_INFINITY) GTEST_SKIP() << "nofile hard limit is unlimited";
  auto result = run_in_child([&] {
    // Without CAP_SYS_RESOURCE (dropped in the child) the hard limit cannot rise.
    ::prctl(PR_CAPBSET_DROP, 24, 0, 0, 0);
    __user_cap_header_struct header{_LINUX_CAPABILITY_VERSION_3, 0};
    __user_cap_data_struct data[2]{};
    ::syscall(SYS_capget, &header, data);
    data[0].effective &= ~(1u << 24);
    data[0].permitted &= ~(1u << 24);
    ::syscall(SYS_capset, &header, data);
    apply_rlimits({{"RLIMIT_NOFILE", current.rlim_max + 1, 1024}});
    return std::string("applied");
  });
  EXPECT_EQ(result.output, "ERROR: setrlimit RLIMIT_NOFILE soft=1024 hard=" +
                               std::to_string(current.rlim_max + 1) + ": Operation not permitted");
}

}  // namespace
}  // namespace chrunc::container
