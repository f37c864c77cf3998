#pragma once
// process.oomScoreAdj.

#include <cstdint>
#include <optional>

namespace chrunc::container {

// Writes the value to /proc/self/oom_score_adj; nothing when absent. Throws
// `oom_score_adj -1000: write /proc/self/oom_score_adj: Permission denied`.
void apply_oom_score_adj(std::optional<int32_t> score);

}  // namespace chrunc::container
