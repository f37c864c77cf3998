#include "agent/container/security/capabilities.hpp"

#include <linux/capability.h>
#include <sys/prctl.h>
#include <sys/syscall.h>
#include <unistd.h>

#include <algorithm>
#include <array>
#include <cerrno>
#include <cstdio>
#include <cstdlib>
#include <string>

#include "agent/container/security/file_io.hpp"
#include "common/error.hpp"
#include "oci/known_names.hpp"

namespace chrunc::container {
namespace {

// oci::known_capabilities() lists the names in the kernel's numbering
// (CAP_CHOWN = 0 ... CAP_CHECKPOINT_RESTORE = 40): index = capability number.
const oci::NameList kNames = oci::known_capabilities();

// A newer kernel's capability above CAP_CHECKPOINT_RESTORE has no name here.
std::string cap_name(int cap) {
  if (cap >= 0 && static_cast<size_t>(cap) < kNames.size()) return std::string(kNames[cap]);
  return "capability " + std::to_string(cap);
}

// Capability sets as two 32-bit words (capset's _LINUX_CAPABILITY_VERSION_3).
struct CapSet {
  uint64_t bits = 0;
  void add(int cap) { bits |= uint64_t{1} << cap; }
  bool has(int cap) const { return (bits >> cap) & 1; }
};

int last_capability() {
  auto text = read_file("/proc/sys/kernel/cap_last_cap");
  if (!text) return CAP_LAST_CAP;
  return std::min(std::atoi(text->c_str()), 63);  // CapSet holds 64 bits
}

CapSet to_set(const std::vector<std::string>& names, int last_cap) {
  CapSet set;
  for (const auto& name : names) {
    auto cap = capability_from_name(name);
    if (!cap) throw Error("unknown capability \"" + name + "\"");
    if (*cap <= last_cap) set.add(*cap);
  }
  return set;
}

std::string hex(uint64_t bits) {
  char text[32];
  std::snprintf(text, sizeof text, "%#llx", static_cast<unsigned long long>(bits));
  return text;
}

void get_caps(__user_cap_data_struct (&data)[2]) {
  __user_cap_header_struct header{_LINUX_CAPABILITY_VERSION_3, 0};
  check_syscall(::syscall(SYS_capget, &header, data), "capget");
}

void set_caps(uint64_t permitted, uint64_t effective, uint64_t inheritable) {
  __user_cap_header_struct header{_LINUX_CAPABILITY_VERSION_3, 0};
  __user_cap_data_struct data[2];
  for (int i = 0; i < 2; ++i) {
    data[i].permitted = static_cast<uint32_t>(permitted >> (32 * i));
    data[i].effective = static_cast<uint32_t>(effective >> (32 * i));
    data[i].inheritable = static_cast<uint32_t>(inheritable >> (32 * i));
  }
  if (::syscall(SYS_capset, &header, data) != 0)
    throw_errno("capset permitted=" + hex(permitted) + " effective=" + hex(effective) +
                " inheritable=" + hex(inheritable));
}

}  // namespace

std::optional<int> capability_from_name(std::string_view name) {
  for (size_t i = 0; i < kNames.size(); ++i)
    if (kNames[i] == name) return static_cast<int>(i);
  return std::nullopt;
}

void prepare_keep_capabilities() {
  check_syscall(::prctl(PR_SET_KEEPCAPS, 1, 0, 0, 0), "prctl PR_SET_KEEPCAPS");
}

void apply_capabilities(const std::optional<oci::Capabilities>& capabilities) {
  const oci::Capabilities empty;
  const oci::Capabilities& caps = capabilities ? *capabilities : empty;
  const int last_cap = last_capability();
  // Names first: an unknown name fails before anything changed.
  const CapSet bounding = to_set(caps.bounding, last_cap);
  const CapSet permitted = to_set(caps.permitted, last_cap);
  const CapSet effective = to_set(caps.effective, last_cap);
  const CapSet inheritable = to_set(caps.inheritable, last_cap);
  const CapSet ambient = to_set(caps.ambient, last_cap);

  // After a uid switch the effective set is empty while permitted was kept
  // (PR_SET_KEEPCAPS): make everything permitted effective again, so that
  // CAP_SETPCAP allows the bounding set drop and the inheritable set.
  __user_cap_data_struct current[2];
  get_caps(current);
  const uint64_t current_permitted =
      current[0].permitted | (static_cast<uint64_t>(current[1].permitted) << 32);
  const uint64_t current_inheritable =
      current[0].inheritable | (static_cast<uint64_t>(current[1].inheritable) << 32);
  set_caps(current_permitted, current_permitted, current_inheritable);

  for (int cap = 0; cap <= last_cap; ++cap) {
    if (bounding.has(cap) || ::prctl(PR_CAPBSET_READ, cap, 0, 0, 0) != 1) continue;
    if (::prctl(PR_CAPBSET_DROP, cap, 0, 0, 0) != 0)
      throw_errno("drop " + cap_name(cap) + " from the bounding set");
  }

  set_caps(permitted.bits, effective.bits, inheritable.bits);

  if (::prctl(PR_CAP_AMBIENT, PR_CAP_AMBIENT_CLEAR_ALL, 0, 0, 0) != 0 && errno != EINVAL)
    throw_errno("prctl PR_CAP_AMBIENT_CLEAR_ALL");
  for (int cap = 0; cap <= last_cap; ++cap) {
    if (!ambient.has(cap)) continue;
    if (::prctl(PR_CAP_AMBIENT, PR_CAP_AMBIENT_RAISE, cap, 0, 0) != 0 && errno != EPERM &&
        errno != EINVAL)
      throw_errno("raise ambient " + cap_name(cap));
  }
  check_syscall(::prctl(PR_SET_KEEPCAPS, 0, 0, 0, 0), "prctl PR_SET_KEEPCAPS 0");
}

}  // namespace chrunc::container
