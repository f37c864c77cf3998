#pragma once
// process.ioPriority, process.scheduler and linux.personality of the calling
// process (inherited across execve).

#include <optional>

#include "oci/spec.hpp"

namespace chrunc::container {

// ioprio_set(IOPRIO_WHO_PROCESS, self) with IOPRIO_CLASS_RT|BE|IDLE and the
// priority. Throws `unknown I/O priority class "X"` or
// `ioprio_set IOPRIO_CLASS_RT priority=0: <strerror>`.
void apply_io_priority(const std::optional<oci::IoPriority>& priority);

// sched_setattr(self): policy SCHED_OTHER|FIFO|RR|BATCH|ISO|IDLE|DEADLINE,
// nice, priority, SCHED_FLAG_* flags, runtime/deadline/period (ns).
// Throws `unknown scheduler policy "X"`, `unknown scheduler flag "X"` or
// `sched_setattr SCHED_FIFO priority=10: <strerror>`.
void apply_scheduler(const std::optional<oci::Scheduler>& scheduler);

// personality(domain | flags): domain LINUX or LINUX32; flags are the
// personality(2) flag names (ADDR_NO_RANDOMIZE, ...; the spec defines none
// yet). Throws for unknown names or a failing personality(2).
void apply_personality(const std::optional<oci::Personality>& personality);

}  // namespace chrunc::container
