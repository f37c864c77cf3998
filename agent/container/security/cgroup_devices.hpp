#pragma once
// linux.resources.devices on cgroup v2: a BPF_PROG_TYPE_CGROUP_DEVICE program
// attached to the cgroup (v2 has no devices.allow/deny files).
//
// Semantics (as runc's v2 device filter): the rules are evaluated last to
// first and the first that matches decides; nothing matching means deny.
// After the spec's rules, runc's default allow list is appended (mknod of
// any device; /dev/null, zero, full, random, urandom, tty, ptmx, pts/*,
// net/tun). Devices listed in linux.devices are allowed only through rules
// in resources.devices: add them with allow_linux_devices (runc does that
// while converting the spec).

#include <string>
#include <vector>

#include "oci/spec.hpp"

namespace chrunc::container {

// Loads the program for `rules` (+ the defaults) and attaches it to the
// cgroup directory `cgroup_path` (BPF_F_ALLOW_MULTI); unless `fresh`, the
// programs attached before are detached afterwards (update). Throws
// `device cgroup program for /sys/fs/cgroup/a: BPF_PROG_LOAD: <strerror>`.
void apply_device_rules(const std::string& cgroup_path,
                        const std::vector<oci::DeviceCgroupRule>& rules, bool fresh);

// Appends an "rwm" allow rule for each of `devices` (linux.devices) to
// resources.devices, as runc does; only when resources.devices is not empty
// (an empty list means no device program at all).
void allow_linux_devices(oci::Resources& resources, const std::vector<oci::Device>& devices);

// The rules appended after the spec's, in order.
std::vector<oci::DeviceCgroupRule> default_device_rules();

}  // namespace chrunc::container
