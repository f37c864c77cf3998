#pragma once
// The spec as the guest agent needs it: host paths replaced by guest paths
// under the virtiofs shares the agent mounts at /run/chrunc/shares/<tag>.
//
//   root.path            -> /run/chrunc/shares/rootfs          (tag "rootfs")
//   bind mount of a dir  -> /run/chrunc/shares/<tag>            (its own share)
//   bind mount of a file -> /run/chrunc/shares/<tag>/<name>     (its parent dir shared)
//
// Bind sources under /dev, /proc and /sys stay as they are: the guest has its
// own. Relative paths are taken from the bundle directory. A source shared
// twice (or a file beside another) reuses one share.
//
// Also: namespace paths are dropped (the monitor joined them on the host; the
// guest makes new namespaces of those types), the network namespace entry is
// dropped (the container shares the VM's, where its interfaces are), and createContainer hooks are
// left to the host (their paths resolve in the runtime's namespace, which for
// ch-runc is the host's; `create` runs them after createRuntime).

#include <filesystem>
#include <functional>
#include <string>
#include <vector>

#include "oci/spec.hpp"

namespace chrunc::runtime {

inline constexpr const char* kGuestSharesDir = "/run/chrunc/shares";

struct GuestShare {
  std::string tag;
  std::filesystem::path host_dir;
  std::string guest_path;  // /run/chrunc/shares/<tag>
  bool read_only = false;
};

struct GuestSpec {
  oci::Spec spec;  // rewritten
  std::vector<GuestShare> shares;
};

// acquire(host_dir, read_only, is_rootfs) starts (or reuses) the share of
// host_dir and returns its tag.
using ShareAcquirer = std::function<std::string(const std::filesystem::path&, bool, bool)>;

bool is_bind_mount(const oci::Mount& mount);

// Throws chrunc::Error naming the mount ("mounts[2].source: ...") when a
// bind source does not exist on the host.
GuestSpec rewrite_for_guest(const oci::Spec& spec, const std::filesystem::path& bundle,
                            const ShareAcquirer& acquire);

}  // namespace chrunc::runtime
