#include "agent/container/security/process_attributes.hpp"

#include <sched.h>
#include <sys/personality.h>
#include <sys/syscall.h>
#include <unistd.h>

#include <array>
#include <cerrno>
#include <cstdint>
#include <string_view>
#include <utility>

#include "common/error.hpp"

namespace chrunc::container {
namespace {

// From linux/ioprio.h (not in every libc's headers).
constexpr int kIoprioWhoProcess = 1;
constexpr int kIoprioClassShift = 13;

// struct sched_attr of sched_setattr(2), version 1 (with utilization clamps).
struct SchedAttr {
  uint32_t size;
  uint32_t sched_policy;
  uint64_t sched_flags;
  int32_t sched_nice;
  uint32_t sched_priority;
  uint64_t sched_runtime;
  uint64_t sched_deadline;
  uint64_t sched_period;
  uint32_t sched_util_min;
  uint32_t sched_util_max;
};

template <typename T, size_t N>
std::optional<T> lookup(const std::array<std::pair<std::string_view, T>, N>& table,
                        std::string_view name) {
  for (const auto& [key, value] : table)
    if (key == name) return value;
  return std::nullopt;
}

constexpr std::array<std::pair<std::string_view, int>, 3> kIoClasses{{
    {"IOPRIO_CLASS_RT", 1},
    {"IOPRIO_CLASS_BE", 2},
    {"IOPRIO_CLASS_IDLE", 3},
}};

constexpr std::array<std::pair<std::string_view, uint32_t>, 7> kPolicies{{
    {"SCHED_OTHER", 0},
    {"SCHED_FIFO", 1},
    {"SCHED_RR", 2},
    {"SCHED_BATCH", 3},
    {"SCHED_ISO", 4},
    {"SCHED_IDLE", 5},
    {"SCHED_DEADLINE", 6},
}};

constexpr std::array<std::pair<std::string_view, uint64_t>, 7> kSchedFlags{{
    {"SCHED_FLAG_RESET_ON_FORK", 0x01},
    {"SCHED_FLAG_RECLAIM", 0x02},
    {"SCHED_FLAG_DL_OVERRUN", 0x04},
    {"SCHED_FLAG_KEEP_POLICY", 0x08},
    {"SCHED_FLAG_KEEP_PARAMS", 0x10},
    {"SCHED_FLAG_UTIL_CLAMP_MIN", 0x20},
    {"SCHED_FLAG_UTIL_CLAMP_MAX", 0x40},
}};

constexpr std::array<std::pair<std::string_view, unsigned long>, 2> kDomains{{
    {"LINUX", PER_LINUX},
    {"LINUX32", PER_LINUX32},
}};

constexpr std::array<std::pair<std::string_view, unsigned long>, 11> kPersonalityFlags{{
    {"UNAME26", UNAME26},
    {"ADDR_NO_RANDOMIZE", ADDR_NO_RANDOMIZE},
    {"FDPIC_FUNCPTRS", FDPIC_FUNCPTRS},
    {"MMAP_PAGE_ZERO", MMAP_PAGE_ZERO},
    {"ADDR_COMPAT_LAYOUT", ADDR_COMPAT_LAYOUT},
    {"READ_IMPLIES_EXEC", READ_IMPLIES_EXEC},
    {"ADDR_LIMIT_32BIT", ADDR_LIMIT_32BIT},
    {"SHORT_INODE", SHORT_INODE},
    {"WHOLE_SECONDS", WHOLE_SECONDS},
    {"STICKY_TIMEOUTS", STICKY_TIMEOUTS},
    {"ADDR_LIMIT_3GB", ADDR_LIMIT_3GB},
}};

}  // namespace

void apply_io_priority(const std::optional<oci::IoPriority>& priority) {
  if (!priority) return;
  auto io_class = lookup(kIoClasses, priority->io_class);
  if (!io_class) throw Error("unknown I/O priority class \"" + priority->io_class + "\"");
  if (priority->priority < 0 || priority->priority > 7)
    throw Error("I/O priority " + std::to_string(priority->priority) + " out of range (0-7)");
  const int value = (*io_class << kIoprioClassShift) | priority->priority;
  if (::syscall(SYS_ioprio_set, kIoprioWhoProcess, 0, value) != 0)
    throw_errno("ioprio_set " + priority->io_class +
                " priority=" + std::to_string(priority->priority));
}

void apply_scheduler(const std::optional<oci::Scheduler>& scheduler) {
  if (!scheduler) return;
  auto policy = lookup(kPolicies, scheduler->policy);
  if (!policy) throw Error("unknown scheduler policy \"" + scheduler->policy + "\"");
  SchedAttr attr{};
  attr.size = sizeof attr;
  attr.sched_policy = *policy;
  for (const auto& name : scheduler->flags) {
    auto flag = lookup(kSchedFlags, name);
    if (!flag) throw Error("unknown scheduler flag \"" + name + "\"");
    attr.sched_flags |= *flag;
  }
  attr.sched_nice = scheduler->nice.value_or(0);
  attr.sched_priority = static_cast<uint32_t>(scheduler->priority.value_or(0));
  attr.sched_runtime = scheduler->runtime.value_or(0);
  attr.sched_deadline = scheduler->deadline.value_or(0);
  attr.sched_period = scheduler->period.value_or(0);
  if (::syscall(SYS_sched_setattr, 0, &attr, 0) != 0)
    throw_errno("sched_setattr " + scheduler->policy + " nice=" + std::to_string(attr.sched_nice) +
                " priority=" + std::to_string(attr.sched_priority));
}

void apply_personality(const std::optional<oci::Personality>& personality) {
  if (!personality) return;
  auto persona = lookup(kDomains, personality->domain);
  if (!persona) throw Error("unknown personality domain \"" + personality->domain + "\"");
  for (const auto& name : personality->flags) {
    auto flag = lookup(kPersonalityFlags, name);
    if (!flag) throw Error("unknown personality flag \"" + name + "\"");
    *persona |= *flag;
  }
  if (::personality(*persona) == -1) throw_errno("personality " + personality->domain);
}

}  // namespace chrunc::container
