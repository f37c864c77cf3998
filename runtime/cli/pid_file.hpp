#pragma once
// --pid-file: the decimal pid, no trailing newline, written atomically
// (temporary file in the same directory, then rename), as runc does.

#include <sys/types.h>

#include <filesystem>

namespace chrunc::runtime {

void write_pid_file(const std::filesystem::path& path, pid_t pid);

}  // namespace chrunc::runtime
