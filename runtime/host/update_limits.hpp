#pragma once
// What `create` and `update` write to the container's host cgroup.
//
// The guest's cgroup gets the resources exactly as asked: that is the
// limit the container's processes see and are held to. The host cgroup at
// cgroupsPath holds the monitor, the VMM and virtiofsd; the VMM's guest RAM
// was fixed when the VM booted (vm_sizing.hpp) and is charged there as the
// guest touches it. A host memory limit under that RAM plus the VMM's own
// overhead (the VM floor) would make the host kernel reclaim or OOM-kill the
// VMM, and cgroup v1 refuses it outright (EBUSY) once the usage is above it.
// So a memory or memory+swap limit under the floor is raised to the floor
// on the host, and create/update say so (a warning); limits at or above the
// floor are written unchanged. Every other resource passes through.

#include <cstdint>
#include <string>

#include "oci/spec.hpp"

namespace chrunc::runtime {

struct HostUpdate {
  oci::Resources resources;  // to write to the host cgroup
  std::string note;          // why it differs from the request; "" when it does not
};

// `vm_memory_mib`: the VM's guest RAM; the floor is that plus kVmmOverheadMiB.
HostUpdate host_update_for(const oci::Resources& asked, uint64_t vm_memory_mib);

// The host cgroup's resources at create: the spec's, with the floor of the
// VM the spec sizes (vm_sizing.hpp) applied when the spec fixes its RAM.
HostUpdate host_resources_at_create(const oci::Spec& spec);

}  // namespace chrunc::runtime
