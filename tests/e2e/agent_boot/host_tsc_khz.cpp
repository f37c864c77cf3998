#include "host_tsc_khz.hpp"

#include <fcntl.h>
#include <unistd.h>

#include <fstream>
#include <string>

namespace chrunc::test {

namespace {
std::optional<uint64_t> mhz_to_khz(const std::string& text) {
  try {
    double mhz = std::stod(text);
    if (mhz > 0) return static_cast<uint64_t>(mhz * 1000.0 + 0.5);
  } catch (const std::exception&) {
  }
  return std::nullopt;
}

// The kernel's calibrated value, the most precise one (needs root).
std::optional<uint64_t> from_kmsg() {
  int fd = ::open("/dev/kmsg", O_RDONLY | O_NONBLOCK | O_CLOEXEC);
  if (fd < 0) return std::nullopt;
  std::optional<uint64_t> result;
  char record[8192];
  const std::string marker = "tsc: Detected ";
  while (true) {
    ssize_t n = ::read(fd, record, sizeof record - 1);
    if (n < 0 && errno == EPIPE) continue;  // overwritten record: skip
    if (n <= 0) break;
    std::string line(record, static_cast<size_t>(n));
    auto at = line.find(marker);
    if (at != std::string::npos && line.find(" MHz", at) != std::string::npos) {
      result = mhz_to_khz(line.substr(at + marker.size()));
      if (line.find("TSC") == std::string::npos) break;
    }
  }
  ::close(fd);
  return result;
}
}  // namespace

std::optional<uint64_t> host_tsc_khz() {
  if (std::ifstream sys("/sys/devices/system/cpu/cpu0/tsc_freq_khz"); sys) {
    uint64_t khz = 0;
    if (sys >> khz && khz > 0) return khz;
  }
  if (auto khz = from_kmsg()) return khz;
  std::ifstream cpuinfo("/proc/cpuinfo");
  for (std::string line; std::getline(cpuinfo, line);) {
    if (line.rfind("cpu MHz", 0) != 0) continue;
    auto colon = line.find(':');
    if (colon != std::string::npos) return mhz_to_khz(line.substr(colon + 1));
  }
  return std::nullopt;
}

}  // namespace chrunc::test
