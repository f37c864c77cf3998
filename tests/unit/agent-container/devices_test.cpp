// /dev: default devices and symlinks, /dev/pts and /dev/shm, linux.devices.
#include <gtest/gtest.h>

#include "tests/unit/agent-container/test_support.hpp"

namespace chrunc::container {
namespace {
using test::Bundle;
using test::default_spec;
using test::run_container;

TEST(Devices, DefaultDevicesAndSymlinks) {
  REQUIRE_ROOT();
  Bundle bundle;
  auto result = run_container(default_spec(
      bundle.rootfs(),
      "for d in null zero full random urandom tty; do stat -c '%n %F %t:%T %a' /dev/$d; done;"
      "for l in ptmx fd stdin stdout stderr; do echo /dev/$l '->' $(readlink /dev/$l); done;"
      "grep -c ' /dev/pts ' /proc/self/mountinfo; grep -c ' /dev/shm ' /proc/self/mountinfo;"
      "head -c 4 /dev/zero | wc -c; echo x > /dev/null && echo null-ok"));
  EXPECT_EQ(result.exit_code, 0) << result.err;
  EXPECT_EQ(result.out,
            "/dev/null character special file 1:3 666\n"
            "/dev/zero character special file 1:5 666\n"
            "/dev/full character special file 1:7 666\n"
            "/dev/random character special file 1:8 666\n"
            "/dev/urandom character special file 1:9 666\n"
            "/dev/tty character special file 5:0 666\n"
            "/dev/ptmx -> pts/ptmx\n"
            "/dev/fd -> /proc/self/fd\n"
            "/dev/stdin -> /proc/self/fd/0\n"
            "/dev/stdout -> /proc/self/fd/1\n"
            "/dev/stderr -> /proc/self/fd/2\n"
            "1\n1\n4\nnull-ok\n")
      << result.err;
}

TEST(Devices, PtsAndShmAddedWhenTheSpecHasNone) {
  REQUIRE_ROOT();
  Bundle bundle;
  auto spec =
      default_spec(bundle.rootfs(),
                   "grep -E ' /dev/(pts|shm) ' /proc/self/mountinfo | wc -l; stat -c %a /dev/shm");
  std::erase_if(spec.mounts, [](const oci::Mount& m) {
    return m.destination == "/dev/pts" || m.destination == "/dev/shm";
  });
  auto result = run_container(spec);
  EXPECT_EQ(result.out, "2\n1777\n") << result.err;
}

TEST(Devices, LinuxDevices) {
  REQUIRE_ROOT();
  Bundle bundle;
  auto spec = default_spec(bundle.rootfs(),
                           "stat -c '%n %F %t:%T %a %u:%g' /dev/mynull /dev/sub/myzero /dev/myfifo;"
                           "echo hi > /dev/sub/myzero && echo write-ok");
  spec.linux->devices.push_back({"c", "/dev/mynull", 1, 3, 0600, 1000, 1000});
  spec.linux->devices.push_back({"c", "/dev/sub/myzero", 1, 5, 0640, {}, {}});
  spec.linux->devices.push_back({"p", "/dev/myfifo", 0, 0, 0644, {}, {}});
  auto result = run_container(spec);
  EXPECT_EQ(result.exit_code, 0) << result.err;
  EXPECT_EQ(result.out,
            "/dev/mynull character special file 1:3 600 1000:1000\n"
            "/dev/sub/myzero character special file 1:5 640 0:0\n"
            "/dev/myfifo fifo 0:0 644 0:0\n"
            "write-ok\n")
      << result.err;
}

}  // namespace
}  // namespace chrunc::container
