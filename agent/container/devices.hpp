#pragma once
// /dev of the container: the default devices (null zero full random urandom
// tty), their symlinks, /dev/pts and /dev/shm when the spec does not mount
// them, and linux.devices. mknod where permitted, else a bind of the host's node.

#include "agent/container/rootfs.hpp"
#include "oci/spec.hpp"

namespace chrunc::container {

// False when the spec binds the host's /dev: then nothing is created.
bool needs_dev_setup(const oci::Spec& spec);

// Runs before pivot_root, after the spec mounts.
void setup_dev(const RootfsContext& ctx, const oci::Spec& spec);

// One device node (linux.devices entry) under the rootfs.
void create_device(const RootfsContext& ctx, const oci::Device& device);

}  // namespace chrunc::container
