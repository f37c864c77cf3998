#pragma once
// OCI hooks that run on the host (createRuntime, prestart, poststart,
// poststop): each hook's path is executed with its args (args[0] is argv[0])
// and exactly its env, the container's state JSON on stdin, stdout and stderr
// captured (the last line is quoted in errors), no other fd inherited, killed
// after its timeout.

#include <string>
#include <vector>

#include "oci/spec.hpp"

namespace chrunc::runtime {

// Runs one hook; throws chrunc::Error
//   "<kind> hook <path>: exit status N: <last line of its output>"
//   "<kind> hook <path>: timed out after N s"
void run_hook(const oci::Hook& hook, const std::string& state_json, const std::string& kind);

// Runs the hooks in order, stopping at (and throwing) the first failure.
void run_hooks(const std::vector<oci::Hook>& hooks, const std::string& state_json,
               const std::string& kind);

// Runs every hook; a failure is logged as a warning and the next one runs
// (poststart, poststop).
void run_hooks_warn(const std::vector<oci::Hook>& hooks, const std::string& state_json,
                    const std::string& kind);

}  // namespace chrunc::runtime
