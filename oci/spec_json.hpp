#pragma once
// oci::Spec -> RapidJSON values, member order and omission as in the
// runtime-spec's Go types (so that `spec` output matches runc's). Internal.

#include <rapidjson/document.h>

#include <string>

#include "oci/json_builder.hpp"
#include "oci/spec.hpp"

namespace chrunc::oci::detail {

rapidjson::Value spec_to_json(const Spec& spec, json::Alloc& a);
rapidjson::Value process_to_json(const Process& process, json::Alloc& a);
rapidjson::Value linux_to_json(const Linux& l, json::Alloc& a);
rapidjson::Value resources_to_json(const Resources& resources, json::Alloc& a);
rapidjson::Value id_mapping_to_json(const IdMapping& m, json::Alloc& a);

// Compact JSON text.
std::string to_compact(const rapidjson::Value& v);
// Indented JSON text ("\t" x1 like `runc spec`, or "    " like `runc features`).
std::string to_pretty(const rapidjson::Value& v, char indent_char, unsigned indent_count);

}  // namespace chrunc::oci::detail
