#pragma once
// The config.json that `spec` writes: the same as `runc spec` (and
// `runc spec --rootless`) of runc 1.1.5, byte for byte (tab-indented, no
// trailing newline) except ociVersion, which is ours.

#include <string>

#include "oci/spec.hpp"

namespace chrunc::oci {

// rootless: no network namespace, a user namespace mapping the caller's
// euid/egid to root, /sys bind-mounted, no devpts gid, no resources.
Spec default_spec(bool rootless);
std::string default_spec_json(bool rootless);

}  // namespace chrunc::oci
