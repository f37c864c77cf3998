#pragma once
// Reading what a VMM or virtiofsd said before it failed.

#include <filesystem>
#include <string>

namespace chrunc::vmm {

// The last non-empty line of a (log) file, trimmed; "" when absent or empty.
std::string last_line(const std::filesystem::path& file);

}  // namespace chrunc::vmm
