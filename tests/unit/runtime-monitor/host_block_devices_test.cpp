#include "runtime/host/host_block_devices.hpp"

#include <fcntl.h>
#include <gtest/gtest.h>
#include <stdlib.h>
#include <sys/stat.h>
#include <sys/sysmacros.h>
#include <unistd.h>

#include <fstream>

#include "common/error.hpp"

namespace chrunc::runtime {
namespace {

namespace fs = std::filesystem;

oci::DeviceCgroupRule rule(bool allow, std::string type, std::optional<int64_t> major,
                           std::optional<int64_t> minor, std::string access) {
  return {allow, std::move(type), major, minor, std::move(access)};
}

// The cgroup v1 device controller's order: the last matching rule wins, per
// access letter; no rule leaves everything allowed.
TEST(DeviceCgroupAccess, LastMatchWinsPerLetter) {
  EXPECT_EQ(device_cgroup_access({}, 'b', 7, 3), "rwm");
  std::vector<oci::DeviceCgroupRule> docker = {rule(false, "a", {}, {}, "rwm"),
                                               rule(true, "c", 1, 3, "rwm")};
  EXPECT_EQ(device_cgroup_access(docker, 'b', 7, 3), "");
  docker.push_back(rule(true, "b", 7, 3, "rwm"));
  EXPECT_EQ(device_cgroup_access(docker, 'b', 7, 3), "rwm");
  EXPECT_EQ(device_cgroup_access(docker, 'b', 7, 4), "");
  docker.push_back(rule(false, "b", 7, {}, "w"));
  EXPECT_EQ(device_cgroup_access(docker, 'b', 7, 3), "rm");
  // A char rule does not touch a block device; -1 is a wildcard.
  EXPECT_EQ(device_cgroup_access({rule(false, "c", 7, 3, "w")}, 'b', 7, 3), "rwm");
  EXPECT_EQ(device_cgroup_access({rule(false, "b", -1, -1, "rw")}, 'b', 7, 3), "m");
}

class HostBlockDevicesTest : public ::testing::Test {
 protected:
  void SetUp() override {
    if (::geteuid() != 0) GTEST_SKIP() << "mknod of a block device needs root";
    std::string tmpl = (fs::temp_directory_path() / "chrunc-blk-test.XXXXXX").string();
    dir_ = ::mkdtemp(tmpl.data());
    fs::create_directories(dir_ / "sys/dev/block/240:200");
    fs::create_directories(dir_ / "dev");
    std::ofstream(dir_ / "sys/dev/block/240:200/uevent")
        << "MAJOR=240\nMINOR=200\nDEVNAME=loop200\n";
    ASSERT_EQ(::mknod((dir_ / "dev/loop200").c_str(), S_IFBLK | 0600, makedev(240, 200)), 0);
  }
  void TearDown() override {
    std::error_code ec;
    if (!dir_.empty()) fs::remove_all(dir_, ec);
  }
  fs::path dir_;
};

TEST_F(HostBlockDevicesTest, FindsTheNodeSysfsNames) {
  EXPECT_EQ(find_host_block_node(240, 200, dir_ / "sys", dir_ / "dev"), dir_ / "dev/loop200");
  EXPECT_EQ(find_host_block_node(240, 201, dir_ / "sys", dir_ / "dev"), fs::path());
}

TEST_F(HostBlockDevicesTest, ANodeOfOtherNumbersIsRefused) {
  fs::remove(dir_ / "dev/loop200");
  ASSERT_EQ(::mknod((dir_ / "dev/loop200").c_str(), S_IFBLK | 0600, makedev(240, 201)), 0);
  EXPECT_THROW(find_host_block_node(240, 200, dir_ / "sys", dir_ / "dev"), Error);
  fs::remove(dir_ / "dev/loop200");
  std::ofstream(dir_ / "dev/loop200") << "plain file";
  EXPECT_THROW(find_host_block_node(240, 200, dir_ / "sys", dir_ / "dev"), Error);
  std::ofstream(dir_ / "sys/dev/block/240:200/uevent") << "DEVNAME=../etc/passwd\n";
  EXPECT_THROW(find_host_block_node(240, 200, dir_ / "sys", dir_ / "dev"), Error);
}

// A device the host does not have is left to the guest as the spec gives it;
// one it has but cannot open (no driver behind 240:200 here) is one error naming it.
TEST_F(HostBlockDevicesTest, OpenNamesTheDevice) {
  oci::Spec spec;
  spec.linux.emplace();
  oci::Device missing;
  missing.type = "b";
  missing.path = "/dev/xvdy";
  missing.major = 240;
  missing.minor = 201;
  spec.linux->devices = {missing};
  EXPECT_TRUE(open_host_block_devices(spec, dir_ / "sys", dir_ / "dev").empty());
  oci::Device present = missing;
  present.path = "/dev/xvdz";
  present.minor = 200;
  spec.linux->devices.push_back(present);
  try {
    open_host_block_devices(spec, dir_ / "sys", dir_ / "dev");
    FAIL() << "no error";
  } catch (const Error& e) {
    EXPECT_EQ(std::string(e.what()).rfind("linux.devices /dev/xvdz (block 240:200): open ", 0), 0u)
        << e.what();
  }
}

}  // namespace
}  // namespace chrunc::runtime
