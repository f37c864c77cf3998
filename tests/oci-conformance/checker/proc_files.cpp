#include "tests/oci-conformance/checker/proc_files.hpp"

#include <array>
#include <fstream>
#include <sstream>

namespace conformance {

std::optional<std::string> read_file(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  if (!in) return std::nullopt;
  std::ostringstream out;
  out << in.rdbuf();
  return out.str();
}

std::string trim(std::string s) {
  while (!s.empty() && (s.back() == '\n' || s.back() == ' ' || s.back() == '\t')) s.pop_back();
  return s;
}

std::vector<std::string> split(const std::string& s, char sep) {
  std::vector<std::string> parts;
  std::string part;
  std::istringstream in(s);
  while (std::getline(in, part, sep)) parts.push_back(part);
  return parts;
}

std::optional<std::string> status_field(const std::string& name) {
  auto status = read_file("/proc/self/status");
  if (!status) return std::nullopt;
  for (const auto& line : split(*status, '\n')) {
    if (line.rfind(name + ":", 0) == 0) {
      auto value = line.substr(name.size() + 1);
      auto start = value.find_first_not_of(" \t");
      return start == std::string::npos ? "" : trim(value.substr(start));
    }
  }
  return std::nullopt;
}

// mountinfo escapes space, tab, newline and backslash as \ooo.
static std::string unescape(const std::string& s) {
  std::string out;
  for (size_t i = 0; i < s.size(); ++i) {
    if (s[i] == '\\' && i + 3 < s.size()) {
      out.push_back(static_cast<char>(std::stoi(s.substr(i + 1, 3), nullptr, 8)));
      i += 3;
    } else {
      out.push_back(s[i]);
    }
  }
  return out;
}

std::vector<MountInfo> read_mountinfo() {
  std::vector<MountInfo> mounts;
  auto text = read_file("/proc/self/mountinfo");
  if (!text) return mounts;
  for (const auto& line : split(*text, '\n')) {
    auto fields = split(line, ' ');
    if (fields.size() < 10) continue;
    MountInfo m;
    m.root = unescape(fields[3]);
    m.mount_point = unescape(fields[4]);
    m.options = split(fields[5], ',');
    size_t i = 6;
    for (; i < fields.size() && fields[i] != "-"; ++i) m.optional.push_back(fields[i]);
    if (i + 2 >= fields.size()) continue;
    m.fstype = fields[i + 1];
    m.source = unescape(fields[i + 2]);
    if (i + 3 < fields.size()) m.super_options = split(fields[i + 3], ',');
    mounts.push_back(std::move(m));
  }
  return mounts;
}

std::optional<MountInfo> mount_at(const std::vector<MountInfo>& mounts, const std::string& path) {
  std::optional<MountInfo> found;
  for (const auto& m : mounts)
    if (m.mount_point == path) found = m;
  return found;
}

bool has_option(const std::vector<std::string>& options, const std::string& option) {
  for (const auto& o : options)
    if (o == option) return true;
  return false;
}

static constexpr std::array<const char*, 41> kCapabilities = {"CAP_CHOWN",
                                                              "CAP_DAC_OVERRIDE",
                                                              "CAP_DAC_READ_SEARCH",
                                                              "CAP_FOWNER",
                                                              "CAP_FSETID",
                                                              "CAP_KILL",
                                                              "CAP_SETGID",
                                                              "CAP_SETUID",
                                                              "CAP_SETPCAP",
                                                              "CAP_LINUX_IMMUTABLE",
                                                              "CAP_NET_BIND_SERVICE",
                                                              "CAP_NET_BROADCAST",
                                                              "CAP_NET_ADMIN",
                                                              "CAP_NET_RAW",
                                                              "CAP_IPC_LOCK",
                                                              "CAP_IPC_OWNER",
                                                              "CAP_SYS_MODULE",
                                                              "CAP_SYS_RAWIO",
                                                              "CAP_SYS_CHROOT",
                                                              "CAP_SYS_PTRACE",
                                                              "CAP_SYS_PACCT",
                                                              "CAP_SYS_ADMIN",
                                                              "CAP_SYS_BOOT",
                                                              "CAP_SYS_NICE",
                                                              "CAP_SYS_RESOURCE",
                                                              "CAP_SYS_TIME",
                                                              "CAP_SYS_TTY_CONFIG",
                                                              "CAP_MKNOD",
                                                              "CAP_LEASE",
                                                              "CAP_AUDIT_WRITE",
                                                              "CAP_AUDIT_CONTROL",
                                                              "CAP_SETFCAP",
                                                              "CAP_MAC_OVERRIDE",
                                                              "CAP_MAC_ADMIN",
                                                              "CAP_SYSLOG",
                                                              "CAP_WAKE_ALARM",
                                                              "CAP_BLOCK_SUSPEND",
                                                              "CAP_AUDIT_READ",
                                                              "CAP_PERFMON",
                                                              "CAP_BPF",
                                                              "CAP_CHECKPOINT_RESTORE"};

std::optional<int> capability_number(const std::string& name) {
  for (size_t i = 0; i < kCapabilities.size(); ++i)
    if (name == kCapabilities[i]) return static_cast<int>(i);
  return std::nullopt;
}

std::string capability_name(int number) {
  if (number >= 0 && number < static_cast<int>(kCapabilities.size())) return kCapabilities[number];
  return "CAP_" + std::to_string(number);
}

}  // namespace conformance
