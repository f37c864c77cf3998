#pragma once
// `features` output: what ch-runc really supports, in the shape of
// `runc features` (runtime-spec features.md), indented by four spaces with a
// trailing newline.

#include <string>

namespace chrunc::oci {

std::string features_json();

}  // namespace chrunc::oci
