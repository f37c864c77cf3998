#include "runtime/host/update_limits.hpp"

#include <gtest/gtest.h>

#include "runtime/monitor/vm_sizing.hpp"

namespace chrunc::runtime {
namespace {

constexpr int64_t kMiB = int64_t{1} << 20;

oci::Resources memory(std::optional<int64_t> limit, std::optional<int64_t> swap) {
  oci::Resources r;
  auto& m = r.memory.emplace();
  m.limit = limit;
  m.swap = swap;
  return r;
}

TEST(UpdateLimits, UnderTheFloorTheHostGetsTheFloor) {
  // 256 MiB guest + 64 MiB VMM overhead = 320 MiB; docker update --memory 64m --memory-swap 128m
  HostUpdate h = host_update_for(memory(64 * kMiB, 128 * kMiB), 256);
  EXPECT_EQ(*h.resources.memory->limit, 320 * kMiB);
  EXPECT_EQ(*h.resources.memory->swap, 384 * kMiB);  // the 64 MiB of swap on top
  EXPECT_NE(h.note.find("memory limit 64 MiB is under the VM floor of 320 MiB"), std::string::npos)
      << h.note;
}

TEST(UpdateLimits, AtOrAboveTheFloorPassesThrough) {
  HostUpdate h = host_update_for(memory(320 * kMiB, -1), 256);
  EXPECT_EQ(*h.resources.memory->limit, 320 * kMiB);
  EXPECT_EQ(*h.resources.memory->swap, -1);
  EXPECT_TRUE(h.note.empty());
  h = host_update_for(memory(1024 * kMiB, 2048 * kMiB), 128);
  EXPECT_EQ(*h.resources.memory->limit, 1024 * kMiB);
  EXPECT_EQ(*h.resources.memory->swap, 2048 * kMiB);
  EXPECT_TRUE(h.note.empty());
}

TEST(UpdateLimits, SwapAloneUnderTheFloor) {
  HostUpdate h = host_update_for(memory(std::nullopt, 100 * kMiB), 128);
  EXPECT_FALSE(h.resources.memory->limit.has_value());
  EXPECT_EQ(*h.resources.memory->swap, 192 * kMiB);
  EXPECT_NE(h.note.find("memory+swap limit 100 MiB"), std::string::npos) << h.note;
}

TEST(UpdateLimits, OtherResourcesAndUnlimitedPassThrough) {
  oci::Resources r = memory(-1, -1);
  r.cpu.emplace().quota = 50000;
  r.pids.emplace().limit = 10;
  HostUpdate h = host_update_for(r, 256);
  EXPECT_EQ(h.resources, r);
  EXPECT_TRUE(h.note.empty());
  oci::Resources no_memory;
  no_memory.cpu.emplace().shares = 512;
  EXPECT_EQ(host_update_for(no_memory, 256).resources, no_memory);
}

TEST(UpdateLimits, CreateUnderTheFloorTheHostGetsTheFloor) {
  oci::Spec spec;
  spec.linux.emplace().resources = memory(64 * kMiB, std::nullopt);
  HostUpdate h = host_resources_at_create(spec);
  // the smallest guest, 128 MiB, + 64 MiB for the VMM
  EXPECT_EQ(*h.resources.memory->limit, 192 * kMiB);
  EXPECT_NE(h.note.find("memory limit 64 MiB is under the VM floor of 192 MiB"), std::string::npos)
      << h.note;
}

TEST(UpdateLimits, CreateAtOrAboveTheFloorKeepsTheSpec) {
  oci::Spec spec;
  spec.linux.emplace().resources = memory(512 * kMiB, 1024 * kMiB);
  HostUpdate h = host_resources_at_create(spec);
  EXPECT_EQ(*h.resources.memory->limit, 512 * kMiB);
  EXPECT_EQ(*h.resources.memory->swap, 1024 * kMiB);
  EXPECT_TRUE(h.note.empty());
  EXPECT_TRUE(host_resources_at_create(oci::Spec{}).note.empty());
}

TEST(UpdateLimits, CreateWithAMemoryAnnotationOverTheLimit) {
  // guest RAM set to 1 GiB by annotation, host limit 256 MiB: the VMM would be
  // OOM-killed as the guest touches its RAM; the host gets 1 GiB + 64 MiB
  oci::Spec spec;
  spec.linux.emplace().resources = memory(256 * kMiB, std::nullopt);
  spec.annotations[kMemoryAnnotation] = "1G";
  HostUpdate h = host_resources_at_create(spec);
  EXPECT_EQ(*h.resources.memory->limit, 1088 * kMiB);
  EXPECT_FALSE(h.note.empty());
}

}  // namespace
}  // namespace chrunc::runtime
