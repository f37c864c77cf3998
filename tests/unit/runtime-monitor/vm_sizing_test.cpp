#include "runtime/monitor/vm_sizing.hpp"

#include <gtest/gtest.h>

#include "common/error.hpp"

namespace chrunc::runtime {
namespace {

oci::Spec with_resources(oci::Resources r) {
  oci::Spec spec;
  spec.linux.emplace().resources = std::move(r);
  return spec;
}

TEST(VmSizing, DefaultsFromHostConfig) {
  VmSize s = size_vm(oci::Spec{}, 1, 256, 2);
  EXPECT_EQ(s.vcpus, 1u);
  EXPECT_EQ(s.memory_mib, 256u);
}

TEST(VmSizing, CpuQuotaRoundsUpAndIsCappedByHost) {
  oci::Resources r;
  r.cpu.emplace();
  r.cpu->quota = 150000;
  r.cpu->period = 100000;
  EXPECT_EQ(size_vm(with_resources(r), 1, 256, 4).vcpus, 2u);
  r.cpu->quota = 800000;
  EXPECT_EQ(size_vm(with_resources(r), 1, 256, 2).vcpus, 2u);
}

TEST(VmSizing, CpusetCountsCpus) {
  oci::Resources r;
  r.cpu.emplace().cpus = "0-2,5";
  EXPECT_EQ(size_vm(with_resources(r), 1, 256, 8).vcpus, 4u);
}

TEST(VmSizing, CpusetListsAreParsedStrictly) {
  EXPECT_EQ(count_cpus("0-3,6"), 5u);
  EXPECT_EQ(count_cpus("1"), 1u);
  EXPECT_EQ(count_cpus("0-3,2-5"), 6u);  // overlaps once
  EXPECT_EQ(count_cpus("0-1\n"), 2u);    // as read from a cgroup file
  for (const char* bad : {"", "a", "1-", "-1", "3-1", "0,,1", "1;2", "0-99999999"})
    EXPECT_THROW(count_cpus(bad), Error) << bad;
  try {
    count_cpus("x");
  } catch (const Error& e) {
    EXPECT_NE(std::string(e.what()).find("linux.resources.cpu.cpus"), std::string::npos);
  }
}

// Host CPU numbers renumbered densely onto the VM's CPUs, at most all of them.
TEST(VmSizing, TheGuestCpusetNamesTheVmsCpus) {
  EXPECT_EQ(guest_cpu_list("1", 1), "0");
  EXPECT_EQ(guest_cpu_list("0-1", 1), "0");
  EXPECT_EQ(guest_cpu_list("0-1", 2), "0-1");
  EXPECT_EQ(guest_cpu_list("2,5", 4), "0-1");
  EXPECT_EQ(guest_cpu_list("4-7", 8), "0-3");
  EXPECT_EQ(guest_cpu_list("0-7", 2), "0-1");

  oci::Spec spec;
  fit_cpuset_to_vm(spec, 2);  // nothing to fit
  EXPECT_FALSE(spec.linux);
  oci::Resources r;
  r.cpu.emplace().cpus = "3";
  r.cpu->mems = "1";
  r.cpu->shares = 512;
  spec = with_resources(r);
  fit_cpuset_to_vm(spec, size_vm(spec, 1, 256, 8).vcpus);
  EXPECT_EQ(spec.linux->resources->cpu->cpus, "0");
  EXPECT_EQ(spec.linux->resources->cpu->mems, "0");  // one memory node in the VM
  EXPECT_EQ(spec.linux->resources->cpu->shares, 512u);
  oci::CpuResources none;
  fit_cpuset_to_vm(none, 2);
  EXPECT_EQ(none, oci::CpuResources{});
}

TEST(VmSizing, MemoryLimitLeavesRoomForTheVmm) {
  oci::Resources r;
  r.memory.emplace().limit = int64_t{512} << 20;
  VmSize s = size_vm(with_resources(r), 1, 256, 2);
  EXPECT_EQ(s.memory_mib, 512u - kVmmOverheadMiB);
  EXPECT_EQ(s.tcg_tb_mib, kLimitedTcgTbMiB);
  r.memory->limit = int64_t{kMemoryLimitFloorMiB} << 20;  // exactly the floor
  EXPECT_EQ(size_vm(with_resources(r), 1, 256, 2).memory_mib, kMinGuestMemoryMiB);
  EXPECT_EQ(size_vm(oci::Spec{}, 1, 256, 2).tcg_tb_mib, 0u);  // unlimited: QEMU's default
}

TEST(VmSizing, MemoryLimitBelowTheFloorGetsTheSmallestGuest) {
  oci::Resources r;
  r.memory.emplace().limit = int64_t{64} << 20;  // docker run -m 64m
  VmSize s = size_vm(with_resources(r), 1, 256, 2);
  EXPECT_EQ(s.memory_mib, kMinGuestMemoryMiB);
  EXPECT_EQ(s.tcg_tb_mib, kLimitedTcgTbMiB);
  EXPECT_EQ(spec_vm_memory_mib(with_resources(r)), kMinGuestMemoryMiB);
  EXPECT_EQ(spec_vm_memory_mib(oci::Spec{}), std::nullopt);  // the host config decides
}

TEST(VmSizing, AnnotationsWin) {
  oci::Resources r;
  r.memory.emplace().limit = int64_t{512} << 20;
  oci::Spec spec = with_resources(r);
  spec.annotations[kCpusAnnotation] = "2";
  spec.annotations[kMemoryAnnotation] = "1G";
  VmSize s = size_vm(spec, 1, 256, 4);
  EXPECT_EQ(s.vcpus, 2u);
  EXPECT_EQ(s.memory_mib, 1024u);
}

TEST(VmSizing, MemoryAnnotationUnits) {
  EXPECT_EQ(parse_memory_annotation("384"), 384u);
  EXPECT_EQ(parse_memory_annotation("384M"), 384u);
  EXPECT_EQ(parse_memory_annotation("2Gi"), 2048u);
  EXPECT_EQ(parse_memory_annotation("268435456B"), 256u);
  EXPECT_THROW(parse_memory_annotation("lots"), Error);
  EXPECT_THROW(parse_memory_annotation("12"), Error);
  EXPECT_THROW(parse_memory_annotation("5T"), Error);
}

TEST(VmSizing, BadCpuAnnotationIsAnError) {
  oci::Spec spec;
  spec.annotations[kCpusAnnotation] = "two";
  EXPECT_THROW(size_vm(spec, 1, 256, 2), Error);
  spec.annotations[kCpusAnnotation] = "0";
  EXPECT_THROW(size_vm(spec, 1, 256, 2), Error);
}

}  // namespace
}  // namespace chrunc::runtime
