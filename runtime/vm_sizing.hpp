#pragma once
// How big a container's VM is.
//
// vCPUs: annotation io.containerization.vm.cpus, else ceil(cpu.quota /
// cpu.period) when both are set, else the number of CPUs in cpu.cpus, else the
// host config's default; always within [1, host CPUs].
//
// Memory (MiB): annotation io.containerization.vm.memory ("512" = MiB,
// "512M", "2G", "268435456B"), else, when the spec sets
// linux.resources.memory.limit L, L minus kVmmOverheadMiB (rounded down to
// 2 MiB, never below kMinGuestMemoryMiB), else the host config's default.
//
// Why L minus an overhead: the VMM and virtiofsd run in the host cgroup at
// cgroupsPath whose memory.limit_in_bytes is exactly L (as runc writes it).
// Guest RAM is memfd memory faulted in by the VMM, so it is charged to that
// cgroup; the VMM's own heap, page tables and (under TCG) translation cache,
// and virtiofsd, need about kVmmOverheadMiB on top. With guest RAM = L -
// overhead the host cgroup never reaches L under normal use, and the container
// (limited to L inside the guest by the guest's own cgroup) cannot push it
// there. Limits under kMinGuestMemoryMiB + overhead cannot be honoured
// exactly: the guest gets kMinGuestMemoryMiB and the host limit stays L.

#include <cstdint>
#include <map>
#include <string>

#include "oci/spec.hpp"

namespace chrunc::runtime {

inline constexpr uint64_t kVmmOverheadMiB = 64;
inline constexpr uint64_t kMinGuestMemoryMiB = 128;
inline constexpr const char* kCpusAnnotation = "io.containerization.vm.cpus";
inline constexpr const char* kMemoryAnnotation = "io.containerization.vm.memory";

struct VmSize {
  unsigned vcpus = 1;
  uint64_t memory_mib = 256;
};

// "512" (MiB), "512M", "512Mi", "2G", "2Gi", "268435456B"; throws naming the annotation.
uint64_t parse_memory_annotation(const std::string& text);

VmSize size_vm(const oci::Spec& spec, unsigned default_vcpus, uint64_t default_memory_mib,
               unsigned host_cpus);

}  // namespace chrunc::runtime
