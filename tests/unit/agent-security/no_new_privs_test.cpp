#include "agent/container/security/no_new_privs.hpp"

#include <gtest/gtest.h>

#include "child.hpp"

namespace chrunc::container {
namespace {

using test::run_in_child;
using test::status_field;

TEST(NoNewPrivs, SetsTheBit) {
  auto result = run_in_child([] {
    apply_no_new_privileges(true);
    return status_field("NoNewPrivs");
  });
  EXPECT_EQ(result.output, "1");
}

TEST(NoNewPrivs, FalseLeavesItClear) {
  auto result = run_in_child([] {
    apply_no_new_privileges(false);
    return status_field("NoNewPrivs");
  });
  EXPECT_EQ(result.output, "0");
}

}  // namespace
}  // namespace chrunc::container
