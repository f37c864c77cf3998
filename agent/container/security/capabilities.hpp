#pragma once
// process.capabilities: the five capability sets, with raw capget/capset and
// prctl (no libcap).
//
// Order in the container's init (as runc does it):
//   prepare_keep_capabilities();   // PR_SET_KEEPCAPS: permitted survives setuid
//   switch_user(user);
//   apply_capabilities(caps);      // bounding, then P/E/I, then ambient
// The process must still hold CAP_SETPCAP in its permitted set (root before
// the switch has it) for the bounding set to be changed.

#include <optional>
#include <string_view>

#include "oci/spec.hpp"

namespace chrunc::container {

// CAP_CHOWN -> 0 ... CAP_CHECKPOINT_RESTORE -> 40; nullopt for other names.
std::optional<int> capability_from_name(std::string_view name);

// PR_SET_KEEPCAPS 1, so that a uid switch away from 0 keeps the permitted set.
void prepare_keep_capabilities();

// Drops from the bounding set every capability not listed in `bounding`,
// sets permitted/effective/inheritable with capset, clears the ambient set
// and raises the listed ambient capabilities, clears PR_SET_KEEPCAPS.
// Absent capabilities (nullopt) mean every set empty, as in runc.
// Throws `unknown capability "CAP_FOO"` for a name no kernel has; a name the
// running kernel does not know (above /proc/sys/kernel/cap_last_cap) is
// skipped. An ambient capability that is not both permitted and inheritable
// is skipped, as runc and crun do (the kernel refuses it with EPERM).
void apply_capabilities(const std::optional<oci::Capabilities>& capabilities);

}  // namespace chrunc::container
