#pragma once
// Loads the kernel modules the image lists, without modprobe. Only the image
// with Debian's kernel has any; ours (guest/kernel/ch-runc.config) has its
// drivers built in and its image no list: then nothing is read or loaded.

#include <string>

namespace chrunc::agent {

// Reads `list_file` (one module path per line, dependencies first; blank
// lines and '#' comments ignored) and loads each with finit_module. Already
// loaded modules are fine. Returns how many were loaded (0 without a list);
// throws chrunc::Error("load module <path>: <cause>") on the first failure.
int load_kernel_modules(const std::string& list_file = "/etc/modules-load");

}  // namespace chrunc::agent
