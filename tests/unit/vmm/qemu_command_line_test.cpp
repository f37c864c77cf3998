#include <gtest/gtest.h>

#include <algorithm>

#include "vmm/qemu/command_line.hpp"

namespace chrunc::vmm::test {
namespace {

// The value following `flag` (first occurrence after `from`).
bool has_pair(const std::vector<std::string>& argv, const std::string& flag,
              const std::string& value) {
  for (size_t i = 0; i + 1 < argv.size(); ++i)
    if (argv[i] == flag && argv[i + 1] == value) return true;
  return false;
}

VmConfig sample() {
  VmConfig c;
  c.kernel = "/img/vmlinux";
  c.initramfs = "/img/initramfs.cpio";
  c.vcpus = 2;
  c.memory_mib = 512;
  c.work_dir = "/run/c/x";
  c.console_log = "/run/c/x/console.log";
  return c;
}

TEST(QemuCommandLine, TcgUsesTheMeasuredFlags) {
  auto cmd = qemu::build_command_line("/usr/bin/qemu-system-x86_64", false, 2096025, true, sample(),
                                      {"/run/c/x/qmp.sock", "/run/c/x/agent.sock"});
  const auto& a = cmd.argv;
  EXPECT_EQ(a[0], "/usr/bin/qemu-system-x86_64");
  EXPECT_TRUE(has_pair(a, "-M", "microvm,x-option-roms=off,rtc=on"));
  EXPECT_TRUE(has_pair(a, "-accel", "tcg"));
  EXPECT_TRUE(has_pair(a, "-cpu", "max"));
  EXPECT_TRUE(has_pair(a, "-m", "512M"));
  EXPECT_TRUE(has_pair(a, "-smp", "2"));
  EXPECT_TRUE(has_pair(a, "-global", "virtio-mmio.force-legacy=off"));
  for (const char* flag : {"-nodefaults", "-no-user-config", "-no-reboot"})
    EXPECT_NE(std::find(a.begin(), a.end(), flag), a.end()) << flag;
  EXPECT_EQ(std::find(a.begin(), a.end(), "-daemonize"), a.end());
  EXPECT_TRUE(has_pair(
      a, "-append",
      "console=ttyS0 quiet panic=-1 pci=off cryptomgr.notests tsc_early_khz=2096025 tsc=reliable"));
  EXPECT_TRUE(has_pair(a, "-chardev", "file,id=console,path=/run/c/x/console.log,append=on"));
  EXPECT_TRUE(
      has_pair(a, "-chardev", "socket,id=agent,path=/run/c/x/agent.sock,server=on,wait=off"));
  EXPECT_TRUE(
      has_pair(a, "-device", "virtserialport,chardev=agent,name=io.containerization.agent"));
  EXPECT_TRUE(has_pair(a, "-qmp", "unix:/run/c/x/qmp.sock,server=on,wait=off"));
  EXPECT_FALSE(has_pair(a, "-numa", "node,memdev=mem"));  // no filesystems: no shared memory
  EXPECT_TRUE(cmd.fds.empty());
}

TEST(QemuCommandLine, KvmHasNoTscFlags) {
  auto config = sample();
  config.kernel_cmdline_extra = "agent.log=debug";
  auto cmd = qemu::build_command_line("qemu", true, 2096025, false, config, {"/q", "/a"});
  EXPECT_TRUE(has_pair(cmd.argv, "-accel", "kvm"));
  EXPECT_TRUE(has_pair(cmd.argv, "-cpu", "host"));
  EXPECT_TRUE(has_pair(cmd.argv, "-append",
                       "console=ttyS0 quiet panic=-1 pci=off cryptomgr.notests agent.log=debug"));
  EXPECT_EQ(std::find(cmd.argv.begin(), cmd.argv.end(), "-sandbox"), cmd.argv.end());
}

TEST(QemuCommandLine, TcgTranslationCacheSizeOnlyUnderTcg) {
  auto config = sample();
  config.tcg_tb_mib = 16;
  auto tcg = qemu::build_command_line("qemu", false, std::nullopt, false, config, {"/q", "/a"});
  EXPECT_TRUE(has_pair(tcg.argv, "-accel", "tcg,tb-size=16"));
  auto kvm = qemu::build_command_line("qemu", true, std::nullopt, false, config, {"/q", "/a"});
  EXPECT_TRUE(has_pair(kvm.argv, "-accel", "kvm"));
}

TEST(QemuCommandLine, FilesystemsGetSharedMemoryAndNicsGetTheirFds) {
  auto config = sample();
  config.filesystems = {{"rootfs", "/run/c/x/virtiofs-rootfs.sock"},
                        {"share0", "/run/c/x/virtiofs-share0.sock"}};
  config.nics = {{"tap0", "02:42:ac:11:00:02", 17}, {"tap1", "", 18}};
  auto cmd = qemu::build_command_line("qemu", false, std::nullopt, false, config, {"/q", "/a"});
  const auto& a = cmd.argv;
  EXPECT_TRUE(has_pair(a, "-object", "memory-backend-memfd,id=mem,size=512M,share=on"));
  EXPECT_TRUE(has_pair(a, "-numa", "node,memdev=mem"));
  EXPECT_TRUE(has_pair(a, "-chardev", "socket,id=fs0,path=/run/c/x/virtiofs-rootfs.sock"));
  EXPECT_TRUE(has_pair(a, "-device", "vhost-user-fs-device,chardev=fs0,tag=rootfs"));
  EXPECT_TRUE(has_pair(a, "-device", "vhost-user-fs-device,chardev=fs1,tag=share0"));
  EXPECT_TRUE(has_pair(a, "-netdev", "tap,id=net0,fd=3"));
  EXPECT_TRUE(has_pair(a, "-device", "virtio-net-device,netdev=net0,mac=02:42:ac:11:00:02"));
  EXPECT_TRUE(has_pair(a, "-netdev", "tap,id=net1,fd=4"));
  EXPECT_TRUE(has_pair(a, "-device", "virtio-net-device,netdev=net1"));
  ASSERT_EQ(cmd.fds.size(), 2u);
  EXPECT_EQ(cmd.fds[0].parent_fd, 17);
  EXPECT_EQ(cmd.fds[0].child_fd, 3);
  EXPECT_EQ(cmd.fds[1].child_fd, 4);
  // Unknown TSC: no tsc_early_khz.
  EXPECT_TRUE(has_pair(a, "-append", "console=ttyS0 quiet panic=-1 pci=off cryptomgr.notests"));
}

}  // namespace
}  // namespace chrunc::vmm::test
