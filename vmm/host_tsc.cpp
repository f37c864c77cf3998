#include "vmm/host_tsc.hpp"

#include <fstream>
#include <string>

namespace chrunc::vmm {

std::optional<uint64_t> host_tsc_khz(const std::filesystem::path& tsc_freq_khz_file,
                                     const std::filesystem::path& cpuinfo_file) {
  if (std::ifstream sys(tsc_freq_khz_file); sys) {
    uint64_t khz = 0;
    if (sys >> khz && khz > 0) return khz;
  }
  std::ifstream cpuinfo(cpuinfo_file);
  std::string line;
  while (std::getline(cpuinfo, line)) {
    if (!line.starts_with("cpu MHz")) continue;
    auto colon = line.find(':');
    if (colon == std::string::npos) return std::nullopt;
    try {
      double mhz = std::stod(line.substr(colon + 1));
      if (mhz <= 0) return std::nullopt;
      return static_cast<uint64_t>(mhz * 1000.0 + 0.5);
    } catch (const std::exception&) {
      return std::nullopt;
    }
  }
  return std::nullopt;
}

std::optional<uint64_t> host_tsc_khz() {
  return host_tsc_khz("/sys/devices/system/cpu/cpu0/tsc_freq_khz", "/proc/cpuinfo");
}

}  // namespace chrunc::vmm
