#pragma once
// A warm standby (docs/warm-pool.md): `ch-runc-monitor __standby --pool DIR
// --slot NAME`, spawned detached by spawn_standby(). In a mount namespace of
// its own it makes vm-<NAME>/share (bound on itself, shared) with an empty
// subdirectory `c`, starts virtiofsd on it and boots the pool's VM with the
// same pieces as a cold boot (vm_backend, base_vm_config), waits for the
// agent's "standby serving" console line (nobody connects before the
// claimer), and waits on claim.sock as ready-<NAME>. One claim
// (standby_wire.hpp) mounts the container's share on `c` (virtiofsd's copy
// of the share is a slave of it: the mount reaches the guest), moves the VMM
// and virtiofsd into the container's cgroup and hands over a connection to
// the agent; when the container is done it stops the VM and removes its
// directories. A VM is never reused.

#include <string>

namespace chrunc::runtime::pool {

inline constexpr const char* kStandbyCommand = "__standby";

// main() of `ch-runc-monitor __standby`.
int standby_main(int argc, char** argv);

}  // namespace chrunc::runtime::pool
