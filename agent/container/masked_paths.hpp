#pragma once
// After pivot_root: linux.readonlyPaths, linux.maskedPaths, root.readonly.

#include <string>
#include <vector>

namespace chrunc::container {

// Bind each path onto itself and remount it read-only; missing paths are skipped.
void apply_readonly_paths(const std::vector<std::string>& paths);
// /dev/null over files, an empty read-only tmpfs over directories.
void apply_masked_paths(const std::vector<std::string>& paths);
// Remount "/" read-only.
void make_root_readonly();

}  // namespace chrunc::container
