#include "agent/container/security/cgroup_devices.hpp"

#include <fcntl.h>

#include "cgroup_fixture.hpp"

namespace chrunc::container {
namespace {

using test::CgroupTest;
using test::run_in_child;

oci::DeviceCgroupRule rule(bool allow, std::string type, std::optional<int64_t> major,
                           std::optional<int64_t> minor, std::string access) {
  return oci::DeviceCgroupRule{allow, std::move(type), major, minor, std::move(access)};
}

// "ok" or the errno name of opening `path` from inside the cgroup.
std::string try_open(const std::string& root, const std::string& cgroup, const char* path,
                     int flags) {
  auto result = run_in_child([&] {
    Cgroup::open(root, cgroup).add_process(::getpid());
    int fd = ::open(path, flags | O_CLOEXEC);
    if (fd < 0) return std::string(strerrorname_np(errno));
    ::close(fd);
    return std::string("ok");
  });
  return result.output;
}

TEST_F(CgroupTest, DeviceProgramDeniesAllButDefaultsAndRules) {
  if (::access("/dev/kmsg", F_OK) != 0) GTEST_SKIP() << "no /dev/kmsg";
  oci::Resources resources;
  resources.devices = {rule(false, "a", std::nullopt, std::nullopt, "rwm"),
                       rule(true, "c", 1, 11, "r")};  // /dev/kmsg read only
  const std::string path = base_ + "/ctr";
  Cgroup::create(root_, path, resources);
  EXPECT_EQ(try_open(root_, path, "/dev/null", O_RDWR), "ok");
  EXPECT_EQ(try_open(root_, path, "/dev/urandom", O_RDONLY), "ok");
  EXPECT_EQ(try_open(root_, path, "/dev/kmsg", O_RDONLY), "ok");
  EXPECT_EQ(try_open(root_, path, "/dev/kmsg", O_WRONLY), "EPERM");

  // update replaces the program: now /dev/kmsg is denied altogether.
  resources.devices = {rule(false, "a", std::nullopt, std::nullopt, "rwm")};
  Cgroup::open(root_, path).update(resources);
  EXPECT_EQ(try_open(root_, path, "/dev/kmsg", O_RDONLY), "EPERM");
  EXPECT_EQ(try_open(root_, path, "/dev/null", O_RDWR), "ok");
}

TEST_F(CgroupTest, DeviceRulesLastMatchWins) {
  oci::Resources resources;
  resources.devices = {rule(true, "", std::nullopt, std::nullopt, "rwm"),
                       rule(false, "c", 1, 3, "w")};  // /dev/null not writable
  const std::string path = base_ + "/ctr";
  Cgroup::create(root_, path, resources);
  // The default list is appended after the spec's rules and allows /dev/null.
  EXPECT_EQ(try_open(root_, path, "/dev/null", O_WRONLY), "ok");
  resources.devices = {rule(true, "a", std::nullopt, std::nullopt, "rwm"),
                       rule(false, "c", 1, 7, "w")};  // /dev/full not writable
  Cgroup::open(root_, path).update(resources);
  EXPECT_EQ(try_open(root_, path, "/dev/full", O_WRONLY), "ok");  // default list re-allows it
  resources.devices = {rule(true, "a", std::nullopt, std::nullopt, "rwm"),
                       rule(false, "c", 1, 11, "r")};  // /dev/kmsg not readable
  Cgroup::open(root_, path).update(resources);
  EXPECT_EQ(try_open(root_, path, "/dev/kmsg", O_RDONLY), "EPERM");
  EXPECT_EQ(try_open(root_, path, "/dev/zero", O_RDONLY), "ok");
}

TEST(CgroupDevices, AllowLinuxDevices) {
  oci::Resources resources;
  allow_linux_devices(resources, {oci::Device{"c", "/dev/fuse", 10, 229, {}, {}, {}}});
  EXPECT_TRUE(resources.devices.empty());  // no program at all: nothing to add
  resources.devices = {rule(false, "a", std::nullopt, std::nullopt, "rwm")};
  allow_linux_devices(resources, {oci::Device{"c", "/dev/fuse", 10, 229, {}, {}, {}},
                                  oci::Device{"p", "/dev/fifo", 0, 0, {}, {}, {}}});
  ASSERT_EQ(resources.devices.size(), 2u);
  EXPECT_EQ(resources.devices[1], rule(true, "c", 10, 229, "rwm"));
}

TEST_F(CgroupTest, InvalidDeviceRule) {
  oci::Resources resources;
  resources.devices = {rule(true, "x", 1, 3, "rwm")};
  EXPECT_THROW(Cgroup::create(root_, base_ + "/ctr", resources), Error);
}

}  // namespace
}  // namespace chrunc::container
