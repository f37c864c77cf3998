#pragma once
// The host's TSC frequency, for the guest's tsc_early_khz= under TCG.

#include <cstdint>
#include <filesystem>
#include <optional>

namespace chrunc::vmm {

// /sys/devices/system/cpu/cpu0/tsc_freq_khz when present, else cpu0's
// "cpu MHz" of /proc/cpuinfo x 1000; nullopt when neither is readable.
std::optional<uint64_t> host_tsc_khz();

// The same, from given files (tests).
std::optional<uint64_t> host_tsc_khz(const std::filesystem::path& tsc_freq_khz_file,
                                     const std::filesystem::path& cpuinfo_file);

}  // namespace chrunc::vmm
