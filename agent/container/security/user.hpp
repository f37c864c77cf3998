#pragma once
// process.user: the uid/gid switch of the container's process.

#include "oci/spec.hpp"

namespace chrunc::container {

// setgroups(additionalGids) (an empty list clears the groups; skipped when it
// is empty and /proc/self/setgroups says "deny", as in a user namespace
// without setgroups permission), setresgid(gid), setresuid(uid), then
// umask(umask) when set. Call prepare_keep_capabilities() first and
// apply_capabilities() after, so that the capabilities survive the switch.
// Throws e.g. `setresuid 1000: Operation not permitted`.
void switch_user(const oci::User& user);

}  // namespace chrunc::container
