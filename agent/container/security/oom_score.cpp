#include "agent/container/security/oom_score.hpp"

#include <string>

#include "agent/container/security/file_io.hpp"

namespace chrunc::container {

void apply_oom_score_adj(std::optional<int32_t> score) {
  if (!score) return;
  std::string value = std::to_string(*score);
  write_file("/proc/self/oom_score_adj", value, "oom_score_adj " + value);
}

}  // namespace chrunc::container
