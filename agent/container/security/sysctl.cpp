#include "agent/container/security/sysctl.hpp"

#include <algorithm>

#include "agent/container/security/file_io.hpp"
#include "common/error.hpp"

namespace chrunc::container {
namespace {

bool valid_name(const std::string& name) {
  return !name.empty() && name.find('/') == std::string::npos &&
         name.find("..") == std::string::npos && name.front() != '.' && name.back() != '.' &&
         name.find('\0') == std::string::npos;
}

}  // namespace

void apply_sysctls(const std::map<std::string, std::string>& sysctls) {
  for (const auto& [name, value] : sysctls) {
    if (!valid_name(name)) throw Error("invalid sysctl name \"" + name + "\"");
    std::string relative = name;
    std::replace(relative.begin(), relative.end(), '.', '/');
    write_file("/proc/sys/" + relative, value, "sysctl " + name + "=" + value);
  }
}

}  // namespace chrunc::container
