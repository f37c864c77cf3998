// The QEMU backend booting a real kernel (TCG on hosts without /dev/kvm).
#include <gtest/gtest.h>
#include <poll.h>
#include <signal.h>
#include <sys/socket.h>
#include <unistd.h>

#include <fstream>
#include <thread>

#include "common/error.hpp"
#include "test_dir.hpp"
#include "test_guest.hpp"
#include "vmm/backend_choice.hpp"
#include "vmm/host_config.hpp"
#include "vmm/qemu/qemu_hypervisor.hpp"
#include "vmm/virtiofsd.hpp"

namespace chrunc::vmm::test {
namespace {

namespace fs = std::filesystem;
using namespace std::chrono_literals;

bool process_exists(pid_t pid) {
  return pid > 0 && ::kill(pid, 0) == 0;
}

// Polls until `file` contains `text`; false at the deadline.
bool wait_for_text(const fs::path& file, const std::string& text,
                   std::chrono::milliseconds timeout) {
  auto deadline = std::chrono::steady_clock::now() + timeout;
  while (std::chrono::steady_clock::now() < deadline) {
    if (file_contains(file, text)) return true;
    std::this_thread::sleep_for(10ms);
  }
  return false;
}

std::string read_line(int fd, std::chrono::milliseconds timeout) {
  std::string line;
  auto deadline = std::chrono::steady_clock::now() + timeout;
  while (std::chrono::steady_clock::now() < deadline) {
    pollfd p{fd, POLLIN, 0};
    if (::poll(&p, 1, 100) <= 0) continue;
    char c;
    if (::read(fd, &c, 1) != 1) break;
    if (c == '\n') return line;
    line += c;
  }
  return line + "<timeout>";
}

class QemuBootTest : public ::testing::Test {
 protected:
  void SetUp() override {
    if (find_executable("qemu-system-x86_64").empty())
      GTEST_SKIP() << "qemu-system-x86_64 not installed";
    std::string why;
    auto guest = test_guest(&why);
    if (!guest) GTEST_SKIP() << "no test guest: " << why;
    guest_ = *guest;
    settings_.binary = find_executable("qemu-system-x86_64");
    // TCG: a /dev/kvm that opens is no proof that KVM runs a guest (see
    // vmm/kvm_verdict.hpp); ch-runc's own choice is tested in e2e_kvm_probe.
    settings_.kvm = false;
    settings_.start_timeout = 20s;
  }

  VmConfig config(const std::string& mode) {
    VmConfig c;
    c.kernel = guest_.kernel;
    c.initramfs = guest_.initramfs;
    c.kernel_cmdline_extra = "chrunc_test=" + mode;
    c.work_dir = dir_.path();
    c.console_log = dir_.path() / "console.log";
    return c;
  }

  TestGuest guest_;
  TestDir dir_;
  qemu::QemuSettings settings_;
};

TEST_F(QemuBootTest, BootsToTheMarkerAndExitsWhenTheGuestPowersOff) {
  qemu::QemuHypervisor vm(settings_);
  auto start = std::chrono::steady_clock::now();
  vm.boot(config("poweroff"));
  EXPECT_GT(vm.pid(), 0);
  ASSERT_TRUE(wait_for_text(dir_.path() / "console.log", kGuestMarker, 120s))
      << "console: " << dir_.path();
  auto boot_ms = std::chrono::duration_cast<std::chrono::milliseconds>(
      std::chrono::steady_clock::now() - start);
  std::cout << "[ BOOT TIME ] " << vm.name()
            << ": QEMU start to the guest's first init line: " << boot_ms.count() << " ms"
            << std::endl;
  RecordProperty("boot_ms", static_cast<int>(boot_ms.count()));
  pid_t pid = vm.pid();
  auto deadline = std::chrono::steady_clock::now() + 60s;
  while (vm.alive() && std::chrono::steady_clock::now() < deadline)
    std::this_thread::sleep_for(20ms);
  EXPECT_FALSE(vm.alive()) << "QEMU did not exit after the guest powered off";
  EXPECT_EQ(vm.pid(), 0);
  EXPECT_FALSE(process_exists(pid));
  EXPECT_EQ(vm.info().state, "Shutdown");
  vm.shutdown(1s);
  EXPECT_FALSE(fs::exists(dir_.path() / "qmp.sock"));
  EXPECT_FALSE(fs::exists(dir_.path() / "agent.sock"));
}

TEST_F(QemuBootTest, AgentPortQmpControlAndShutdown) {
  qemu::QemuHypervisor vm(settings_);
  vm.boot(config("agent"));
  for (const char* s : {"qmp.sock", "agent.sock"}) {
    EXPECT_EQ(fs::status(dir_.path() / s).permissions() & fs::perms(0177), fs::perms::none) << s;
  }
  UniqueFd agent = vm.connect_agent(30s);
  ASSERT_TRUE(agent);
  EXPECT_EQ(read_line(agent.get(), 120s), "HELLO-FROM-GUEST");
  ASSERT_EQ(::send(agent.get(), "ping\n", 5, MSG_NOSIGNAL), 5);
  EXPECT_TRUE(wait_for_text(dir_.path() / "console.log", "GOT: ping", 30s));

  EXPECT_EQ(vm.info().state, "Running");
  vm.pause();
  EXPECT_EQ(vm.qmp().query_status(), "paused");
  EXPECT_EQ(vm.info().state, "Paused");
  vm.resume();
  EXPECT_EQ(vm.info().state, "Running");
  EXPECT_EQ(vm.info().memory_mib, 256u);

  pid_t pid = vm.pid();
  auto start = std::chrono::steady_clock::now();
  vm.shutdown(3s);
  // A hang guard (10x the 3 s grace), not a speed test: how long a stop takes
  // is measured by bench/ (lifecycle.py's run and delete --force rows).
  EXPECT_LT(std::chrono::steady_clock::now() - start, 30s);
  EXPECT_FALSE(vm.alive());
  EXPECT_EQ(vm.pid(), 0);
  EXPECT_FALSE(process_exists(pid));
  EXPECT_FALSE(fs::exists(dir_.path() / "qmp.sock"));
  EXPECT_FALSE(fs::exists(dir_.path() / "agent.sock"));
  vm.shutdown(1s);  // idempotent
  EXPECT_THROW(vm.pause(), Error);
}

TEST_F(QemuBootTest, VirtiofsRootfsReadAndWrittenByTheGuest) {
  VirtiofsOptions options;
  options.binary = HostConfig{}.virtiofsd_binary;
  if (find_executable(options.binary).empty())
    GTEST_SKIP() << "virtiofsd not found at " << options.binary;
  fs::path shared = dir_.path() / "rootfs";
  fs::create_directories(shared);
  std::ofstream(shared / "hello.txt") << "hello-from-host\n";
  VirtiofsDaemon daemon =
      VirtiofsDaemon::start(shared, dir_.path() / "virtiofs-rootfs.sock", false, options);
  VmConfig c = config("virtiofs");
  c.filesystems = {{"rootfs", daemon.socket_path()}};
  qemu::QemuHypervisor vm(settings_);
  vm.boot(c);
  ASSERT_TRUE(wait_for_text(dir_.path() / "console.log", "READ: hello-from-host", 120s))
      << "console: " << dir_.path() / "console.log";
  auto deadline = std::chrono::steady_clock::now() + 60s;
  while (vm.alive() && std::chrono::steady_clock::now() < deadline)
    std::this_thread::sleep_for(20ms);
  EXPECT_FALSE(vm.alive());
  EXPECT_TRUE(file_contains(shared / "from-guest.txt", "written-by-guest"));
}

TEST_F(QemuBootTest, MissingKernelIsAClearErrorAndLeavesNothing) {
  qemu::QemuHypervisor vm(settings_);
  VmConfig c = config("poweroff");
  c.kernel = dir_.path() / "no-such-vmlinux";
  try {
    vm.boot(c);
    FAIL() << "no error";
  } catch (const Error& e) {
    EXPECT_EQ(std::string(e.what()), "qemu: kernel " + c.kernel.string() + " not found");
  }
  EXPECT_EQ(vm.pid(), 0);
  EXPECT_FALSE(vm.alive());
}

TEST_F(QemuBootTest, UnbootableKernelCarriesQemusWords) {
  qemu::QemuHypervisor vm(settings_);
  VmConfig c = config("poweroff");
  fs::path bogus = dir_.path() / "bogus-kernel";
  std::ofstream(bogus) << "this is not a kernel\n";
  c.kernel = bogus;
  try {
    vm.boot(c);
    FAIL() << "no error";
  } catch (const Error& e) {
    std::string what = e.what();
    std::cout << "error: " << what << std::endl;
    EXPECT_EQ(what.rfind("qemu: exited during start: ", 0), 0u) << what;
    // QEMU's own complaint follows the prefix ("...: linux kernel too old to load a ram disk").
    EXPECT_GT(what.size(), std::string("qemu: exited during start: ").size() + 5) << what;
  }
  EXPECT_EQ(vm.pid(), 0);
  EXPECT_FALSE(fs::exists(dir_.path() / "qmp.sock"));
}

TEST_F(QemuBootTest, MissingBinaryIsAnExecError) {
  settings_.binary = "/nonexistent/qemu-system-x86_64";
  qemu::QemuHypervisor vm(settings_);
  try {
    vm.boot(config("poweroff"));
    FAIL() << "no error";
  } catch (const Error& e) {
    EXPECT_STREQ(e.what(), "qemu: exec /nonexistent/qemu-system-x86_64: No such file or directory");
  }
  EXPECT_EQ(vm.pid(), 0);
}

}  // namespace
}  // namespace chrunc::vmm::test
