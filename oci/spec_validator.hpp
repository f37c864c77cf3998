#pragma once
// The runtime-spec's MUSTs and runc's config checks, applied to a parsed Spec.
//
// Each violation is "<json path>: <rule>", e.g. "process.args: must not be
// empty" or "linux.namespaces[2].type: unknown namespace \"foo\"".
//
// Deliberate choices (see docs): a config without "process" is valid (the spec
// requires it only for start); mount destinations must be absolute even though
// runc still accepts relative ones from old configs; unknown capabilities are
// errors; sysctls that are not namespaced are allowed, because they apply to
// the container's own VM kernel (runc rejects them).

#include <string>
#include <vector>

#include "oci/spec.hpp"

namespace chrunc::oci {

// Every violation, in document order; empty when the spec is valid.
std::vector<std::string> spec_violations(const Spec& spec);

// The "process" rules alone, for `exec --process FILE` ("process.args: ...").
std::vector<std::string> process_violations(const Process& process);

// Throws chrunc::Error "config.json: <first violation>" unless the spec is valid.
void validate_spec(const Spec& spec);

}  // namespace chrunc::oci
