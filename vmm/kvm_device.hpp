#pragma once
// The cheap half of the KVM probe: does the host's KVM device open and answer
// the KVM API? A "yes" here is not enough to use KVM (a nested or
// paravirtualised KVM can pass every check and still never run our guest:
// kvm_verdict.hpp boots the guest once to find out); a "no" is final.

#include <filesystem>
#include <string>

namespace chrunc::vmm {

struct KvmDeviceCheck {
  bool usable = false;
  // One line: why not, or what was seen ("/dev/kvm: API 12, vmx").
  std::string detail;
};

// Opens `device` read-write and, when it is a character device, asks for the
// KVM API version (12) and creates (and drops) one VM. `cpuinfo` is read for
// the vmx/svm flags, which are reported but not required: PVM and some nested
// set-ups run KVM without them.
//
// A `device` that is not a character device (a regular file named by
// kvm_device: in the host config) opens but cannot be asked: the check then
// says so and leaves the verdict to the boot probe. That is how the probe's
// own tests run on hosts without KVM.
KvmDeviceCheck check_kvm_device(const std::filesystem::path& device,
                                const std::filesystem::path& cpuinfo = "/proc/cpuinfo");

}  // namespace chrunc::vmm
