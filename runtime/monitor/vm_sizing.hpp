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
// 2 MiB) but at least kMinGuestMemoryMiB, else the host config's default. A
// limit below the VM floor (guest RAM + kVmmOverheadMiB) is held inside the
// guest as asked; on the host the cgroup gets the floor (update_limits.hpp).
//
// Why L minus an overhead: the VMM and virtiofsd run in the host cgroup at
// cgroupsPath whose memory.limit_in_bytes is exactly L (as runc writes it).
// Guest RAM is memfd memory faulted in by the VMM, so it is charged to that
// cgroup; the VMM's own heap, page tables and (under TCG) translation cache,
// and virtiofsd, need about kVmmOverheadMiB on top. With guest RAM = L -
// overhead the host cgroup never reaches L under normal use, and the container
// (limited to L inside the guest by the guest's own cgroup) cannot push it
// there. Under TCG, QEMU's translation cache alone would take about 55 MiB
// more than the overhead (its default size is large and it fills as code is
// translated), so a limited VM gets a kLimitedTcgTbMiB cache (measured: QEMU's
// anonymous memory about 89 MiB by default, 34 MiB with tb-size=16, no slower
// boot). The whole relation is in docs/resources.md.

#include <cstdint>
#include <map>
#include <optional>
#include <string>

#include "oci/spec.hpp"

namespace chrunc::runtime {

inline constexpr uint64_t kVmmOverheadMiB = 64;
inline constexpr uint64_t kMinGuestMemoryMiB = 128;
inline constexpr uint64_t kMemoryLimitFloorMiB = kMinGuestMemoryMiB + kVmmOverheadMiB;
inline constexpr uint64_t kLimitedTcgTbMiB = 16;
inline constexpr const char* kCpusAnnotation = "io.containerization.vm.cpus";
inline constexpr const char* kMemoryAnnotation = "io.containerization.vm.memory";

struct VmSize {
  unsigned vcpus = 1;
  uint64_t memory_mib = 256;
  uint64_t tcg_tb_mib = 0;  // QEMU TCG translation cache; 0: QEMU's default
};

// linux.resources.memory.limit in bytes when set and positive (the limit the
// VMM's host cgroup gets).
std::optional<uint64_t> spec_memory_limit_bytes(const oci::Spec& spec);

// The guest RAM the spec itself fixes (MiB): the memory annotation, else the
// memory limit minus the VMM's overhead (at least kMinGuestMemoryMiB); nullopt
// when neither is set (the host config's default applies then).
std::optional<uint64_t> spec_vm_memory_mib(const oci::Spec& spec);

// "512" (MiB), "512M", "512Mi", "2G", "2Gi", "268435456B"; throws naming the annotation.
uint64_t parse_memory_annotation(const std::string& text);

VmSize size_vm(const oci::Spec& spec, unsigned default_vcpus, uint64_t default_memory_mib,
               unsigned host_cpus);

// The number of CPUs in a cpuset list such as "0-3,6" (overlaps counted
// once); throws naming linux.resources.cpu.cpus when it is not such a list.
unsigned count_cpus(const std::string& list);

// The cpuset of the container's cgroup in the guest. linux.resources.cpu.cpus
// names host CPUs: the host cgroup at cgroupsPath gets it exactly (as runc
// writes it), so the VMM's vCPU threads run on those CPUs only. The guest
// has CPUs 0..vcpus-1, and a host CPU number means nothing there ("1" on a
// one-vCPU VM is out of range), so the guest's cpuset is the spec's set
// renumbered densely: its k-th CPU becomes guest CPU k, and those past the
// VM's last vCPU are dropped. The container keeps as many CPUs as it asked
// for, up to the VM's size: "1" -> "0", "2,5" -> "0-1", "0-3" on a 2-vCPU VM
// (a quota sized it) -> "0-1". A guest has one memory node, so any
// cpuset.mems becomes "0" there. docs/resources.md.
std::string guest_cpu_list(const std::string& spec_cpus, unsigned vcpus);
void fit_cpuset_to_vm(oci::CpuResources& cpu, unsigned vcpus);
// The same on the guest's spec (no resources: nothing to do).
void fit_cpuset_to_vm(oci::Spec& guest_spec, unsigned vcpus);

}  // namespace chrunc::runtime
