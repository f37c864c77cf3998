#pragma once
// The child side of Container::create: the intermediate process (joins the
// namespaces given by path, clones the container's init as the caller's
// child with the new namespaces) and the init itself (rootfs, devices,
// hooks, pivot_root, terminal, hostname, sysctls, masked/readonly paths,
// then the process part in process_exec.hpp).

#include <string>

#include "agent/container/child_setup.hpp"
#include "agent/container/sync_channel.hpp"
#include "oci/spec.hpp"

namespace chrunc::container {

struct InitPlan {
  const oci::Spec* spec = nullptr;
  std::string rootfs;  // realpath of root.path
  bool no_pivot = false;
  bool new_user_ns = false;
  std::string cgroup_root;
};

// Runs in the forked intermediate; never returns. Protocol on `channel`:
// receives kGo (its cgroup is set), sends kPid with the init's pid and exits.
[[noreturn]] void run_intermediate(const InitPlan& plan, SyncChannel& channel,
                                   const ChildStdio& stdio);

}  // namespace chrunc::container
