#pragma once
// The OCI linux.resources (cgroup v1 vocabulary) as cgroup v2 file writes,
// converted the way runc and crun do. Pure: no file is touched here.

#include <string>
#include <vector>

#include "oci/spec.hpp"

namespace chrunc::container {

struct CgroupSetting {
  std::string file;   // "memory.max"
  std::string value;  // "1048576"

  bool operator==(const CgroupSetting&) const = default;
};

// In write order: cpuset, cpu, memory, pids, io, hugetlb, then `unified`
// verbatim (so it can override). `bfq_weight`: the cgroup has io.bfq.weight
// (BFQ takes blkio's 10-1000 weights as they are; io.weight gets them
// converted to 1-10000). linux.resources.devices is not a file in v2 (see
// cgroup_devices.hpp); network (net_cls/net_prio) has no v2 equivalent and is
// ignored, as are the v1-only memory fields (kernel, kernelTCP, swappiness,
// disableOOMKiller). Throws for values v2 cannot express (cpu realtime,
// swap without a memory limit, swap below the memory limit) and for unified
// keys that are not plain file names.
std::vector<CgroupSetting> cgroup_v2_settings(const oci::Resources& resources, bool bfq_weight);

// The controller a cgroup file belongs to ("memory" for "memory.max"), or ""
// for the core files (cgroup.*).
std::string cgroup_controller_of(const std::string& file);

// shares (2-262144) -> cpu.weight (1-10000): 1 + ((shares - 2) * 9999) / 262142.
uint64_t cpu_shares_to_weight(uint64_t shares);

// blkio weight (10-1000) -> io.weight (1-10000): 1 + ((weight - 10) * 9999) / 990.
uint64_t blkio_weight_to_io_weight(uint64_t weight);

}  // namespace chrunc::container
