#pragma once
// The spec as the guest agent needs it: host paths replaced by paths under
// the container's one virtiofs share (container_share.hpp), which the agent
// mounts at /run/chrunc/shares/<tag>:
//
//   root.path                   -> /run/chrunc/shares/<tag>/rootfs
//   bind mount i (dir or file)  -> /run/chrunc/shares/<tag>/m<i>
//
// Each bind mount gets its own entry (a file shares that file only; one
// directory mounted ro and rw is two entries, each enforced on the host).
// Bind sources under /dev, /proc and /sys stay as they are: the guest has its
// own. Relative paths are taken from the bundle directory.
//
// Also: namespace paths are dropped (the monitor joined them on the host; the
// guest makes new namespaces of those types), the network namespace entry is
// dropped (the container shares the VM's, where its interfaces are), a
// cgroup namespace and a mount namespace are added when missing (the
// container owns the VM; the agent's own mounts stay out of its reach), and
// createContainer hooks are left to the host (their paths resolve in the
// runtime's namespace, which for ch-runc is the host's; `create` runs them
// after createRuntime).

#include <filesystem>
#include <string>
#include <vector>

#include "agent/transport_names.hpp"
#include "oci/spec.hpp"
#include "runtime/host/container_share.hpp"

namespace chrunc::runtime {

// The virtiofs tag of the container's share; the guest mounts it at
// agent::kContainerShareGuestPath (where a standby's agent mounts it ahead).
inline constexpr const char* kShareTag = agent::kContainerShareTag;

struct GuestSpec {
  oci::Spec spec;                   // rewritten
  std::vector<ShareEntry> entries;  // what <state_dir>/share holds
  std::string tag = kShareTag;
  std::string guest_path;  // agent::kContainerShareGuestPath
};

bool is_bind_mount(const oci::Mount& mount);

// Throws chrunc::Error naming the mount ("mounts[2].source: ...") when a
// bind source does not exist on the host. A non-empty `share_subdir` puts the
// entries one level down in the share (a warm standby's share holds the
// container's in its subdirectory `c`: runtime/pool/standby.hpp).
GuestSpec rewrite_for_guest(const oci::Spec& spec, const std::filesystem::path& bundle,
                            const std::string& share_subdir = "");

}  // namespace chrunc::runtime
