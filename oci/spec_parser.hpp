#pragma once
// config.json (OCI runtime-spec 1.2) -> oci::Spec.
//
// Errors are chrunc::Error with one line naming the cause:
//   "<source>: invalid JSON at offset N: <reason>"   (syntax)
//   "process.args[0]: expected a string"              (type, with the JSON path)
// load_spec() prefixes type errors with the file's path. Unknown members are
// ignored, as the spec requires; JSON null is treated as an absent member.
// Only types and REQUIRED members whose absence the model cannot represent
// are checked here; the spec's other rules are in spec_validator.hpp.

#include <filesystem>
#include <string_view>

#include "oci/spec.hpp"

namespace chrunc::oci {

Spec parse_spec(std::string_view json, std::string_view source = "config.json");
Spec load_spec(const std::filesystem::path& config_json);
// The "process" object alone, as `exec --process FILE` takes it.
Process parse_process(std::string_view json, std::string_view source = "process.json");
// The LinuxResources object alone, as `update --resources FILE|-` takes it.
Resources parse_resources(std::string_view json, std::string_view source = "resources");

}  // namespace chrunc::oci
