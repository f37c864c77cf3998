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

#include <filesystem>
#include <fstream>

namespace chrunc::agent {
namespace {

// A process whose name and arguments are not UTF-8 and whose command line is
// huge: its row is bounded and still crosses (proto3 refuses a `string` that
// is not UTF-8; the fields are `bytes`).
TEST(ProcList, NonUtf8AndHugeCommandLinesCross) {
  char tmpl[] = "/tmp/chrunc-proc-XXXXXX";
  ASSERT_NE(::mkdtemp(tmpl), nullptr);
  const std::filesystem::path proc = tmpl;
  std::filesystem::create_directories(proc / "42");
  std::ofstream(proc / "42/stat") << "42 (\xff\x1b[2J) S 1 42 42 0 -1 4194560 1 0 0 0 3 4 0 0 20 "
                                     "0 1 0 777 1000 100 18446744073709551615";
  std::ofstream(proc / "42/status") << "Uid:\t7\t7\t7\t7\nGid:\t8\t8\t8\t8\n";
  std::string cmdline = std::string("sh\0\xfe\xff\x1b]0;x\x07\0", 12) + std::string(1 << 20, 'y');
  std::ofstream(proc / "42/cmdline", std::ios::binary) << cmdline;
  auto info = read_process_info(42, proc.string());
  std::filesystem::remove_all(proc);
  ASSERT_TRUE(info.has_value());
  EXPECT_EQ(info->comm(), "\xff\x1b[2J");
  EXPECT_EQ(info->cmdline().size(), kMaxCmdlineBytes);
  ASSERT_EQ(info->argv_size(), 3);
  EXPECT_EQ(info->argv(1), "\xfe\xff\x1b]0;x\x07");
  std::string wire;
  ASSERT_TRUE(info->SerializeToString(&wire));
  v1::ProcessInfo back;
  ASSERT_TRUE(back.ParseFromString(wire));
  EXPECT_EQ(back.comm(), info->comm());
  EXPECT_EQ(back.argv(1), info->argv(1));
}

}  // namespace
}  // namespace chrunc::agent
