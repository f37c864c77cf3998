#pragma once
// `ch-runc --version`, in runc's shape:
//   ch-runc version 0.1.0
//   commit: <git commit the binary was built from>
//   spec: 1.2.0
//   libseccomp: 2.5.4

#include <string>

namespace chrunc::cmd {

std::string version_text();

}  // namespace chrunc::cmd
