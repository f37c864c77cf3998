#pragma once
// Making the prepared rootfs the process's "/".

#include <string>

namespace chrunc::container {

// pivot_root(2) into `rootfs` and detach the old root (runc's
// pivot_root(".", ".") trick: no directory for the old root is needed).
void pivot_into(const std::string& rootfs);

// --no-pivot: MS_MOVE the rootfs onto "/" and chroot into it.
void move_root_into(const std::string& rootfs);

// After either, once the paths are masked: "/" gets linux.rootfsPropagation
// (when given; "shared" in a peer group of its own).
void apply_root_propagation(const std::string& rootfs_propagation);

}  // namespace chrunc::container
