#include "agent/server/proc_list.hpp"

#include <gtest/gtest.h>
#include <unistd.h>

namespace chrunc::agent {
namespace {

TEST(ProcList, ReadsThisProcess) {
  auto info = read_process_info(::getpid());
  ASSERT_TRUE(info.has_value());
  EXPECT_EQ(info->pid(), ::getpid());
  EXPECT_EQ(info->ppid(), ::getppid());
  EXPECT_EQ(info->uid(), ::getuid());
  EXPECT_EQ(info->state(), "R");
  EXPECT_NE(info->cmdline().find("agent_server_test"), std::string::npos);
  EXPECT_FALSE(info->comm().empty());
}

TEST(ProcList, GoneProcessIsNullopt) {
  EXPECT_FALSE(read_process_info(0x7ffffff0).has_value());
}

}  // namespace
}  // namespace chrunc::agent

namespace chrunc::agent {
namespace {

TEST(ProcList, ArgvAndGid) {
  auto info = read_process_info(::getpid());
  ASSERT_TRUE(info.has_value());
  ASSERT_GE(info->argv_size(), 1);
  EXPECT_NE(info->argv(0).find("agent_server_test"), std::string::npos);
  std::string joined;
  for (const auto& arg : info->argv()) joined += (joined.empty() ? "" : " ") + arg;
  EXPECT_EQ(joined, info->cmdline());
  EXPECT_EQ(info->gid(), ::getgid());
}

}  // namespace
}  // namespace chrunc::agent
