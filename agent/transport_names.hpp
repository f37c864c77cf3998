#pragma once
// Names both sides of the agent connection agree on (host: vmm/, runtime/;
// guest: agent/guest/). Change them only together with both sides.

#include <cstdint>

namespace chrunc::agent {

// QEMU: the virtserialport carrying the agent's gRPC connection
// (-device virtserialport,name=...). The guest finds its /dev/vportNpM by
// this name in /sys/class/virtio-ports/*/name.
inline constexpr const char* kVirtioSerialPortName = "io.containerization.agent";

// cloud-hypervisor: the guest agent listens on this AF_VSOCK port and accepts
// only connections from the host's CID.
inline constexpr uint32_t kVsockPort = 1024;
inline constexpr uint32_t kVsockHostCid = 2;

// The virtiofs tag of the container's share, and where the guest mounts it.
inline constexpr const char* kContainerShareTag = "chrunc";
inline constexpr const char* kContainerShareGuestPath = "/run/chrunc/shares/chrunc";

// On the kernel command line: the agent logs verbosely to the console.
inline constexpr const char* kDebugCmdlineFlag = "chrunc.debug=1";
// Benchmarks' floor: the agent powers the VM off as soon as /proc is mounted
// (the same kernel and initramfs, no runtime work at all).
inline constexpr const char* kPowerOffAtInitCmdlineFlag = "chrunc.poweroff_at_init=1";
// Benchmarks' floor to a ready agent: the agent does all it does before it
// serves (modules, tmpfs root, gRPC server, the host transport opened), then
// powers the VM off instead of waiting for the host.
inline constexpr const char* kPowerOffWhenReadyCmdlineFlag = "chrunc.poweroff_ready=1";
// A warm standby's VM (runtime/pool/): once serving, the agent says
// kStandbyServingLine on the console, which the standby waits for instead of
// connecting (the first host connection is then the claimer's, so no
// disconnect and reconnect can be confused); and a host that has come and
// gone does not make it power off (the VMM dies with the standby's host
// process anyway). Its agent mounts the container share
// (kContainerShareTag at kContainerShareGuestPath) before it serves, so that
// the claim's CreateContainer finds it mounted: the host mounts the
// container's tree into that share at the claim, below the root the guest
// mounted, in a directory the guest has not looked at before.
inline constexpr const char* kStandbyCmdlineFlag = "chrunc.standby=1";
inline constexpr const char* kStandbyServingLine = "chrunc-agent: info: standby serving";

}  // namespace chrunc::agent
