#include "agent/server/guest_devices.hpp"

#include <cstdio>
#include <fstream>
#include <optional>
#include <thread>

#include "common/error.hpp"

namespace chrunc::agent {
namespace {

namespace fs = std::filesystem;

std::string read_line(const fs::path& file) {
  std::ifstream in(file);
  std::string line;
  std::getline(in, line);
  while (!line.empty() && (line.back() == '\n' || line.back() == ' ')) line.pop_back();
  return line;
}

std::optional<DeviceNumber> parse_number(const std::string& text) {
  DeviceNumber n;
  if (std::sscanf(text.c_str(), "%u:%u", &n.major, &n.minor) != 2) return std::nullopt;
  return n;
}

std::optional<DeviceNumber> lookup_disk(const std::string& serial, const fs::path& sys) {
  std::error_code ec;
  for (const auto& entry : fs::directory_iterator(sys / "block", ec)) {
    if (read_line(entry.path() / "serial") != serial) continue;
    if (auto n = parse_number(read_line(entry.path() / "dev"))) return n;
  }
  return std::nullopt;
}

std::string number(int64_t major, int64_t minor) {
  return std::to_string(major) + ":" + std::to_string(minor);
}

}  // namespace

DeviceNumber find_guest_disk(const std::string& serial, const fs::path& sys,
                             std::chrono::milliseconds wait) {
  const auto until = std::chrono::steady_clock::now() + wait;
  for (;;) {
    if (auto n = lookup_disk(serial, sys)) return *n;
    if (std::chrono::steady_clock::now() >= until)
      throw Error("block device: no disk with serial " + serial + " in the VM (virtio_blk?)");
    std::this_thread::sleep_for(std::chrono::milliseconds(20));
  }
}

void move_block_devices(oci::Spec& spec, const std::vector<DeviceMove>& moves) {
  if (!spec.linux) return;
  // One pass over the original entries, so that a disk moved to numbers
  // another host device has is not moved again.
  auto move_of = [&](int64_t major, int64_t minor) -> const DeviceMove* {
    for (const auto& m : moves)
      if (m.from.major == major && m.from.minor == minor) return &m;
    return nullptr;
  };
  for (auto& device : spec.linux->devices) {
    if (device.type != "b") continue;
    if (const DeviceMove* m = move_of(device.major, device.minor)) {
      device.major = m->to.major;
      device.minor = m->to.minor;
    }
  }
  if (!spec.linux->resources) return;
  std::vector<oci::DeviceCgroupRule> rules;
  for (const auto& rule : spec.linux->resources->devices) {
    const bool block = rule.type.empty() || rule.type == "a" || rule.type == "b";
    const bool any_major = !rule.major || *rule.major == -1;
    const bool any_minor = !rule.minor || *rule.minor == -1;
    if (!block || (any_major && any_minor)) {  // matches the guest disks as it is
      rules.push_back(rule);
      continue;
    }
    if (!any_major && !any_minor) {
      oci::DeviceCgroupRule moved = rule;
      if (const DeviceMove* m = move_of(*rule.major, *rule.minor)) {
        moved.major = m->to.major;
        moved.minor = m->to.minor;
      }
      rules.push_back(moved);
      continue;
    }
    rules.push_back(rule);
    for (const auto& m : moves) {
      if ((!any_major && *rule.major != m.from.major) ||
          (!any_minor && *rule.minor != m.from.minor))
        continue;
      oci::DeviceCgroupRule copy = rule;
      copy.type = "b";
      copy.major = m.to.major;
      copy.minor = m.to.minor;
      rules.push_back(copy);
    }
  }
  spec.linux->resources->devices = std::move(rules);
}

void refuse_host_only_char_devices(const oci::Spec& spec, const fs::path& sys) {
  if (!spec.linux) return;
  for (const auto& device : spec.linux->devices) {
    if (device.type != "c" && device.type != "u") continue;
    std::error_code ec;
    if (fs::exists(sys / "dev/char" / number(device.major, device.minor), ec)) continue;
    throw Error("linux.devices " + device.path + " (char " + number(device.major, device.minor) +
                "): the VM has no such device; a host char device cannot be passed into a VM "
                "(block devices can)");
  }
}

void place_devices(oci::Spec& spec, const std::vector<GuestDisk>& disks, const fs::path& sys,
                   std::chrono::milliseconds wait) {
  refuse_host_only_char_devices(spec, sys);
  std::vector<DeviceMove> moves;
  for (const auto& disk : disks)
    moves.push_back({{disk.host_major, disk.host_minor}, find_guest_disk(disk.serial, sys, wait)});
  move_block_devices(spec, moves);
}

}  // namespace chrunc::agent
