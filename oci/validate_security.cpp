// Validation of linux.seccomp and linux.sysctl.
#include <sys/stat.h>

#include "oci/known_names.hpp"
#include "oci/validate_parts.hpp"

namespace chrunc::oci::detail {

namespace {

// True when `path` names the namespace this process is in (compared by
// device and inode with /proc/self/ns/<proc_name>). False when either is
// unreadable: joining will then fail with its own error.
bool is_host_namespace(const std::string& path, const char* proc_name) {
  struct stat given {
  }, own{};
  std::string self = std::string("/proc/self/ns/") + proc_name;
  if (::stat(path.c_str(), &given) != 0 || ::stat(self.c_str(), &own) != 0) return false;
  return given.st_dev == own.st_dev && given.st_ino == own.st_ino;
}

bool is_ipc_sysctl(const std::string& name) {
  static constexpr std::string_view kIpc[] = {
      "kernel.msgmax", "kernel.msgmnb", "kernel.msgmni", "kernel.sem",
      "kernel.shmall", "kernel.shmmax", "kernel.shmmni", "kernel.shm_rmid_forced"};
  return contains(kIpc, name) || name.starts_with("fs.mqueue.");
}

}  // namespace

void validate_sysctl(const Spec& spec, Violations& v) {
  for (const auto& [name, value] : spec.linux->sysctl) {
    std::string path = "linux.sysctl." + name;
    if (name.starts_with("net.")) {
      const Namespace* net = find_namespace(spec, "network");
      if (!net) {
        v.add(path, "requires a network namespace");
      } else if (!net->path.empty() && is_host_namespace(net->path, "net")) {
        v.add(path, "not allowed in the host's network namespace");
      }
    } else if (is_ipc_sysctl(name)) {
      if (!find_namespace(spec, "ipc")) v.add(path, "requires an ipc namespace");
    } else if (name == "kernel.hostname") {
      v.add(path, "not allowed: use the \"hostname\" field");
    } else if (name == "kernel.domainname") {
      if (!find_namespace(spec, "uts")) v.add(path, "requires a uts namespace");
    }
    // Other sysctls are not namespaced; they apply to the container's own VM
    // kernel, so they are allowed (runc rejects them).
  }
}

void validate_seccomp(const Seccomp& s, Violations& v) {
  bool notify = false;
  if (!contains(known_seccomp_actions(), s.default_action)) {
    v.add("linux.seccomp.defaultAction", "unknown action " + quoted(s.default_action));
  } else if (s.default_action == "SCMP_ACT_NOTIFY") {
    v.add("linux.seccomp.defaultAction", "SCMP_ACT_NOTIFY cannot be the default action");
  }
  for (size_t i = 0; i < s.architectures.size(); ++i) {
    if (!contains(known_seccomp_archs(), s.architectures[i]))
      v.add(index_path("linux.seccomp.architectures", i),
            "unknown architecture " + quoted(s.architectures[i]));
  }
  for (size_t i = 0; i < s.flags.size(); ++i) {
    if (!contains(known_seccomp_flags(), s.flags[i]))
      v.add(index_path("linux.seccomp.flags", i), "unknown flag " + quoted(s.flags[i]));
  }
  for (size_t i = 0; i < s.syscalls.size(); ++i) {
    const SeccompSyscall& sc = s.syscalls[i];
    std::string base = index_path("linux.seccomp.syscalls", i);
    if (sc.names.empty()) v.add(base + ".names", "must not be empty");
    if (!contains(known_seccomp_actions(), sc.action))
      v.add(base + ".action", "unknown action " + quoted(sc.action));
    notify = notify || sc.action == "SCMP_ACT_NOTIFY";
    for (size_t j = 0; j < sc.args.size(); ++j) {
      std::string arg = index_path(base + ".args", j);
      if (sc.args[j].index > 5) v.add(arg + ".index", "must be between 0 and 5");
      if (!contains(known_seccomp_operators(), sc.args[j].op))
        v.add(arg + ".op", "unknown operator " + quoted(sc.args[j].op));
    }
  }
  if (notify && s.listener_path.empty())
    v.add("linux.seccomp.listenerPath", "required when SCMP_ACT_NOTIFY is used");
  if (!s.listener_path.empty() && s.listener_path.front() != '/')
    v.add("linux.seccomp.listenerPath", "must be an absolute path");
}

}  // namespace chrunc::oci::detail
