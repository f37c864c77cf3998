// Runs against the host's real cgroup hierarchy (root needed; skipped otherwise).
#include "runtime/host/host_cgroup.hpp"

#include <gtest/gtest.h>
#include <sys/wait.h>
#include <unistd.h>

#include <csignal>
#include <filesystem>
#include <fstream>

#include "common/error.hpp"

namespace chrunc::runtime {
namespace {

namespace fs = std::filesystem;

std::string read_first_line(const fs::path& p) {
  std::ifstream in(p);
  std::string line;
  std::getline(in, line);
  return line;
}

class HostCgroupTest : public ::testing::Test {
 protected:
  void SetUp() override {
    if (::geteuid() != 0 || !fs::exists("/sys/fs/cgroup"))
      GTEST_SKIP() << "needs root and /sys/fs/cgroup";
    path_ = "/chrunc-unit-test/c" + std::to_string(::getpid());
  }
  void TearDown() override {
    HostCgroup::destroy(path_);
    HostCgroup::destroy("/chrunc-unit-test");
  }
  std::string path_;
};

TEST(CgroupPath, Forms) {
  EXPECT_EQ(cgroup_relative_path("", "abc"), "/abc");
  EXPECT_EQ(cgroup_relative_path("/docker/abc", "abc"), "/docker/abc");
  EXPECT_EQ(cgroup_relative_path("a/b", "x"), "/a/b");
  EXPECT_EQ(cgroup_relative_path("system.slice:docker:abc", "x"), "/system.slice/docker-abc.scope");
  EXPECT_THROW(cgroup_relative_path("/../etc", "x"), Error);
  EXPECT_THROW(cgroup_relative_path("/", "x"), Error);
}

TEST_F(HostCgroupTest, CreateWritesLimitsAndDestroyRemoves) {
  oci::Resources r;
  r.memory.emplace().limit = int64_t{256} << 20;
  r.cpu.emplace();
  r.cpu->shares = 512;
  r.cpu->quota = 50000;
  r.cpu->period = 100000;
  r.pids.emplace().limit = 99;
  std::vector<fs::path> dirs;
  {
    HostCgroup cg = HostCgroup::create(path_, r);
    dirs = cg.directories();
    ASSERT_FALSE(dirs.empty());
    for (const auto& d : dirs) EXPECT_TRUE(fs::is_directory(d)) << d;
    if (!cg.unified()) {
      EXPECT_EQ(read_first_line("/sys/fs/cgroup/memory" + path_ + "/memory.limit_in_bytes"),
                std::to_string(256 << 20));
      EXPECT_EQ(read_first_line("/sys/fs/cgroup/cpu" + path_ + "/cpu.shares"), "512");
      EXPECT_EQ(read_first_line("/sys/fs/cgroup/cpu" + path_ + "/cpu.cfs_quota_us"), "50000");
      EXPECT_EQ(read_first_line("/sys/fs/cgroup/pids" + path_ + "/pids.max"), "99");
    } else {
      EXPECT_EQ(read_first_line("/sys/fs/cgroup" + path_ + "/memory.max"),
                std::to_string(256 << 20));
    }
    // A child process joins, and destroy kills it.
    pid_t child = ::fork();
    if (child == 0) {
      ::pause();
      ::_exit(0);
    }
    cg.add_process(child);
    std::string procs = read_first_line(dirs.front() / "cgroup.procs");
    EXPECT_EQ(procs, std::to_string(child));
    EXPECT_EQ(HostCgroup::pids(path_), std::vector<pid_t>{child});
    EXPECT_TRUE(HostCgroup::pids(path_ + "-absent").empty());
    cg.keep();
    EXPECT_TRUE(HostCgroup::destroy(path_));
    int status = 0;
    ASSERT_EQ(::waitpid(child, &status, 0), child);
    EXPECT_TRUE(WIFSIGNALED(status));
  }
  for (const auto& d : dirs) EXPECT_FALSE(fs::exists(d)) << d;
}

TEST_F(HostCgroupTest, DestructorRemovesUnlessKept) {
  std::vector<fs::path> dirs;
  {
    HostCgroup cg = HostCgroup::create(path_, std::nullopt);
    dirs = cg.directories();
  }
  for (const auto& d : dirs) EXPECT_FALSE(fs::exists(d)) << d;
  {
    HostCgroup cg = HostCgroup::create(path_, std::nullopt);
    cg.keep();
  }
  for (const auto& d : dirs) EXPECT_TRUE(fs::exists(d)) << d;
}

TEST_F(HostCgroupTest, BadValueNamesTheFile) {
  oci::Resources r;
  r.cpu.emplace().cpus = "9999";
  try {
    HostCgroup cg = HostCgroup::create(path_, r);
    if (cg.unified()) GTEST_SKIP();
    FAIL() << "expected an error";
  } catch (const Error& e) {
    EXPECT_NE(std::string(e.what()).find("cpuset.cpus"), std::string::npos) << e.what();
  }
}

// A cgroupsPath naming a cgroup that already holds a process (here a host
// `sleep`) is refused: delete would kill whatever is in the container's cgroup.
TEST_F(HostCgroupTest, PopulatedCgroupIsRefused) {
  HostCgroup owner = HostCgroup::create(path_, std::nullopt);
  pid_t child = ::fork();
  ASSERT_GE(child, 0);
  if (child == 0) {
    ::pause();
    ::_exit(0);
  }
  owner.add_process(child);
  try {
    HostCgroup second = HostCgroup::create(path_, std::nullopt);
    second.keep();
    ADD_FAILURE() << "a populated cgroup was accepted";
  } catch (const Error& e) {
    EXPECT_NE(std::string(e.what()).find("is not empty: 1 process(es)"), std::string::npos)
        << e.what();
  }
  ::kill(child, SIGKILL);
  ::waitpid(child, nullptr, 0);
  // Emptied, the same path is accepted again.
  EXPECT_NO_THROW(HostCgroup::create(path_, std::nullopt).keep());
}

}  // namespace
}  // namespace chrunc::runtime
