#include "runtime/host/update_limits.hpp"

#include <algorithm>

#include "runtime/monitor/vm_sizing.hpp"

namespace chrunc::runtime {
namespace {

std::string mib(int64_t bytes) {
  return std::to_string(bytes >> 20) + " MiB";
}

}  // namespace

HostUpdate host_update_for(const oci::Resources& asked, uint64_t vm_memory_mib) {
  HostUpdate out{asked, ""};
  if (!out.resources.memory) return out;
  auto& m = *out.resources.memory;
  const int64_t floor = static_cast<int64_t>((vm_memory_mib + kVmmOverheadMiB) << 20);
  const std::string why = " is under the VM floor of " + mib(floor) + " (" +
                          std::to_string(vm_memory_mib) + " MiB guest RAM + " +
                          std::to_string(kVmmOverheadMiB) +
                          " MiB for the VMM): the container is held to it inside its VM, the "
                          "host cgroup gets " +
                          mib(floor);
  if (m.limit && *m.limit > 0 && *m.limit < floor) {
    out.note = "memory limit " + mib(*m.limit) + why;
    // memory+swap keeps the swap allowance asked for on top of the new limit
    if (m.swap && *m.swap > 0) m.swap = floor + std::max<int64_t>(0, *m.swap - *m.limit);
    m.limit = floor;
  } else if (m.swap && *m.swap > 0 && *m.swap < floor) {
    out.note = "memory+swap limit " + mib(*m.swap) + why;
    m.swap = floor;
  }
  return out;
}

HostUpdate host_resources_at_create(const oci::Spec& spec) {
  if (!spec.linux || !spec.linux->resources) return {};
  std::optional<uint64_t> vm_memory = spec_vm_memory_mib(spec);
  if (!vm_memory) return {*spec.linux->resources, ""};
  return host_update_for(*spec.linux->resources, *vm_memory);
}

}  // namespace chrunc::runtime
