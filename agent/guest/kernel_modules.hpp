#pragma once
// Loads the kernel modules the image lists, without modprobe.

#include <string>

namespace chrunc::agent {

// Reads `list_file` (one module path per line, dependencies first; blank
// lines and '#' comments ignored) and loads each with finit_module. Already
// loaded modules are fine. Returns how many were loaded; throws
// chrunc::Error("load module <path>: <cause>") on the first failure.
int load_kernel_modules(const std::string& list_file = "/etc/modules-load");

}  // namespace chrunc::agent
