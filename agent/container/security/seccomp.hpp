#pragma once
// linux.seccomp through libseccomp.
//
// Load it as runc does: before switch_user when noNewPrivileges is false (the
// filter then needs CAP_SYS_ADMIN), as late as possible (after
// apply_no_new_privileges) when it is true. The filter never sets
// no_new_privs by itself (SCMP_FLTATR_CTL_NNP is off).

#include <optional>

#include "oci/spec.hpp"

namespace chrunc::container {

// Validates action, architecture, operator and flag names, argument indexes
// and listenerPath without touching the process: the host calls it for an
// early, precise error. Throws e.g. `seccomp: unknown action "SCMP_ACT_FOO"`.
// Unknown syscall names are not errors (they are skipped when loading).
void check_seccomp(const oci::Seccomp& seccomp);

// Builds the filter and loads it into the calling thread (every thread with
// SECCOMP_FILTER_FLAG_TSYNC). Nothing when absent.
// - defaultAction/defaultErrnoRet; SCMP_ACT_ERRNO and SCMP_ACT_TRACE take
//   errnoRet (EPERM when absent).
// - architectures: added beside the native one.
// - a syscall name libseccomp does not know is skipped, as is a rule whose
//   action equals the default action.
// - several args on one rule are ANDed, unless two of them test the same
//   argument index: then each is its own rule (ORed), as runc does.
// - flags: SECCOMP_FILTER_FLAG_TSYNC, _LOG, _SPEC_ALLOW.
// - SCMP_ACT_NOTIFY / listenerPath are not supported (Error).
void load_seccomp(const std::optional<oci::Seccomp>& seccomp);

}  // namespace chrunc::container
