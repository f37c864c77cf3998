#pragma once
// oci::Spec -> compact config.json text. Members follow the runtime-spec's
// Go struct order; absent optionals, empty strings and lists, and false
// booleans are omitted as the Go types' "omitempty" does. Round-trips with
// spec_parser: parse_spec(write_spec(s)) == s for every Spec.

#include <string>

#include "oci/spec.hpp"

namespace chrunc::oci {

std::string write_spec(const Spec& spec);
std::string write_process(const Process& process);
std::string write_resources(const Resources& resources);

}  // namespace chrunc::oci
