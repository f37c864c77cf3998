#pragma once
// The OCI runtime-spec version ch-runc implements (written as ociVersion by
// `spec`, `state` and `features`).

namespace chrunc::oci {

inline constexpr const char* kSpecVersion = "1.2.0";
inline constexpr const char* kSpecVersionMin = "1.0.0";

}  // namespace chrunc::oci
