#include "runtime/host/host_namespaces.hpp"

#include <fcntl.h>
#include <sys/mount.h>
#include <unistd.h>

#include <string>

#include "common/error.hpp"

namespace chrunc::runtime {
namespace {

int clone_flag(const std::string& type) {
  if (type == "network") return CLONE_NEWNET;
  if (type == "ipc") return CLONE_NEWIPC;
  if (type == "uts") return CLONE_NEWUTS;
  if (type == "mount") return CLONE_NEWNS;
  if (type == "cgroup") return CLONE_NEWCGROUP;
  return 0;
}

void join(const std::string& type, const std::string& path, int flag) {
  UniqueFd fd(::open(path.c_str(), O_RDONLY | O_CLOEXEC));
  if (!fd) throw_errno("linux.namespaces: open " + type + " namespace " + path);
  if (::setns(fd.get(), flag) != 0)
    throw_errno("linux.namespaces: join " + type + " namespace " + path);
}

}  // namespace

PidNamespaceForChild::PidNamespaceForChild(const oci::Spec& spec) {
  if (!spec.linux) return;
  for (const auto& ns : spec.linux->namespaces) {
    if (ns.type != "pid") continue;
    original_ = UniqueFd(::open("/proc/self/ns/pid", O_RDONLY | O_CLOEXEC));
    if (!original_) throw_errno("open /proc/self/ns/pid");
    if (ns.path.empty()) {
      if (::unshare(CLONE_NEWPID) != 0) throw_errno("linux.namespaces: new pid namespace");
    } else {
      join("pid", ns.path, CLONE_NEWPID);
    }
    return;
  }
}

PidNamespaceForChild::~PidNamespaceForChild() {
  if (original_) (void)::setns(original_.get(), CLONE_NEWPID);
}

void enter_monitor_namespaces(const oci::Spec& spec) {
  if (!spec.linux) return;
  int unshare_flags = 0;
  for (const auto& ns : spec.linux->namespaces) {
    int flag = clone_flag(ns.type);
    if (flag == 0) continue;
    if (ns.path.empty()) {
      unshare_flags |= flag;
    } else {
      join(ns.type, ns.path, flag);
    }
  }
  if (unshare_flags != 0 && ::unshare(unshare_flags) != 0) throw_errno("linux.namespaces: unshare");
  if (unshare_flags & CLONE_NEWNS) {
    // Nothing the monitor mounts may reach the host.
    if (::mount(nullptr, "/", nullptr, MS_REC | MS_SLAVE, nullptr) != 0)
      throw_errno("mount --make-rslave /");
    if (owns_new_pid_namespace(spec)) mount_own_proc();
  }
}

bool owns_new_pid_namespace(const oci::Spec& spec) {
  if (!spec.linux || ::getpid() != 1) return false;
  for (const auto& ns : spec.linux->namespaces)
    if (ns.type == "pid") return ns.path.empty();
  return false;
}

void mount_own_proc() {
  if (::mount("proc", "/proc", "proc", MS_NOSUID | MS_NODEV | MS_NOEXEC, nullptr) != 0)
    throw_errno("mount proc on /proc in the monitor's namespaces");
}

}  // namespace chrunc::runtime
