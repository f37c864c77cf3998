#pragma once
// Test helper: a real guest for boot tests. The kernel is Debian's cloud
// kernel (guest/fetch-kernel.sh, cached in the build dir); the initramfs is
// busybox-static plus the virtio modules and an /init that acts on the
// kernel command line's chrunc_test=<mode>:
//   poweroff  print the marker, power off
//   agent     marker, write "HELLO-FROM-GUEST" to the agent port, echo the
//             line it reads back to the console as "GOT: <line>", then idle
//   virtiofs  marker, mount tag rootfs, print /mnt/hello.txt as
//             "READ: <text>", write /mnt/from-guest.txt, power off
//   idle      marker, then idle

#include <filesystem>
#include <optional>
#include <string>

namespace chrunc::vmm::test {

inline constexpr const char* kGuestMarker = "CHRUNC-TEST-MARKER";

struct TestGuest {
  std::filesystem::path kernel;
  std::filesystem::path initramfs;
};

// nullopt (with the reason in *why) when the kernel cannot be fetched or
// busybox-static is missing.
std::optional<TestGuest> test_guest(std::string* why);

// Whether `file` contains `text`.
bool file_contains(const std::filesystem::path& file, const std::string& text);

}  // namespace chrunc::vmm::test
