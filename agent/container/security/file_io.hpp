#pragma once
// Small helpers for the one-value files of /proc and cgroupfs. Internal to
// agent/container/security; safe in a forked child (no threads).

#include <optional>
#include <string>
#include <string_view>

namespace chrunc::container {

// Writes `content` to the existing file `path` in one write(2). Throws
// "<what>: write <path>: <strerror>".
void write_file(const std::string& path, std::string_view content, std::string_view what);

// Like write_file, but returns the errno (0 on success) instead of throwing.
int try_write_file(const std::string& path, std::string_view content);

// The whole file, or nullopt when it does not exist. Throws on other errors.
std::optional<std::string> read_file(const std::string& path);

}  // namespace chrunc::container
