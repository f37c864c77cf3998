#pragma once
// The names ch-runc recognises in config.json: capabilities, namespaces,
// rlimits, seccomp actions/operators/architectures/flags, hooks, mount
// options, propagation modes. Used by the validator and by `features`.

#include <span>
#include <string_view>

namespace chrunc::oci {

using NameList = std::span<const std::string_view>;

bool contains(NameList list, std::string_view name);

// Linux capabilities up to CAP_CHECKPOINT_RESTORE (40), in number order.
NameList known_capabilities();
bool is_known_capability(std::string_view name);

NameList known_namespaces();     // cgroup ipc mount network pid time user uts
NameList known_rlimits();        // RLIMIT_AS ... RLIMIT_STACK
NameList known_hooks();          // the six hook kinds, in lifecycle order
NameList known_mount_options();  // generic Linux mount flags (not fs-specific data)
NameList known_rootfs_propagations();
NameList known_seccomp_actions();
NameList known_seccomp_operators();
NameList known_seccomp_archs();      // libseccomp 2.5 names
NameList known_seccomp_flags();      // recognised SECCOMP_FILTER_FLAG_*
NameList supported_seccomp_flags();  // those the guest's libseccomp can set
NameList known_scheduler_policies();
NameList known_scheduler_flags();
NameList known_io_priority_classes();

}  // namespace chrunc::oci
