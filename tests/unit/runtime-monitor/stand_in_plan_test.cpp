#include "runtime/relays/stand_in_plan.hpp"

#include <gtest/gtest.h>

namespace chrunc::runtime {
namespace {

GuestProcess process(pid_t pid, std::vector<std::string> argv, uint64_t start = 100) {
  GuestProcess p;
  p.pid = pid;
  p.start_time_ticks = start;
  p.uid = 1000;
  p.gid = 1001;
  p.comm = argv.empty() ? "zombie" : argv[0];
  p.argv = std::move(argv);
  return p;
}

TEST(StandInArgv, IsTheGuestArgv) {
  EXPECT_EQ(stand_in_argv(process(7, {"sleep", "301"})),
            (std::vector<std::string>{"sleep", "301"}));
}

TEST(StandInArgv, NoArgvShowsTheNameInBrackets) {
  EXPECT_EQ(stand_in_argv(process(7, {})), (std::vector<std::string>{"[zombie]"}));
}

TEST(StandInArgv, KeepsWholeArgumentsWithinTheLimit) {
  std::string big(kMaxStandInArgvBytes / 2, 'x');
  auto argv = stand_in_argv(process(7, {"sh", big, big, "tail"}));
  ASSERT_EQ(argv.size(), 2u);
  EXPECT_EQ(argv[1], big);
  auto huge = stand_in_argv(process(7, {std::string(kMaxStandInArgvBytes * 2, 'y'), "a"}));
  ASSERT_EQ(huge.size(), 1u);
  EXPECT_EQ(huge[0].size(), kMaxStandInArgvBytes - 1);
}

TEST(StandInIdentity, TheHostIdsNeverTheGuestsAndNameCutToFifteenBytes) {
  auto p = process(7, {"x"});
  p.uid = 0;
  p.gid = 0;
  p.comm = "a-very-long-command-name";
  EXPECT_EQ(stand_in_identity(p, 65534, 65533), "65534 65533 a-very-long-com");
  p.comm = "\x1b[2Jevil\x07";
  EXPECT_EQ(stand_in_identity(p, 65534, 65534), "65534 65534 ?[2Jevil?");
  p.comm = std::string(128 * 1024, 'c');
  EXPECT_EQ(stand_in_identity(p, 65534, 65534), "65534 65534 " + std::string(15, 'c'));
}

TEST(StandInArgv, TerminalControlsBecomeQuestionMarks) {
  EXPECT_EQ(stand_in_argv(process(7, {"sh", "-c", "echo a\nb\x1b[31m", "caf\xc3\xa9"})),
            (std::vector<std::string>{"sh", "-c", "echo a?b?[31m", "caf\xc3\xa9"}));
  auto zombie = process(7, {});
  zombie.comm = std::string(128 * 1024, '\x1b');
  EXPECT_EQ(stand_in_argv(zombie), (std::vector<std::string>{"[" + std::string(15, '?') + "]"}));
}

TEST(BoundGuestProcess, CommToFifteenBytesArgvToTheLimit) {
  auto p = process(7, {"sh"});
  p.comm = std::string(128 * 1024, 'c');
  for (int i = 0; i < 10000; ++i) p.argv.push_back("argument-" + std::to_string(i));
  bound_guest_process(p);
  EXPECT_EQ(p.comm, std::string(15, 'c'));
  size_t bytes = 0;
  for (const auto& arg : p.argv) bytes += arg.size() + 1;
  EXPECT_LE(bytes, kMaxStandInArgvBytes);
  EXPECT_GT(bytes, kMaxStandInArgvBytes - 20);
  EXPECT_EQ(p.argv[0], "sh");
}

TEST(PlanStandIns, StartsNewEndsGoneKeepsSame) {
  std::map<pid_t, GuestProcess> current{{1, process(1, {"sh"})}, {5, process(5, {"sleep", "9"})}};
  auto plan = plan_stand_ins(current, {process(1, {"sh"}), process(8, {"sleep", "302"})});
  EXPECT_EQ(plan.end, (std::vector<pid_t>{5}));
  ASSERT_EQ(plan.start.size(), 1u);
  EXPECT_EQ(plan.start[0].pid, 8);
}

TEST(PlanStandIns, AnExecOrAReusedPidReplacesTheStandIn) {
  std::map<pid_t, GuestProcess> current{{3, process(3, {"sh", "-c", "exec sleep 1"})},
                                        {4, process(4, {"true"}, 100)}};
  auto plan = plan_stand_ins(current, {process(3, {"sleep", "1"}), process(4, {"true"}, 250)});
  EXPECT_EQ(plan.end, (std::vector<pid_t>{3, 4}));
  ASSERT_EQ(plan.start.size(), 2u);
  EXPECT_EQ(plan.start[0].argv, (std::vector<std::string>{"sleep", "1"}));
  EXPECT_EQ(plan.start[1].start_time_ticks, 250u);
}

TEST(PlanStandIns, NothingToDoWhenUnchanged) {
  std::map<pid_t, GuestProcess> current{{2, process(2, {"a"})}};
  auto plan = plan_stand_ins(current, {process(2, {"a"})});
  EXPECT_TRUE(plan.end.empty());
  EXPECT_TRUE(plan.start.empty());
}

TEST(PlanStandIns, AtMostTheLimitLowestPidsFirstNoDuplicates) {
  std::vector<GuestProcess> listed;
  for (pid_t pid = static_cast<pid_t>(kMaxStandIns) + 10; pid > 0; --pid)
    listed.push_back(process(pid, {"p"}));
  listed.push_back(process(1, {"p"}));
  auto plan = plan_stand_ins({}, listed);
  ASSERT_EQ(plan.start.size(), kMaxStandIns);
  EXPECT_EQ(plan.start.front().pid, 1);
  EXPECT_EQ(plan.start.back().pid, static_cast<pid_t>(kMaxStandIns));
}

}  // namespace
}  // namespace chrunc::runtime
