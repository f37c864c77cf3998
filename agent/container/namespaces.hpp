#pragma once
// linux.namespaces: clone flags for new namespaces, joining by path, and the
// user namespace's uid/gid maps (written by the parent).

#include <sys/types.h>

#include <map>
#include <string>
#include <vector>

#include "oci/spec.hpp"

namespace chrunc::container {

// CLONE_NEW* for a spec namespace type ("network" -> CLONE_NEWNET); throws on
// an unknown type.
int clone_flag(const std::string& type);
// The /proc/<pid>/ns/<name> entry of a type ("network" -> "net").
std::string proc_ns_name(const std::string& type);

// CLONE_NEW* flags of the namespaces without a path.
int new_namespace_flags(const std::vector<oci::Namespace>& namespaces);
bool has_namespace(const std::vector<oci::Namespace>& namespaces, const std::string& type);

// setns() into every namespace given by path (the user namespace first).
// Runs in the single-threaded intermediate child.
void join_namespaces(const std::vector<oci::Namespace>& namespaces);

// setns() into the namespaces of a running process (for exec), skipping the
// ones this process already is in. `types` are spec namespace types.
void join_process_namespaces(pid_t pid, const std::vector<std::string>& types);

// unshare(CLONE_NEWTIME) (effective for the children) and writes
// linux.timeOffsets to /proc/self/timens_offsets.
void enter_new_time_namespace(const std::map<std::string, oci::TimeOffset>& offsets);

// Writes /proc/<pid>/{uid_map,gid_map} from the spec's mappings.
void write_id_mappings(pid_t pid, const oci::Linux& linux_spec);

}  // namespace chrunc::container
