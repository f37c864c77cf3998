#pragma once
// The checker's groups of checks. Each compares one part of config.json with
// what the running container sees and reports through Tap.

#include "oci/spec.hpp"
#include "tests/oci-conformance/checker/tap.hpp"

namespace conformance {

using chrunc::oci::Spec;

// process: args, env, cwd, user, additionalGids, umask, rlimits,
// capabilities, noNewPrivileges, oomScoreAdj.
void check_process(const Spec& spec, Tap& tap);
// root.readonly, mounts, rootfsPropagation, maskedPaths, readonlyPaths.
void check_mounts(const Spec& spec, Tap& tap);
// devices (configured and default), hostname/domainname, sysctl, uid/gid
// mappings, seccomp, cgroup limits as seen from inside.
void check_linux(const Spec& spec, Tap& tap);

}  // namespace conformance
