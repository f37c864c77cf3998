#include "agent/container/security/cgroup.hpp"

#include <chrono>
#include <thread>

#include "cgroup_fixture.hpp"

namespace chrunc::container {
namespace {

using test::CgroupTest;
using test::read_text;
using test::words_of;

TEST_F(CgroupTest, CreateWithParentsAddProcessAndRemove) {
  auto cgroup = Cgroup::create(root_, "/" + base_ + "/pod/ctr", std::nullopt);
  EXPECT_EQ(cgroup.path(), root_ + "/" + base_ + "/pod/ctr");
  pid_t pid = spawn_sleeper();
  cgroup.add_process(pid);
  EXPECT_EQ(cgroup.pids(), std::vector<pid_t>{pid});
  EXPECT_NE(read_text("/proc/" + std::to_string(pid) + "/cgroup").find("0::/" + base_ + "/pod/ctr"),
            std::string::npos);
  // Every controller the root offers is enabled down to the leaf.
  EXPECT_EQ(words_of(read_text(cgroup.path() + "/cgroup.controllers")),
            words_of(read_text(root_ + "/cgroup.controllers")));

  auto reopened = Cgroup::open(root_, base_ + "/pod/ctr");
  EXPECT_EQ(reopened.pids(), std::vector<pid_t>{pid});
  reopened.kill_all(SIGKILL);
  EXPECT_TRUE(WIFSIGNALED(reap(pid)));
  EXPECT_TRUE(cgroup.pids().empty());
  cgroup.remove();
  EXPECT_NE(::access(cgroup.path().c_str(), F_OK), 0);
  cgroup.remove();  // idempotent
  EXPECT_THROW(Cgroup::open(root_, base_ + "/pod/ctr"), Error);
}

TEST_F(CgroupTest, MovableAndRemoveTakesSubCgroups) {
  auto cgroup = Cgroup::create(root_, base_ + "/ctr", std::nullopt);
  Cgroup moved = std::move(cgroup);
  ASSERT_EQ(::mkdir((moved.path() + "/nested/deeper").c_str(), 0755), -1);  // parent missing
  ASSERT_EQ(::mkdir((moved.path() + "/nested").c_str(), 0755), 0);
  ASSERT_EQ(::mkdir((moved.path() + "/nested/deeper").c_str(), 0755), 0);
  moved.remove();
  EXPECT_NE(::access(moved.path().c_str(), F_OK), 0);
}

TEST_F(CgroupTest, FreezeAndThaw) {
  auto cgroup = Cgroup::create(root_, base_ + "/ctr", std::nullopt);
  pid_t pid = spawn_sleeper();
  cgroup.add_process(pid);
  cgroup.freeze();
  EXPECT_NE(read_text(cgroup.path() + "/cgroup.events").find("frozen 1"), std::string::npos);
  cgroup.thaw();
  EXPECT_NE(read_text(cgroup.path() + "/cgroup.events").find("frozen 0"), std::string::npos);
  // A frozen cgroup is still killed.
  cgroup.freeze();
  cgroup.kill_all(SIGKILL);
  EXPECT_TRUE(WIFSIGNALED(reap(pid)));
}

TEST_F(CgroupTest, KillAllWithOtherSignals) {
  auto cgroup = Cgroup::create(root_, base_ + "/ctr", std::nullopt);
  pid_t a = spawn_sleeper(), b = spawn_sleeper();
  cgroup.add_process(a);
  cgroup.add_process(b);
  EXPECT_EQ(cgroup.pids().size(), 2u);
  cgroup.kill_all(SIGTERM);
  int sa = reap(a), sb = reap(b);
  EXPECT_TRUE(WIFSIGNALED(sa) && WTERMSIG(sa) == SIGTERM);
  EXPECT_TRUE(WIFSIGNALED(sb) && WTERMSIG(sb) == SIGTERM);
  cgroup.kill_all(SIGKILL);  // empty: returns at once
}

TEST_F(CgroupTest, SignalToPausedCgroupKeepsItFrozen) {
  auto cgroup = Cgroup::create(root_, base_ + "/ctr", std::nullopt);
  pid_t pid = spawn_sleeper();
  cgroup.add_process(pid);
  cgroup.freeze();
  cgroup.kill_all(SIGTERM);
  EXPECT_EQ(read_text(cgroup.path() + "/cgroup.freeze"), "1\n");
  // A fatal signal (default action) ends even a frozen process.
  int status = reap(pid);
  EXPECT_TRUE(WIFSIGNALED(status) && WTERMSIG(status) == SIGTERM);
}

TEST_F(CgroupTest, StatsCountCpu) {
  auto cgroup = Cgroup::create(root_, base_ + "/ctr", std::nullopt);
  pid_t pid = ::fork();
  if (pid == 0) {
    auto end = std::chrono::steady_clock::now() + std::chrono::milliseconds(100);
    while (std::chrono::steady_clock::now() < end) {
    }
    for (;;) ::pause();
  }
  children_.push_back(pid);
  cgroup.add_process(pid);
  std::this_thread::sleep_for(std::chrono::milliseconds(300));
  auto stats = cgroup.stats();
  EXPECT_GT(stats.cpu_usage_usec, 0u);
  EXPECT_GE(stats.cpu_usage_usec, stats.cpu_user_usec);
}

TEST_F(CgroupTest, UnifiedCoreFilesAndUpdate) {
  oci::Resources resources;
  resources.unified = {{"cgroup.max.descendants", "3"}};
  auto cgroup = Cgroup::create(root_, base_ + "/ctr", resources);
  EXPECT_EQ(read_text(cgroup.path() + "/cgroup.max.descendants"), "3\n");
  resources.unified = {{"cgroup.max.depth", "2"}};
  cgroup.update(resources);
  EXPECT_EQ(read_text(cgroup.path() + "/cgroup.max.depth"), "2\n");
  resources.unified = {{"cgroup.no_such_file", "1"}};
  try {
    cgroup.update(resources);
    ADD_FAILURE() << "no error";
  } catch (const Error& e) {
    EXPECT_EQ(std::string(e.what()), "cgroup " + cgroup.path() + ": cgroup.no_such_file=1: write " +
                                         cgroup.path() +
                                         "/cgroup.no_such_file: No such file or directory");
  }
}

TEST_F(CgroupTest, HugetlbLimit) {
  if (!controller_available("hugetlb")) GTEST_SKIP() << "hugetlb controller not in " << root_;
  if (::access("/sys/kernel/mm/hugepages/hugepages-2048kB", F_OK) != 0)
    GTEST_SKIP() << "no 2MB huge pages";
  oci::Resources resources;
  resources.hugepage_limits = {{"2MB", 4 << 20}};
  auto cgroup = Cgroup::create(root_, base_ + "/ctr", resources);
  EXPECT_EQ(read_text(cgroup.path() + "/hugetlb.2MB.max"), std::to_string(4 << 20) + "\n");
  resources.hugepage_limits = {{"2MB", 2 << 20}};
  cgroup.update(resources);
  EXPECT_EQ(read_text(cgroup.path() + "/hugetlb.2MB.max"), std::to_string(2 << 20) + "\n");
}

TEST_F(CgroupTest, MissingControllerIsNamed) {
  if (controller_available("memory")) GTEST_SKIP() << "memory is available here";
  oci::Resources resources;
  resources.memory = oci::MemoryResources{};
  resources.memory->limit = 64 << 20;
  try {
    Cgroup::create(root_, base_ + "/ctr", resources);
    ADD_FAILURE() << "no error";
  } catch (const Error& e) {
    EXPECT_EQ(std::string(e.what()), "cgroup controller \"memory\" is not available in " + root_ +
                                         "/" + base_ + "/ctr (memory.max)");
  }
}

// memory, cpu, pids, io, cpuset limits: only where the cgroup2 hierarchy has
// those controllers (a v2 host, or inside the VM). Not faked here.
TEST_F(CgroupTest, ControllerLimits) {
  for (const char* c : {"memory", "cpu", "pids", "cpuset"})
    if (!controller_available(c))
      GTEST_SKIP() << "controller " << c << " is not in " << root_
                   << "/cgroup.controllers (cgroup v1 hybrid host): memory/cpu/pids/cpuset "
                      "limits are covered by the conversion tests only";
  oci::Resources resources;
  resources.memory = oci::MemoryResources{};
  resources.memory->limit = 64 << 20;
  resources.memory->reservation = 32 << 20;
  resources.cpu = oci::CpuResources{};
  resources.cpu->shares = 1024;
  resources.cpu->quota = 50000;
  resources.cpu->period = 100000;
  resources.cpu->cpus = "0";
  resources.pids = oci::PidsResources{32};
  auto cgroup = Cgroup::create(root_, base_ + "/ctr", resources);
  EXPECT_EQ(read_text(cgroup.path() + "/memory.max"), std::to_string(64 << 20) + "\n");
  EXPECT_EQ(read_text(cgroup.path() + "/memory.low"), std::to_string(32 << 20) + "\n");
  EXPECT_EQ(read_text(cgroup.path() + "/cpu.weight"), "39\n");
  EXPECT_EQ(read_text(cgroup.path() + "/cpu.max"), "50000 100000\n");
  EXPECT_EQ(read_text(cgroup.path() + "/cpuset.cpus"), "0\n");
  EXPECT_EQ(read_text(cgroup.path() + "/pids.max"), "32\n");
  auto stats = cgroup.stats();
  EXPECT_EQ(stats.memory_limit_bytes, uint64_t{64 << 20});
  EXPECT_EQ(stats.pids_limit, 32u);
}

TEST_F(CgroupTest, Errors) {
  EXPECT_THROW(Cgroup::create("/tmp", "x", std::nullopt), Error);
  EXPECT_THROW(Cgroup::create(root_, "../x", std::nullopt), Error);
  EXPECT_THROW(Cgroup::open(root_, base_ + "/missing"), Error);
}

}  // namespace
}  // namespace chrunc::container
