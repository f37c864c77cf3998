// Validation of "linux": namespaces, id mappings, devices, propagation,
// paths, personality, time offsets, device cgroup rules.
#include <set>

#include "oci/known_names.hpp"
#include "oci/validate_parts.hpp"

namespace chrunc::oci::detail {

namespace {

void validate_namespaces(const Linux& l, Violations& v) {
  std::set<std::string> seen;
  for (size_t i = 0; i < l.namespaces.size(); ++i) {
    const Namespace& ns = l.namespaces[i];
    std::string base = index_path("linux.namespaces", i);
    if (!contains(known_namespaces(), ns.type)) {
      v.add(base + ".type", "unknown namespace " + quoted(ns.type));
    } else if (!seen.insert(ns.type).second) {
      v.add(base + ".type", "duplicate namespace " + quoted(ns.type));
    }
    if (!ns.path.empty() && !is_absolute(ns.path))
      v.add(base + ".path", "must be an absolute path");
  }
}

void validate_id_mappings(const Spec& spec, Violations& v) {
  const Linux& l = *spec.linux;
  const Namespace* user = find_namespace(spec, "user");
  if (!user) {
    if (!l.uid_mappings.empty()) v.add("linux.uidMappings", "requires a user namespace");
    if (!l.gid_mappings.empty()) v.add("linux.gidMappings", "requires a user namespace");
  } else if (user->path.empty()) {
    if (l.uid_mappings.empty()) v.add("linux.uidMappings", "required for a new user namespace");
    if (l.gid_mappings.empty()) v.add("linux.gidMappings", "required for a new user namespace");
  }
}

void validate_devices(const Linux& l, Violations& v) {
  static constexpr std::string_view kTypes[] = {"c", "b", "u", "p"};
  for (size_t i = 0; i < l.devices.size(); ++i) {
    const Device& d = l.devices[i];
    std::string base = index_path("linux.devices", i);
    if (!contains(kTypes, d.type)) v.add(base + ".type", "unknown device type " + quoted(d.type));
    if (!is_absolute(d.path)) v.add(base + ".path", "must be an absolute path");
  }
}

void validate_device_rules(const Resources& r, Violations& v) {
  static constexpr std::string_view kTypes[] = {"a", "c", "b"};
  for (size_t i = 0; i < r.devices.size(); ++i) {
    const DeviceCgroupRule& rule = r.devices[i];
    std::string base = index_path("linux.resources.devices", i);
    if (!rule.type.empty() && !contains(kTypes, rule.type))
      v.add(base + ".type", "unknown device type " + quoted(rule.type));
    if (rule.access.find_first_not_of("rwm") != std::string::npos)
      v.add(base + ".access", "must be a combination of r, w and m");
  }
}

void validate_paths(const char* name, const std::vector<std::string>& paths, Violations& v) {
  for (size_t i = 0; i < paths.size(); ++i) {
    if (!is_absolute(paths[i]))
      v.add(index_path(std::string("linux.") + name, i), "must be an absolute path");
  }
}

void validate_time_offsets(const Spec& spec, Violations& v) {
  const Linux& l = *spec.linux;
  if (l.time_offsets.empty()) return;
  if (!find_namespace(spec, "time")) v.add("linux.timeOffsets", "requires a time namespace");
  for (const auto& [clock, off] : l.time_offsets) {
    if (clock != "monotonic" && clock != "boottime")
      v.add("linux.timeOffsets." + clock, "unknown clock " + quoted(clock));
  }
}

}  // namespace

void validate_linux(const Spec& spec, Violations& v) {
  if (!spec.linux) return;
  const Linux& l = *spec.linux;
  validate_namespaces(l, v);
  validate_id_mappings(spec, v);
  validate_devices(l, v);
  if (l.resources) validate_device_rules(*l.resources, v);
  validate_sysctl(spec, v);
  if (l.seccomp) validate_seccomp(*l.seccomp, v);
  if (!l.rootfs_propagation.empty() &&
      !contains(known_rootfs_propagations(), l.rootfs_propagation)) {
    v.add("linux.rootfsPropagation", "unknown propagation " + quoted(l.rootfs_propagation));
  }
  validate_paths("maskedPaths", l.masked_paths, v);
  validate_paths("readonlyPaths", l.readonly_paths, v);
  if (l.personality && l.personality->domain != "LINUX" && l.personality->domain != "LINUX32")
    v.add("linux.personality.domain", "unknown domain " + quoted(l.personality->domain));
  validate_time_offsets(spec, v);
}

}  // namespace chrunc::oci::detail
