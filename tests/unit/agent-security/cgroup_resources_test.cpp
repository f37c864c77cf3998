#include "agent/container/security/cgroup_resources.hpp"

#include <gtest/gtest.h>

#include "agent/container/security/cgroup.hpp"
#include "common/error.hpp"

namespace chrunc::container {
namespace {

using Settings = std::vector<CgroupSetting>;

TEST(CgroupResources, Formulas) {
  EXPECT_EQ(cpu_shares_to_weight(2), 1u);
  EXPECT_EQ(cpu_shares_to_weight(1024), 39u);
  EXPECT_EQ(cpu_shares_to_weight(262144), 10000u);
  EXPECT_EQ(blkio_weight_to_io_weight(10), 1u);
  EXPECT_EQ(blkio_weight_to_io_weight(500), 4950u);
  EXPECT_EQ(blkio_weight_to_io_weight(1000), 10000u);
}

TEST(CgroupResources, CpuAndCpuset) {
  oci::Resources r;
  r.cpu = oci::CpuResources{};
  r.cpu->shares = 1024;
  r.cpu->quota = 50000;
  r.cpu->period = 100000;
  r.cpu->cpus = "0-1";
  r.cpu->mems = "0";
  r.cpu->burst = 1000;
  r.cpu->idle = 0;
  EXPECT_EQ(cgroup_v2_settings(r, false), (Settings{{"cpuset.cpus", "0-1"},
                                                    {"cpuset.mems", "0"},
                                                    {"cpu.weight", "39"},
                                                    {"cpu.max", "50000 100000"},
                                                    {"cpu.max.burst", "1000"},
                                                    {"cpu.idle", "0"}}));
  r.cpu = oci::CpuResources{};
  r.cpu->quota = -1;
  EXPECT_EQ(cgroup_v2_settings(r, false), (Settings{{"cpu.max", "max"}}));
  r.cpu->period = 20000;
  EXPECT_EQ(cgroup_v2_settings(r, false), (Settings{{"cpu.max", "max 20000"}}));
  r.cpu = oci::CpuResources{};
  r.cpu->realtime_runtime = 1000;
  EXPECT_THROW(cgroup_v2_settings(r, false), Error);
}

TEST(CgroupResources, MemoryAndSwap) {
  oci::Resources r;
  r.memory = oci::MemoryResources{};
  r.memory->limit = 100 << 20;
  r.memory->swap = 300 << 20;
  r.memory->reservation = 50 << 20;
  r.memory->swappiness = 10;  // no v2 file: ignored
  EXPECT_EQ(cgroup_v2_settings(r, false), (Settings{{"memory.swap.max", std::to_string(200 << 20)},
                                                    {"memory.max", std::to_string(100 << 20)},
                                                    {"memory.low", std::to_string(50 << 20)}}));
  r.memory = oci::MemoryResources{};
  r.memory->limit = -1;
  EXPECT_EQ(cgroup_v2_settings(r, false),
            (Settings{{"memory.swap.max", "max"}, {"memory.max", "max"}}));
  r.memory->limit = 100;
  r.memory->swap = -1;
  EXPECT_EQ(cgroup_v2_settings(r, false),
            (Settings{{"memory.swap.max", "max"}, {"memory.max", "100"}}));
  r.memory->swap = 50;  // memory+swap below memory
  EXPECT_THROW(cgroup_v2_settings(r, false), Error);
  r.memory = oci::MemoryResources{};
  r.memory->swap = 50;  // swap without limit
  EXPECT_THROW(cgroup_v2_settings(r, false), Error);
}

TEST(CgroupResources, PidsIoHugetlbUnified) {
  oci::Resources r;
  r.pids = oci::PidsResources{-1};
  r.block_io = oci::BlockIoResources{};
  r.block_io->weight = 500;
  r.block_io->weight_device = {{8, 0, 100, std::nullopt}};
  r.block_io->throttle_read_bps_device = {{8, 0, 1048576}};
  r.block_io->throttle_write_iops_device = {{8, 16, 0}};
  r.hugepage_limits = {{"2MB", 4194304}};
  r.unified = {{"memory.high", "1G"}, {"cgroup.max.descendants", "4"}};
  EXPECT_EQ(cgroup_v2_settings(r, false), (Settings{{"pids.max", "max"},
                                                    {"io.weight", "default 4950"},
                                                    {"io.weight", "8:0 910"},
                                                    {"io.max", "8:0 rbps=1048576"},
                                                    {"io.max", "8:16 wiops=max"},
                                                    {"hugetlb.2MB.max", "4194304"},
                                                    {"cgroup.max.descendants", "4"},
                                                    {"memory.high", "1G"}}));
  auto bfq = cgroup_v2_settings(r, true);
  EXPECT_EQ(bfq[1], (CgroupSetting{"io.bfq.weight", "default 500"}));
  EXPECT_EQ(bfq[2], (CgroupSetting{"io.bfq.weight", "8:0 100"}));
  r = oci::Resources{};
  r.pids = oci::PidsResources{64};
  EXPECT_EQ(cgroup_v2_settings(r, false), (Settings{{"pids.max", "64"}}));
}

TEST(CgroupResources, RejectsBadUnifiedKeys) {
  for (const char* key : {"../memory.max", "a/memory.max", "memorymax", ".max", ""}) {
    oci::Resources r;
    r.unified = {{key, "1"}};
    EXPECT_THROW(cgroup_v2_settings(r, false), Error) << key;
  }
}

TEST(CgroupResources, ControllerOfFile) {
  EXPECT_EQ(cgroup_controller_of("memory.max"), "memory");
  EXPECT_EQ(cgroup_controller_of("hugetlb.2MB.max"), "hugetlb");
  EXPECT_EQ(cgroup_controller_of("cgroup.max.depth"), "");
}

TEST(CgroupPath, Normalisation) {
  EXPECT_EQ(normalize_cgroups_path("/a/b"), "a/b");
  EXPECT_EQ(normalize_cgroups_path("a//b/"), "a/b");
  EXPECT_EQ(normalize_cgroups_path("system.slice:docker:abc"), "system.slice/docker-abc.scope");
  EXPECT_THROW(normalize_cgroups_path("/a/../b"), Error);
  EXPECT_THROW(normalize_cgroups_path("/"), Error);
}

}  // namespace
}  // namespace chrunc::container
