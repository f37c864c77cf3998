// ChHypervisor against the fake cloud-hypervisor binary (no KVM needed).
#include "vmm/cloudhypervisor/ch_hypervisor.hpp"

#include <gtest/gtest.h>
#include <signal.h>
#include <unistd.h>

#include <fstream>
#include <sstream>

#include "common/error.hpp"
#include "openapi_checker.hpp"
#include "test_dir.hpp"

namespace chrunc::vmm::test {
namespace {

namespace fs = std::filesystem;
using namespace std::chrono_literals;

std::string slurp(const fs::path& file) {
  std::ifstream in(file);
  std::stringstream s;
  s << in.rdbuf();
  return s.str();
}

class ChHypervisorTest : public ::testing::Test {
 protected:
  void SetUp() override {
    if (!fs::exists(openapi_contract_path()))
      GTEST_SKIP() << "cloud-hypervisor OpenAPI contract not found at " << openapi_contract_path();
    settings_.binary = FAKE_CLOUD_HYPERVISOR;
    std::ofstream(dir_.path() / "vmlinux") << "kernel";
    std::ofstream(dir_.path() / "initramfs.cpio") << "initramfs";
    config_.kernel = dir_.path() / "vmlinux";
    config_.initramfs = dir_.path() / "initramfs.cpio";
    config_.vcpus = 2;
    config_.memory_mib = 512;
    config_.work_dir = dir_.path();
    config_.console_log = dir_.path() / "console.log";
    config_.filesystems = {{"rootfs", dir_.path() / "virtiofs-rootfs.sock"}};
  }

  TestDir dir_;
  ch::ChSettings settings_;
  VmConfig config_;
};

TEST_F(ChHypervisorTest, BootControlAgentAndShutdown) {
  ch::ChHypervisor vm(settings_);
  vm.boot(config_);
  pid_t pid = vm.pid();
  EXPECT_GT(pid, 0);
  EXPECT_TRUE(vm.alive());

  // Started as the issue says: api socket, seccomp, log file, minimal environment.
  std::string argv = slurp(dir_.path() / "ch-api.sock.argv");
  EXPECT_NE(argv.find("--api-socket\npath=" + (dir_.path() / "ch-api.sock").string() + "\n"),
            std::string::npos)
      << argv;
  EXPECT_NE(argv.find("--seccomp\ntrue\n"), std::string::npos) << argv;
  EXPECT_NE(argv.find("--log-file\n"), std::string::npos) << argv;
  EXPECT_EQ(slurp(dir_.path() / "ch-api.sock.env"),
            "PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin\n");
  EXPECT_EQ(fs::status(dir_.path() / "ch-api.sock").permissions() & fs::perms(0177),
            fs::perms::none);

  VmInfo info = vm.info();
  EXPECT_EQ(info.state, "Running");
  EXPECT_EQ(info.vcpus, 2u);
  EXPECT_EQ(info.memory_mib, 512u);
  vm.pause();
  EXPECT_EQ(vm.info().state, "Paused");
  vm.resume();
  EXPECT_EQ(vm.info().state, "Running");

  UniqueFd agent = vm.connect_agent(5s);
  char buf[7] = {};
  ASSERT_EQ(::read(agent.get(), buf, 6), 6);
  EXPECT_STREQ(buf, "HELLO\n");

  vm.shutdown(3s);
  EXPECT_FALSE(vm.alive());
  EXPECT_EQ(vm.pid(), 0);
  EXPECT_NE(::kill(pid, 0), 0);
  EXPECT_FALSE(fs::exists(dir_.path() / "ch-api.sock"));
  EXPECT_FALSE(fs::exists(dir_.path() / "vsock.sock"));
  vm.shutdown(1s);  // idempotent
}

TEST_F(ChHypervisorTest, SeccompCanBeTurnedOff) {
  settings_.seccomp = false;
  ch::ChHypervisor vm(settings_);
  vm.boot(config_);
  EXPECT_NE(slurp(dir_.path() / "ch-api.sock.argv").find("--seccomp\nfalse\n"), std::string::npos);
}

TEST_F(ChHypervisorTest, BootErrorCarriesStatusAndBodyAndLeavesNothing) {
  fs::copy_file(config_.kernel, dir_.path() / "fail-boot-vmlinux");
  config_.kernel = dir_.path() / "fail-boot-vmlinux";
  ch::ChHypervisor vm(settings_);
  try {
    vm.boot(config_);
    FAIL() << "no error";
  } catch (const Error& e) {
    EXPECT_EQ(
        std::string(e.what()).rfind(
            R"(cloud-hypervisor vm.boot: HTTP 500: Error booting VM: VmBoot(KernelLoad("bad kernel")))",
            0),
        0u)
        << e.what();
  }
  EXPECT_EQ(vm.pid(), 0);
  EXPECT_FALSE(fs::exists(dir_.path() / "ch-api.sock"));
}

TEST_F(ChHypervisorTest, MissingBinaryAndKernel) {
  settings_.binary = "/nonexistent/cloud-hypervisor";
  ch::ChHypervisor vm(settings_);
  try {
    vm.boot(config_);
    FAIL() << "no error";
  } catch (const Error& e) {
    EXPECT_STREQ(e.what(),
                 "cloud-hypervisor: exec /nonexistent/cloud-hypervisor: No such file or directory");
  }
  config_.kernel = dir_.path() / "absent";
  EXPECT_THROW(vm.boot(config_), Error);
}

}  // namespace
}  // namespace chrunc::vmm::test
