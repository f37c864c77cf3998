#pragma once
// Shared by the validator's files. Internal to oci/.

#include <string>
#include <string_view>
#include <vector>

#include "oci/spec.hpp"

namespace chrunc::oci::detail {

struct Violations {
  std::vector<std::string> list;
  void add(const std::string& path, std::string_view rule) {
    list.push_back(path + ": " + std::string(rule));
  }
};

inline bool is_absolute(std::string_view path) {
  return !path.empty() && path.front() == '/';
}
inline std::string quoted(std::string_view s) {
  return "\"" + std::string(s) + "\"";
}
inline std::string index_path(const std::string& base, size_t i) {
  return base + "[" + std::to_string(i) + "]";
}

// The namespace of `type` listed in the spec, or nullptr.
const Namespace* find_namespace(const Spec& spec, std::string_view type);

void validate_process(const Process& process, Violations& v);
void validate_linux(const Spec& spec, Violations& v);
void validate_seccomp(const Seccomp& seccomp, Violations& v);
void validate_sysctl(const Spec& spec, Violations& v);

}  // namespace chrunc::oci::detail
