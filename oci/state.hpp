#pragma once
// Container state JSON, byte for byte as runc 1.1.5 prints it.
//
//   write_state        `runc state ID`: indented by two spaces, members
//                      ociVersion id pid status bundle rootfs created
//                      [annotations] owner, no trailing newline
//   write_state_compact the runtime-spec state a hook reads on stdin:
//                      ociVersion id status [pid] bundle [annotations]
//   write_state_list   `runc list --format json`: one compact line with a
//                      newline; an empty list is "null\n", as runc prints it
// ("[annotations]": omitted when empty; "[pid]": omitted when 0.)

#include <chrono>
#include <map>
#include <string>
#include <string_view>
#include <vector>

namespace chrunc::oci {

struct State {
  std::string oci_version, id, status;  // status: creating created running paused stopped
  int pid = 0;
  std::string bundle, rootfs, created, owner;  // created: RFC 3339 with nanoseconds
  std::map<std::string, std::string> annotations;

  bool operator==(const State&) const = default;
};

std::string write_state(const State& state);
std::string write_state_compact(const State& state);
std::string write_state_list(const std::vector<State>& states);
// `created` as runc writes it: UTC, RFC 3339 with nanoseconds and Go's
// RFC3339Nano trimming of trailing zeros ("2026-11-23T10:14:25.3438397Z",
// "2026-11-23T10:14:25Z" on a whole second).
std::string rfc3339_nano(std::chrono::system_clock::time_point t);

// Reads either shape (members in any order, unknown ones ignored).
State parse_state(std::string_view json);

}  // namespace chrunc::oci
