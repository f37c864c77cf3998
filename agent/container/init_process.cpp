#include "agent/container/init_process.hpp"

#include <sched.h>
#include <unistd.h>

#include "agent/container/devices.hpp"
#include "agent/container/file_util.hpp"
#include "agent/container/hooks.hpp"
#include "agent/container/masked_paths.hpp"
#include "agent/container/namespaces.hpp"
#include "agent/container/pivot_root.hpp"
#include "agent/container/process_exec.hpp"
#include "agent/container/rootfs.hpp"
#include "agent/container/security/sysctl.hpp"
#include "agent/container/terminal.hpp"
#include "common/error.hpp"

#ifndef CLONE_NEWTIME
#define CLONE_NEWTIME 0x00000080
#endif

namespace chrunc::container {
namespace {

const oci::Linux kNoLinux{};

void become_root_in_user_ns() {
  if (::setresgid(0, 0, 0) != 0) throw_errno("setresgid 0 in the user namespace");
  if (::setresuid(0, 0, 0) != 0) throw_errno("setresuid 0 in the user namespace");
}

void set_names(const oci::Spec& spec, const oci::Linux& linux_spec) {
  bool uts = has_namespace(linux_spec.namespaces, "uts");
  if (!spec.hostname.empty()) {
    if (!uts) throw Error("hostname: needs a private UTS namespace");
    if (::sethostname(spec.hostname.data(), spec.hostname.size()) != 0)
      throw_errno("sethostname " + spec.hostname);
  }
  if (!spec.domainname.empty()) {
    if (!uts) throw Error("domainname: needs a private UTS namespace");
    if (::setdomainname(spec.domainname.data(), spec.domainname.size()) != 0)
      throw_errno("setdomainname " + spec.domainname);
  }
}

// The container's init, as the caller's child in the new namespaces.
void container_init(const InitPlan& plan, SyncChannel& channel) {
  const oci::Spec& spec = *plan.spec;
  const oci::Linux& linux_spec = spec.linux ? *spec.linux : kNoLinux;
  SyncMessage go = channel.expect(SyncType::kGo, "wait for the id mappings");
  const std::string& state = go.payload;
  if (plan.new_user_ns) become_root_in_user_ns();
  if (::setsid() < 0) throw_errno("setsid");
  if (!has_namespace(linux_spec.namespaces, "mount"))
    throw Error("linux.namespaces: a mount namespace is required to set up the rootfs");

  RootfsContext ctx{plan.rootfs, plan.new_user_ns || has_namespace(linux_spec.namespaces, "user"),
                    plan.cgroup_root};
  prepare_rootfs(ctx, linux_spec.rootfs_propagation);
  for (const auto& m : spec.mounts) mount_spec_entry(ctx, m);
  setup_dev(ctx, spec);
  if (spec.process && !spec.process->cwd.empty())
    create_in_root(plan.rootfs, spec.process->cwd, NodeKind::kDirectory);
  if (spec.hooks) run_hooks(spec.hooks->create_container, state, "createContainer");

  if (plan.no_pivot)
    move_root_into(plan.rootfs);
  else
    pivot_into(plan.rootfs);

  if (spec.process && spec.process->terminal) setup_terminal(channel, spec.process->console_size);
  set_names(spec, linux_spec);
  apply_sysctls(linux_spec.sysctl);
  apply_readonly_paths(linux_spec.readonly_paths);
  apply_masked_paths(linux_spec.masked_paths);
  if (spec.root && spec.root->readonly) make_root_readonly();
  // Last: with "runbindable", the binds of masked and read-only paths above
  // would be refused.
  apply_root_propagation(linux_spec.rootfs_propagation);

  if (!spec.process) {
    channel.send(SyncType::kReady);
    SyncMessage start;
    if (!channel.receive(start)) ::_exit(1);
    throw Error("start: the container's config has no process");
  }
  finish_and_exec(*spec.process, linux_spec.personality, linux_spec.seccomp, channel, [&] {
    if (spec.hooks) run_hooks(spec.hooks->start_container, state, "startContainer");
  });
}

}  // namespace

void run_intermediate(const InitPlan& plan, SyncChannel& channel, const ChildStdio& stdio) {
  run_child(channel, [&] {
    reset_child_process(channel, stdio);
    channel.expect(SyncType::kGo, "wait for the cgroup");
    const auto& namespaces = plan.spec->linux ? plan.spec->linux->namespaces : kNoLinux.namespaces;
    join_namespaces(namespaces);
    int flags = new_namespace_flags(namespaces);
    if (flags & CLONE_NEWTIME) {
      // clone() has no room for CLONE_NEWTIME: unshare it for the children.
      enter_new_time_namespace(plan.spec->linux->time_offsets);
      flags &= ~CLONE_NEWTIME;
    }
    pid_t pid = clone_sibling(
        flags, [&]() -> int { run_child(channel, [&] { container_init(plan, channel); }); });
    channel.send(SyncType::kPid, std::to_string(pid));
  });
}

}  // namespace chrunc::container
