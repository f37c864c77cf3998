// cloud-hypervisor end to end: only where /dev/kvm and the binary exist.
#include <gtest/gtest.h>

#include <thread>

#include "test_dir.hpp"
#include "test_guest.hpp"
#include "vmm/backend_choice.hpp"
#include "vmm/cloudhypervisor/ch_hypervisor.hpp"
#include "vmm/host_config.hpp"
#include "vmm/kvm_device.hpp"

namespace chrunc::vmm::test {
namespace {

using namespace std::chrono_literals;

TEST(CloudHypervisorBoot, BootsPausesResumesAndShutsDown) {
  std::string binary = find_executable("cloud-hypervisor");
  const bool kvm = check_kvm_device("/dev/kvm").usable;
  if (!kvm || binary.empty()) {
    GTEST_SKIP()
        << "cloud-hypervisor end-to-end: needs /dev/kvm and cloud-hypervisor; this host has "
        << (kvm              ? "/dev/kvm but no cloud-hypervisor"
            : binary.empty() ? "neither"
                             : "cloud-hypervisor but no /dev/kvm");
  }
  std::string why;
  auto guest = test_guest(&why);
  if (!guest) GTEST_SKIP() << "no test guest: " << why;
  TestDir dir;
  ch::ChSettings settings;
  settings.binary = binary;
  ch::ChHypervisor vm(settings);
  VmConfig c;
  c.kernel = guest->kernel;
  c.initramfs = guest->initramfs;
  c.kernel_cmdline_extra = "chrunc_test=idle";
  c.work_dir = dir.path();
  c.console_log = dir.path() / "console.log";
  auto start = std::chrono::steady_clock::now();
  vm.boot(c);
  bool marker = false;
  while (!marker && std::chrono::steady_clock::now() - start < 30s) {
    marker = file_contains(c.console_log, kGuestMarker);
    std::this_thread::sleep_for(10ms);
  }
  ASSERT_TRUE(marker);
  std::cout << "[ BOOT TIME ] cloud-hypervisor: "
            << std::chrono::duration_cast<std::chrono::milliseconds>(
                   std::chrono::steady_clock::now() - start)
                   .count()
            << " ms" << std::endl;
  EXPECT_EQ(vm.info().state, "Running");
  vm.pause();
  EXPECT_EQ(vm.info().state, "Paused");
  vm.resume();
  EXPECT_EQ(vm.info().state, "Running");
  vm.shutdown(3s);
  EXPECT_FALSE(vm.alive());
  EXPECT_EQ(vm.pid(), 0);
}

}  // namespace
}  // namespace chrunc::vmm::test
