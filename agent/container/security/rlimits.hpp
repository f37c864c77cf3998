#pragma once
// process.rlimits: setrlimit for each entry, in order.

#include <vector>

#include "oci/spec.hpp"

namespace chrunc::container {

// Applies every rlimit with prlimit(2) on the calling process. Throws
// `unknown rlimit "RLIMIT_FOO"` or
// `setrlimit RLIMIT_NOFILE soft=1024 hard=20000: Operation not permitted`.
// A value of 2^64-1 is RLIM_INFINITY ("unlimited").
void apply_rlimits(const std::vector<oci::Rlimit>& rlimits);

}  // namespace chrunc::container
