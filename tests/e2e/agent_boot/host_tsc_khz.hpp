#pragma once
// The host's TSC frequency in kHz for the guest's tsc_early_khz= (microvm
// under TCG hangs at boot without it). The vmm area has the same logic as
// chrunc::vmm::host_tsc_khz(); this test must not depend on vmm/.

#include <cstdint>
#include <optional>

namespace chrunc::test {

// /sys/devices/system/cpu/cpu0/tsc_freq_khz, else "tsc: Detected N MHz"
// from the kernel log (/dev/kmsg), else the first "cpu MHz" of /proc/cpuinfo.
std::optional<uint64_t> host_tsc_khz();

}  // namespace chrunc::test
