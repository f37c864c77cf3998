#include "common/sysfs_device.hpp"

#include <fstream>

#include "common/error.hpp"

namespace chrunc {

std::string sysfs_device_name(DeviceKind kind, int64_t major, int64_t minor,
                              const std::filesystem::path& sys) {
  const std::string number = std::to_string(major) + ":" + std::to_string(minor);
  std::ifstream uevent(sys / "dev" / (kind == DeviceKind::Block ? "block" : "char") / number /
                       "uevent");
  if (!uevent) return {};
  std::string devname;
  for (std::string line; std::getline(uevent, line);)
    if (line.rfind("DEVNAME=", 0) == 0) devname = line.substr(8);
  if (devname.empty() || devname.find("..") != std::string::npos || devname.front() == '/')
    throw Error("device " + number + ": sysfs gives no usable node name");
  return devname;
}

}  // namespace chrunc
