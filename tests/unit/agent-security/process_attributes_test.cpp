#include "agent/container/security/process_attributes.hpp"

#include <gtest/gtest.h>
#include <sched.h>
#include <sys/personality.h>
#include <sys/resource.h>
#include <sys/syscall.h>
#include <unistd.h>

#include "child.hpp"

namespace chrunc::container {
namespace {

using test::run_in_child;

struct SchedAttr {
  uint32_t size, policy;
  uint64_t flags;
  int32_t nice;
  uint32_t priority;
  uint64_t runtime, deadline, period;
  uint32_t util_min, util_max;
};

std::string sched_state() {
  SchedAttr attr{};
  if (::syscall(SYS_sched_getattr, 0, &attr, sizeof attr, 0) != 0) return "sched_getattr failed";
  return "policy=" + std::to_string(attr.policy) + " nice=" + std::to_string(attr.nice) +
         " priority=" + std::to_string(attr.priority) + " flags=" + std::to_string(attr.flags);
}

TEST(IoPriority, SetsClassAndPriority) {
  auto result = run_in_child([] {
    apply_io_priority(oci::IoPriority{"IOPRIO_CLASS_BE", 6});
    return std::to_string(::syscall(SYS_ioprio_get, 1, 0));
  });
  ASSERT_TRUE(result.exited_ok()) << result.output;
  EXPECT_EQ(result.output, std::to_string((2 << 13) | 6));
  result = run_in_child([] {
    apply_io_priority(oci::IoPriority{"IOPRIO_CLASS_IDLE", 0});
    return std::to_string(::syscall(SYS_ioprio_get, 1, 0));
  });
  EXPECT_EQ(result.output, std::to_string(3 << 13));
}

TEST(IoPriority, Errors) {
  auto result = run_in_child([] {
    apply_io_priority(oci::IoPriority{"IOPRIO_CLASS_FOO", 1});
    return std::string("applied");
  });
  EXPECT_EQ(result.output, "ERROR: unknown I/O priority class \"IOPRIO_CLASS_FOO\"");
  result = run_in_child([] {
    apply_io_priority(oci::IoPriority{"IOPRIO_CLASS_BE", 8});
    return std::string("applied");
  });
  EXPECT_EQ(result.output, "ERROR: I/O priority 8 out of range (0-7)");
}

TEST(Scheduler, BatchWithNice) {
  auto result = run_in_child([] {
    oci::Scheduler scheduler;
    scheduler.policy = "SCHED_BATCH";
    scheduler.nice = 5;
    scheduler.flags = {"SCHED_FLAG_RESET_ON_FORK"};
    apply_scheduler(scheduler);
    return sched_state() + " getpriority=" + std::to_string(::getpriority(PRIO_PROCESS, 0));
  });
  ASSERT_TRUE(result.exited_ok()) << result.output;
  EXPECT_EQ(result.output, "policy=3 nice=5 priority=0 flags=1 getpriority=5");
}

TEST(Scheduler, RealTimeFifo) {
  auto result = run_in_child([] {
    oci::Scheduler scheduler;
    scheduler.policy = "SCHED_FIFO";
    scheduler.priority = 10;
    apply_scheduler(scheduler);
    return sched_state();
  });
  if (result.output.find("Operation not permitted") != std::string::npos)
    GTEST_SKIP() << "real-time scheduling refused on this host: " << result.output;
  ASSERT_TRUE(result.exited_ok()) << result.output;
  EXPECT_EQ(result.output, "policy=1 nice=0 priority=10 flags=0");
}

TEST(Scheduler, Errors) {
  auto result = run_in_child([] {
    apply_scheduler(oci::Scheduler{"SCHED_FOO", {}, {}, {}, {}, {}, {}});
    return std::string("applied");
  });
  EXPECT_EQ(result.output, "ERROR: unknown scheduler policy \"SCHED_FOO\"");
  result = run_in_child([] {
    apply_scheduler(oci::Scheduler{"SCHED_OTHER", {}, {}, {"SCHED_FLAG_FOO"}, {}, {}, {}});
    return std::string("applied");
  });
  EXPECT_EQ(result.output, "ERROR: unknown scheduler flag \"SCHED_FLAG_FOO\"");
  result = run_in_child([] {
    apply_scheduler(oci::Scheduler{"SCHED_FIFO", {}, 1000, {}, {}, {}, {}});
    return std::string("applied");
  });
  EXPECT_EQ(result.output,
            "ERROR: sched_setattr SCHED_FIFO nice=0 priority=1000: Invalid argument");
}

TEST(Personality, Linux32AndFlags) {
  auto result = run_in_child([] {
    apply_personality(oci::Personality{"LINUX32", {"ADDR_NO_RANDOMIZE"}});
    return std::to_string(::personality(0xffffffff));
  });
  ASSERT_TRUE(result.exited_ok()) << result.output;
  EXPECT_EQ(result.output,
            std::to_string(static_cast<int>(PER_LINUX32) | static_cast<int>(ADDR_NO_RANDOMIZE)));
  result = run_in_child([] {
    ::personality(PER_LINUX32);
    apply_personality(oci::Personality{"LINUX", {}});
    return std::to_string(::personality(0xffffffff));
  });
  EXPECT_EQ(result.output, std::to_string(PER_LINUX));
}

TEST(Personality, Errors) {
  auto result = run_in_child([] {
    apply_personality(oci::Personality{"WINDOWS", {}});
    return std::string("applied");
  });
  EXPECT_EQ(result.output, "ERROR: unknown personality domain \"WINDOWS\"");
  result = run_in_child([] {
    apply_personality(oci::Personality{"LINUX", {"FOO"}});
    return std::string("applied");
  });
  EXPECT_EQ(result.output, "ERROR: unknown personality flag \"FOO\"");
}

}  // namespace
}  // namespace chrunc::container
