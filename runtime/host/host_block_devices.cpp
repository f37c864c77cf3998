#include "runtime/host/host_block_devices.hpp"

#include <fcntl.h>
#include <sys/stat.h>
#include <sys/sysmacros.h>

#include "common/error.hpp"
#include "common/sysfs_device.hpp"

namespace chrunc::runtime {
namespace {

namespace fs = std::filesystem;

bool rule_matches(const oci::DeviceCgroupRule& rule, char type, int64_t major, int64_t minor) {
  if (!rule.type.empty() && rule.type != "a" && rule.type != std::string(1, type)) return false;
  if (rule.major && *rule.major != -1 && *rule.major != major) return false;
  if (rule.minor && *rule.minor != -1 && *rule.minor != minor) return false;
  return true;
}

std::string describe(const oci::Device& device) {
  return "linux.devices " + device.path + " (block " + std::to_string(device.major) + ":" +
         std::to_string(device.minor) + ")";
}

UniqueFd open_device(const fs::path& node, int mode, dev_t want, const std::string& what) {
  UniqueFd fd(::open(node.c_str(), mode | O_DIRECT | O_CLOEXEC | O_NOCTTY));
  if (!fd) throw_errno(what + ": open " + node.string());
  struct stat st {};
  if (::fstat(fd.get(), &st) != 0) throw_errno(what + ": stat " + node.string());
  if (!S_ISBLK(st.st_mode) || st.st_rdev != want)
    throw Error(what + ": " + node.string() + " is no longer that block device");
  return fd;
}

}  // namespace

std::string device_cgroup_access(const std::vector<oci::DeviceCgroupRule>& rules, char type,
                                 int64_t major, int64_t minor) {
  bool allowed[3] = {true, true, true};  // r w m
  for (const auto& rule : rules) {
    if (!rule_matches(rule, type, major, minor)) continue;
    for (char c : rule.access.empty() ? std::string("rwm") : rule.access) {
      if (c == 'r') allowed[0] = rule.allow;
      if (c == 'w') allowed[1] = rule.allow;
      if (c == 'm') allowed[2] = rule.allow;
    }
  }
  std::string access;
  if (allowed[0]) access += 'r';
  if (allowed[1]) access += 'w';
  if (allowed[2]) access += 'm';
  return access;
}

fs::path find_host_block_node(uint32_t major, uint32_t minor, const fs::path& sys,
                              const fs::path& dev) {
  const std::string number = std::to_string(major) + ":" + std::to_string(minor);
  const std::string devname = sysfs_device_name(DeviceKind::Block, major, minor, sys);
  if (devname.empty()) return {};
  fs::path node = dev / devname;
  struct stat st {};
  if (::stat(node.c_str(), &st) != 0) throw_errno("block device " + number + ": " + node.string());
  if (!S_ISBLK(st.st_mode) || st.st_rdev != makedev(major, minor))
    throw Error("block device " + number + ": " + node.string() + " is not that block device");
  return node;
}

std::vector<HostBlockDevice> open_host_block_devices(const oci::Spec& spec, const fs::path& sys,
                                                     const fs::path& dev) {
  std::vector<HostBlockDevice> out;
  if (!spec.linux) return out;
  const std::vector<oci::DeviceCgroupRule> no_rules;
  const auto& rules = spec.linux->resources ? spec.linux->resources->devices : no_rules;
  for (const auto& device : spec.linux->devices) {
    if (device.type != "b") continue;
    const std::string what = describe(device);
    if (device.major < 0 || device.minor < 0 || device.major > 0xfff || device.minor > 0xfffff)
      throw Error(what + ": no such device number");
    const auto major = static_cast<uint32_t>(device.major);
    const auto minor = static_cast<uint32_t>(device.minor);
    fs::path node;
    try {
      node = find_host_block_node(major, minor, sys, dev);
    } catch (const Error& e) {
      throw Error(what + ": " + e.what(), e.sys_errno());
    }
    if (node.empty()) continue;
    HostBlockDevice disk;
    disk.spec_path = device.path;
    disk.major = major;
    disk.minor = minor;
    disk.host_node = node;
    disk.read_only =
        device_cgroup_access(rules, 'b', device.major, device.minor).find('w') == std::string::npos;
    disk.serial = "chrunc-b" + std::to_string(out.size());
    const dev_t number = makedev(major, minor);
    disk.read_fd = open_device(node, O_RDONLY, number, what);
    if (!disk.read_only) disk.write_fd = open_device(node, O_RDWR, number, what);
    out.push_back(std::move(disk));
  }
  return out;
}

}  // namespace chrunc::runtime
