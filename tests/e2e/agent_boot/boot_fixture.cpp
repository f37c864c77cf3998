#include "boot_fixture.hpp"

#include <sys/socket.h>
#include <sys/un.h>
#include <unistd.h>

#include <cstring>
#include <fstream>
#include <sstream>
#include <thread>

#include "common/error.hpp"
#include "host_tsc_khz.hpp"

namespace chrunc::test {

namespace fs = std::filesystem;
using Clock = std::chrono::steady_clock;

namespace {
void wait_for_path(const fs::path& path, ChildProcess& owner, const char* what,
                   std::chrono::milliseconds timeout) {
  auto deadline = Clock::now() + timeout;
  while (!fs::exists(path)) {
    if (!owner.running())
      throw Error(std::string(what) + " exited before creating " + path.string());
    if (Clock::now() > deadline) throw Error(std::string(what) + ": no " + path.string());
    std::this_thread::sleep_for(std::chrono::milliseconds(10));
  }
}

// QEMU binds the socket before it listens: retry while the connection is refused.
UniqueFd connect_unix(const fs::path& path, ChildProcess& owner,
                      std::chrono::milliseconds timeout) {
  auto deadline = Clock::now() + timeout;
  sockaddr_un address{};
  address.sun_family = AF_UNIX;
  std::strncpy(address.sun_path, path.c_str(), sizeof address.sun_path - 1);
  while (true) {
    UniqueFd fd(check_syscall(::socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0), "socket"));
    if (::connect(fd.get(), reinterpret_cast<sockaddr*>(&address), sizeof address) == 0) return fd;
    int err = errno;
    if ((err != ECONNREFUSED && err != ENOENT) || Clock::now() > deadline || !owner.running())
      throw_errno("connect " + path.string(), err);
    std::this_thread::sleep_for(std::chrono::milliseconds(10));
  }
}
}  // namespace

BootedVm::BootedVm() {
  char templ[] = "/tmp/agent-boot-XXXXXX";
  if (!::mkdtemp(templ)) throw_errno("mkdtemp");
  dir_ = templ;
  rootfs_ = std::make_unique<BusyboxRootfs>(dir_ / "rootfs");
  fs::path image = CHRUNC_TEST_IMAGE_DIR;
  auto khz = host_tsc_khz();
  if (!khz) throw Error("cannot find the host's TSC frequency");

  SpawnOptions fsd;
  fsd.argv = {"/usr/lib/qemu/virtiofsd",
              "--socket-path=" + (dir_ / "fs.sock").string(),
              "-o",
              "source=" + rootfs_->path().string(),
              "-o",
              "cache=none"};
  fsd.stderr_file = dir_ / "virtiofsd.log";
  virtiofsd_ = ChildProcess::spawn(fsd);
  wait_for_path(dir_ / "fs.sock", virtiofsd_, "virtiofsd", std::chrono::seconds(10));

  SpawnOptions vm;
  vm.argv = {"qemu-system-x86_64",
             "-M",
             "microvm,x-option-roms=off,rtc=on",
             "-accel",
             "tcg",
             "-cpu",
             "max",
             "-m",
             "256M",
             "-smp",
             "1",
             "-nodefaults",
             "-no-user-config",
             "-no-reboot",
             "-nographic",
             "-global",
             "virtio-mmio.force-legacy=off",
             "-kernel",
             (image / "vmlinux").string(),
             "-initrd",
             (image / "initramfs.cpio").string(),
             "-append",
             "console=ttyS0 quiet panic=-1 tsc_early_khz=" + std::to_string(*khz) +
                 " tsc=reliable chrunc.debug=1",
             "-serial",
             "file:" + (dir_ / "console.log").string(),
             "-device",
             "virtio-serial-device",
             "-chardev",
             "socket,id=agent,path=" + (dir_ / "agent.sock").string() + ",server=on,wait=off",
             "-device",
             "virtserialport,chardev=agent,name=io.containerization.agent",
             "-object",
             "memory-backend-memfd,id=mem,size=256M,share=on",
             "-numa",
             "node,memdev=mem",
             "-chardev",
             "socket,id=fs0,path=" + (dir_ / "fs.sock").string(),
             "-device",
             "vhost-user-fs-device,chardev=fs0,tag=rootfs"};
  vm.stderr_file = dir_ / "qemu.log";
  auto started = Clock::now();
  qemu_ = ChildProcess::spawn(vm);
  wait_for_path(dir_ / "agent.sock", qemu_, "qemu", std::chrono::seconds(10));
  client_ = std::make_unique<agent::AgentClient>(
      connect_unix(dir_ / "agent.sock", qemu_, std::chrono::seconds(10)));
  try {
    client_->wait_ready(std::chrono::seconds(60));
  } catch (const Error& e) {
    throw Error(std::string(e.what()) + "\nconsole:\n" + console());
  }
  boot_to_ready_ = std::chrono::duration_cast<std::chrono::milliseconds>(Clock::now() - started);
}

BootedVm::~BootedVm() {
  client_.reset();
  qemu_.kill_and_wait();
  virtiofsd_.kill_and_wait();
  rootfs_.reset();
  std::error_code ec;
  fs::remove_all(dir_, ec);
}

std::string BootedVm::console() const {
  std::ifstream in(dir_ / "console.log");
  std::stringstream ss;
  ss << in.rdbuf();
  return ss.str();
}

bool BootedVm::wait_qemu_exit(std::chrono::milliseconds timeout) {
  return qemu_.wait_for(timeout).has_value();
}

}  // namespace chrunc::test
