#include "agent/container/security/oom_score.hpp"

#include <gtest/gtest.h>

#include "child.hpp"

namespace chrunc::container {
namespace {

using test::read_text;
using test::run_in_child;

bool has_cap_sys_resource() {
  return (std::stoull(test::status_field("CapEff"), nullptr, 16) >> 24) & 1;
}

TEST(OomScore, WritesTheValue) {
  // Raising needs no privilege; lowering below the current value needs
  // CAP_SYS_RESOURCE (which root lacks on some CI hosts).
  const int current = std::stoi(read_text("/proc/self/oom_score_adj"));
  std::vector<int> values{current, 500, 1000};
  if (has_cap_sys_resource()) values = {-1000, 0, 500, 1000};
  for (int value : values) {
    if (value < current && !has_cap_sys_resource()) continue;
    auto result = run_in_child([&] {
      apply_oom_score_adj(value);
      return read_text("/proc/self/oom_score_adj");
    });
    ASSERT_TRUE(result.exited_ok()) << result.output;
    EXPECT_EQ(result.output, std::to_string(value) + "\n");
  }
}

TEST(OomScore, AbsentChangesNothing) {
  const std::string before = read_text("/proc/self/oom_score_adj");
  auto result = run_in_child([] {
    apply_oom_score_adj(std::nullopt);
    return read_text("/proc/self/oom_score_adj");
  });
  EXPECT_EQ(result.output, before);
}

TEST(OomScore, LoweringWithoutCapSysResourceNamesTheValue) {
  if (has_cap_sys_resource()) GTEST_SKIP() << "CAP_SYS_RESOURCE present: lowering is allowed";
  auto result = run_in_child([] {
    apply_oom_score_adj(-1000);
    return std::string("applied");
  });
  EXPECT_EQ(result.output,
            "ERROR: oom_score_adj -1000: write /proc/self/oom_score_adj: Permission denied");
}

TEST(OomScore, OutOfRangeIsAnError) {
  auto result = run_in_child([] {
    apply_oom_score_adj(1001);
    return std::string("applied");
  });
  EXPECT_EQ(result.output,
            "ERROR: oom_score_adj 1001: write /proc/self/oom_score_adj: Invalid argument");
}

}  // namespace
}  // namespace chrunc::container
