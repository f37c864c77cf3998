#pragma once
// The /dev node name sysfs gives a device number: DEVNAME= of
// <sys>/dev/{block,char}/M:m/uevent. Used on the host (which host block
// device a spec names) and in the guest (the guest's own node of a device).

#include <cstdint>
#include <filesystem>
#include <string>

namespace chrunc {

enum class DeviceKind { Block, Char };

// DEVNAME, relative to /dev ("loop3", "net/tun"); empty when sysfs has no
// such device. Throws chrunc::Error when sysfs names the device but gives
// no usable name (empty, absolute, or with "..").
std::string sysfs_device_name(DeviceKind kind, int64_t major, int64_t minor,
                              const std::filesystem::path& sys = "/sys");

}  // namespace chrunc
