#pragma once
// Readers for the files the checker inspects: /proc/self/status fields,
// /proc/self/mountinfo entries, capability names.

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

namespace conformance {

// The whole file, or nullopt when it cannot be opened.
std::optional<std::string> read_file(const std::string& path);
// Without trailing whitespace.
std::string trim(std::string s);
std::vector<std::string> split(const std::string& s, char sep);

// The value of "Name:\tvalue" in /proc/self/status (trimmed), or nullopt.
std::optional<std::string> status_field(const std::string& name);

struct MountInfo {
  std::string mount_point;
  std::string root;                   // the source's root within its filesystem
  std::vector<std::string> options;   // per-mount options (ro, nosuid, ...)
  std::vector<std::string> optional;  // shared:N master:N propagate_from:N unbindable
  std::string fstype;
  std::string source;
  std::vector<std::string> super_options;
};

std::vector<MountInfo> read_mountinfo();
// The last (topmost) mount at exactly `path`, or nullopt.
std::optional<MountInfo> mount_at(const std::vector<MountInfo>& mounts, const std::string& path);
bool has_option(const std::vector<std::string>& options, const std::string& option);

// "CAP_CHOWN" -> 0; nullopt when unknown.
std::optional<int> capability_number(const std::string& name);
std::string capability_name(int number);

}  // namespace conformance
