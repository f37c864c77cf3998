#include <gtest/gtest.h>

#include <algorithm>

#include "common/error.hpp"
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

// Our kernel's patched parameters are passed only when the image's kernel
// takes them (its kernel-params file): lapic_timer_hz under TCG only, the
// virtio-mmio queue cap under both accelerators.
TEST(QemuCommandLine, PatchedKernelParametersOnlyWhenTheKernelTakesThem) {
  const std::vector<std::string> ours = {"lapic_timer_hz", "virtio_mmio.queue_size_max"};
  EXPECT_EQ(qemu::kernel_cmdline(false, 2096025, ours, "chrunc.debug=1"),
            "console=ttyS0 quiet panic=-1 pci=off cryptomgr.notests tsc_early_khz=2096025 "
            "tsc=reliable lapic_timer_hz=1000000000 virtio_mmio.queue_size_max=128 chrunc.debug=1");
  EXPECT_EQ(
      qemu::kernel_cmdline(true, 2096025, ours, ""),
      "console=ttyS0 quiet panic=-1 pci=off cryptomgr.notests virtio_mmio.queue_size_max=128");
  EXPECT_EQ(
      qemu::kernel_cmdline(false, std::nullopt, {"virtio_mmio.queue_size_max"}, ""),
      "console=ttyS0 quiet panic=-1 pci=off cryptomgr.notests virtio_mmio.queue_size_max=128");
  EXPECT_EQ(qemu::kernel_cmdline(false, std::nullopt, {}, ""),
            "console=ttyS0 quiet panic=-1 pci=off cryptomgr.notests");
  auto config = sample();
  config.kernel_params = ours;
  auto cmd = qemu::build_command_line("qemu", false, std::nullopt, false, config, {"/q", "/a"});
  EXPECT_TRUE(has_pair(cmd.argv, "-append",
                       "console=ttyS0 quiet panic=-1 pci=off cryptomgr.notests "
                       "lapic_timer_hz=1000000000 virtio_mmio.queue_size_max=128"));
  // Two serial ports (0 and the agent's), not QEMU's default 31.
  EXPECT_TRUE(has_pair(cmd.argv, "-device", "virtio-serial-device,max_ports=2"));
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

// Disks go to QEMU as fd sets of the host's fds, after the NICs' fds: a
// read-only disk has only its O_RDONLY fd and readonly=on.
TEST(QemuCommandLine, DisksAreFdSetsOfTheHostsFds) {
  auto config = sample();
  config.nics = {{"tap0", "", 17}};
  config.disks = {{"chrunc-b0", "/dev/loop3", false, 20, 21},
                  {"chrunc-b1", "/dev/loop4", true, 22, -1}};
  auto cmd = qemu::build_command_line("qemu", false, std::nullopt, false, config, {"/q", "/a"});
  const auto& a = cmd.argv;
  EXPECT_TRUE(has_pair(a, "-add-fd", "fd=4,set=1"));
  EXPECT_TRUE(has_pair(a, "-add-fd", "fd=5,set=1"));
  EXPECT_TRUE(has_pair(a, "-add-fd", "fd=6,set=2"));
  EXPECT_TRUE(has_pair(a, "-drive",
                       "file.driver=host_device,file.filename=/dev/fdset/1,if=none,id=disk0,"
                       "format=raw,cache=none,aio=native"));
  EXPECT_TRUE(has_pair(a, "-drive",
                       "file.driver=host_device,file.filename=/dev/fdset/2,if=none,id=disk1,"
                       "format=raw,cache=none,aio=native,readonly=on"));
  EXPECT_TRUE(has_pair(a, "-device", "virtio-blk-device,drive=disk0,serial=chrunc-b0"));
  EXPECT_TRUE(has_pair(a, "-device", "virtio-blk-device,drive=disk1,serial=chrunc-b1"));
  EXPECT_EQ(std::count(a.begin(), a.end(), "/dev/loop3"), 0) << "QEMU never gets the path";
  ASSERT_EQ(cmd.fds.size(), 4u);
  EXPECT_EQ(cmd.fds[0].parent_fd, 17);
  EXPECT_EQ(cmd.fds[1].parent_fd, 20);
  EXPECT_EQ(cmd.fds[1].child_fd, 4);
  EXPECT_EQ(cmd.fds[2].parent_fd, 21);
  EXPECT_EQ(cmd.fds[3].parent_fd, 22);
  EXPECT_EQ(cmd.fds[3].child_fd, 6);
}

// microvm's 24 virtio-mmio slots: 3 for the VM, the rest for NICs and disks.
TEST(QemuCommandLine, MoreDevicesThanSlotsIsOneClearError) {
  auto config = sample();
  config.filesystems = {{"chrunc", "/s"}};
  config.nics = {{"tap0", "", 17}};
  config.disks.assign(20, {"s", "/dev/loop0", true, 20, -1});
  EXPECT_NO_THROW(qemu::check_virtio_slots(config));
  config.disks.push_back({"s", "/dev/loop0", true, 20, -1});
  try {
    qemu::build_command_line("qemu", false, std::nullopt, false, config, {"/q", "/a"});
    FAIL() << "no error";
  } catch (const Error& e) {
    EXPECT_STREQ(e.what(),
                 "qemu microvm has 24 virtio-mmio slots: the VM itself takes 3, 1 network "
                 "interface(s) and 21 block device(s) leave none for 1 of them");
  }
}

}  // namespace
}  // namespace chrunc::vmm::test
