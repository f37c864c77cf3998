#include "test_guest.hpp"

#include <unistd.h>

#include <fstream>
#include <mutex>
#include <sstream>

#include "build_config.hpp"
#include "common/child_process.hpp"
#include "common/error.hpp"

namespace chrunc::vmm::test {
namespace {

namespace fs = std::filesystem;

const char* kInit = R"SH(#!/bin/busybox sh
B=/bin/busybox
$B mount -t proc proc /proc
$B mount -t sysfs sys /sys
$B mount -t devtmpfs dev /dev
echo CHRUNC-TEST-MARKER
mode=$($B sed -n 's/.*chrunc_test=\([a-z]*\).*/\1/p' /proc/cmdline)
load() { for m in "$@"; do $B insmod /lib/modules/$m.ko || echo "insmod $m failed"; done; }
idle() { while true; do $B sleep 3600; done; }
case "$mode" in
  poweroff) $B poweroff -f ;;
  agent)
    load virtio_ring virtio virtio_mmio virtio_console
    # The port's name arrives from the host shortly after the driver binds.
    for i in $($B seq 500); do
      for p in /sys/class/virtio-ports/*; do
        [ "$($B cat $p/name 2>/dev/null)" = io.containerization.agent ] && port=/dev/$($B basename $p)
      done
      [ -n "$port" ] && break
      $B usleep 10000
    done
    echo "agent port: $port"
    exec 3<>$port
    echo HELLO-FROM-GUEST >&3
    read line <&3
    echo "GOT: $line"
    idle ;;
  virtiofs)
    load virtio_ring virtio virtio_mmio fuse virtiofs
    $B mount -t virtiofs rootfs /mnt || echo "mount failed"
    echo "READ: $($B cat /mnt/hello.txt)"
    echo written-by-guest > /mnt/from-guest.txt
    $B sync
    $B umount /mnt
    $B poweroff -f ;;
  *) idle ;;
esac
)SH";

std::optional<fs::path> fetch_kernel(std::string* why) {
  fs::path dir = fs::path(build::kBinaryDir) / "test-guest-kernel";
  if (fs::exists(dir / "vmlinux") && fs::exists(dir / "modules")) return dir;
  SpawnOptions options;
  options.argv = {"/bin/bash", fs::path(build::kSourceDir) / "guest" / "fetch-kernel.sh",
                  dir.string()};
  options.inherit_stdio = true;
  int status = ChildProcess::spawn(options).wait();
  if (status != 0 || !fs::exists(dir / "vmlinux")) {
    *why =
        "guest/fetch-kernel.sh " + dir.string() + " failed (exit " + std::to_string(status) + ")";
    return std::nullopt;
  }
  return dir;
}

std::optional<fs::path> build_initramfs(const fs::path& kernel_dir, std::string* why) {
  const fs::path busybox = "/bin/busybox";
  if (!fs::exists(busybox)) {
    *why = "no /bin/busybox (apt-get install busybox-static)";
    return std::nullopt;
  }
  fs::path out_dir = fs::path(build::kBinaryDir) / "test-guest";
  fs::path root = out_dir / ("root." + std::to_string(::getpid()));
  fs::remove_all(root);
  for (const char* d : {"bin", "proc", "sys", "dev", "mnt", "lib/modules"})
    fs::create_directories(root / d);
  fs::copy_file(busybox, root / "bin" / "busybox");
  const fs::path mods = kernel_dir / "modules" / "kernel";
  for (const char* m : {"drivers/virtio/virtio.ko", "drivers/virtio/virtio_ring.ko",
                        "drivers/virtio/virtio_mmio.ko", "drivers/char/virtio_console.ko",
                        "fs/fuse/fuse.ko", "fs/fuse/virtiofs.ko"}) {
    fs::copy_file(mods / m, root / "lib" / "modules" / fs::path(m).filename());
  }
  std::ofstream(root / "init") << kInit;
  fs::permissions(root / "init", fs::perms(0755));
  fs::path tmp = out_dir / ("initramfs.cpio." + std::to_string(::getpid()));
  SpawnOptions options;
  options.argv = {"/bin/sh", "-c", "find . | cpio -o -H newc --quiet > " + tmp.string()};
  options.cwd = root;
  options.inherit_stdio = true;
  int status = ChildProcess::spawn(options).wait();
  fs::remove_all(root);
  if (status != 0) {
    *why = "cpio failed building the test initramfs";
    return std::nullopt;
  }
  fs::path out = out_dir / "initramfs.cpio";
  fs::rename(tmp, out);
  return out;
}

}  // namespace

std::optional<TestGuest> test_guest(std::string* why) {
  static std::mutex mutex;
  static std::optional<TestGuest> guest;
  static std::string reason;
  static bool done = false;
  std::lock_guard lock(mutex);
  if (!done) {
    done = true;
    if (auto kernel_dir = fetch_kernel(&reason)) {
      if (auto initramfs = build_initramfs(*kernel_dir, &reason))
        guest = TestGuest{*kernel_dir / "vmlinux", *initramfs};
    }
  }
  if (!guest && why) *why = reason;
  return guest;
}

bool file_contains(const fs::path& file, const std::string& text) {
  std::ifstream in(file);
  std::stringstream content;
  content << in.rdbuf();
  return content.str().find(text) != std::string::npos;
}

}  // namespace chrunc::vmm::test
