#include "agent/container/namespaces.hpp"

#include <fcntl.h>
#include <sched.h>
#include <sys/stat.h>

#include <cerrno>
#include <string_view>
#include <utility>

#include "agent/container/file_util.hpp"
#include "common/error.hpp"
#include "common/unique_fd.hpp"

#ifndef CLONE_NEWTIME
#define CLONE_NEWTIME 0x00000080
#endif

namespace chrunc::container {
namespace {

struct NsInfo {
  std::string_view type, proc_name;
  int flag;
};
constexpr NsInfo kNamespaces[] = {
    {"user", "user", CLONE_NEWUSER},  {"cgroup", "cgroup", CLONE_NEWCGROUP},
    {"ipc", "ipc", CLONE_NEWIPC},     {"uts", "uts", CLONE_NEWUTS},
    {"network", "net", CLONE_NEWNET}, {"pid", "pid", CLONE_NEWPID},
    {"time", "time", CLONE_NEWTIME},  {"mount", "mnt", CLONE_NEWNS},
};

const NsInfo& info(const std::string& type) {
  for (const auto& ns : kNamespaces)
    if (ns.type == type) return ns;
  throw Error("unknown namespace type \"" + type + "\"");
}

std::string mapping_text(const std::vector<oci::IdMapping>& mappings) {
  std::string text;
  for (const auto& m : mappings)
    text += std::to_string(m.container_id) + " " + std::to_string(m.host_id) + " " +
            std::to_string(m.size) + "\n";
  return text;
}

bool same_namespace(const std::string& a, const std::string& b) {
  struct stat sa {
  }, sb{};
  if (::stat(a.c_str(), &sa) != 0 || ::stat(b.c_str(), &sb) != 0) return false;
  return sa.st_dev == sb.st_dev && sa.st_ino == sb.st_ino;
}

}  // namespace

int clone_flag(const std::string& type) {
  return info(type).flag;
}
std::string proc_ns_name(const std::string& type) {
  return std::string(info(type).proc_name);
}

int new_namespace_flags(const std::vector<oci::Namespace>& namespaces) {
  int flags = 0;
  for (const auto& ns : namespaces)
    if (ns.path.empty()) flags |= clone_flag(ns.type);
  return flags;
}

bool has_namespace(const std::vector<oci::Namespace>& namespaces, const std::string& type) {
  for (const auto& ns : namespaces)
    if (ns.type == type) return true;
  return false;
}

void join_namespaces(const std::vector<oci::Namespace>& namespaces) {
  // Open them all first: joining one (mount, user) can change what a path means.
  std::vector<std::pair<UniqueFd, std::string>> fds;
  for (const auto& order : kNamespaces) {
    for (const auto& ns : namespaces) {
      if (ns.type != order.type || ns.path.empty()) continue;
      UniqueFd fd(::open(ns.path.c_str(), O_RDONLY | O_CLOEXEC));
      if (!fd) throw_errno("open " + ns.type + " namespace " + ns.path);
      if (same_namespace(ns.path, "/proc/self/ns/" + std::string(order.proc_name))) continue;
      fds.emplace_back(std::move(fd), ns.type + " namespace " + ns.path);
    }
  }
  for (auto& [fd, what] : fds)
    if (::setns(fd.get(), 0) != 0) throw_errno("join " + what);
}

void join_process_namespaces(pid_t pid, const std::vector<std::string>& types) {
  std::vector<oci::Namespace> namespaces;
  for (const auto& type : types) {
    std::string path = "/proc/" + std::to_string(pid) + "/ns/" + proc_ns_name(type);
    struct stat st {};
    if (::stat(path.c_str(), &st) != 0 && errno == ENOENT && type == "time")
      continue;  // kernel without time ns
    namespaces.push_back({type, path});
  }
  join_namespaces(namespaces);
}

void enter_new_time_namespace(const std::map<std::string, oci::TimeOffset>& offsets) {
  if (::unshare(CLONE_NEWTIME) != 0) throw_errno("unshare the time namespace");
  std::string text;
  for (const auto& [clock, offset] : offsets) {
    if (clock != "monotonic" && clock != "boottime")
      throw Error("linux.timeOffsets: unknown clock \"" + clock + "\"");
    text +=
        clock + " " + std::to_string(offset.secs) + " " + std::to_string(offset.nanosecs) + "\n";
  }
  if (!text.empty())
    write_whole_file("/proc/self/timens_offsets", text, "write /proc/self/timens_offsets");
}

void write_id_mappings(pid_t pid, const oci::Linux& linux_spec) {
  std::string base = "/proc/" + std::to_string(pid) + "/";
  if (!linux_spec.uid_mappings.empty())
    write_whole_file(base + "uid_map", mapping_text(linux_spec.uid_mappings), "write uid_map");
  if (!linux_spec.gid_mappings.empty())
    write_whole_file(base + "gid_map", mapping_text(linux_spec.gid_mappings), "write gid_map");
}

}  // namespace chrunc::container
