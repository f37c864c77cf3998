#pragma once
// linux.sysctl: written to /proc/sys inside the container's namespaces.

#include <map>
#include <string>

namespace chrunc::container {

// Writes each value to /proc/sys/<name with dots as slashes>. Throws
// `invalid sysctl name "a/../b"` for names that are empty, contain `/`, `..`,
// or begin or end with a dot, and
// `sysctl net.ipv4.ip_forward=1: write /proc/sys/net/ipv4/ip_forward: <strerror>`.
void apply_sysctls(const std::map<std::string, std::string>& sysctls);

}  // namespace chrunc::container
