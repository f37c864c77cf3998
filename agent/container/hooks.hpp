#pragma once
// createContainer / startContainer hooks, run by the container's init (in
// its namespaces): fork + exec of hook.path with hook.args and hook.env, the
// state JSON on stdin, killed after hook.timeout seconds.

#include <string>
#include <vector>

#include "oci/spec.hpp"

namespace chrunc::container {

// Runs each hook in order; throws "<kind> hook <path>: <cause>" on the first
// failure (non-zero exit, signal, timeout, exec error), with its output.
void run_hooks(const std::vector<oci::Hook>& hooks, const std::string& state_json,
               const std::string& kind);

}  // namespace chrunc::container
