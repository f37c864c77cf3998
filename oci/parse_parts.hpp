#pragma once
// Readers for the parts of config.json, shared by the files of the parser.
// Internal to oci/.

#include "oci/json_reader.hpp"
#include "oci/spec.hpp"

namespace chrunc::oci::detail {

Process read_process(const json::Node& node);
Linux read_linux(const json::Node& node);
Resources read_resources(const json::Node& node);
IdMapping read_id_mapping(const json::Node& node);

}  // namespace chrunc::oci::detail
