#pragma once
// <state dir>/timing.log: one line per lifecycle phase, appended by the
// monitor (and the CLI) for the benchmarks:
//   <phase> <CLOCK_REALTIME seconds.nanoseconds> <CLOCK_MONOTONIC seconds.nanoseconds>
// Phases: monitor-started vmm-spawned agent-ready container-created started
// exited torn-down. Cheap (one O_APPEND write); failures are ignored.

#include <filesystem>
#include <string_view>

namespace chrunc::runtime {

void timing_mark(const std::filesystem::path& state_dir, std::string_view phase);

}  // namespace chrunc::runtime
