#pragma once
// Finds the host transport and serves each host connection with gRPC:
//   /dev/vsock exists  -> AF_VSOCK listener on kVsockPort, peers other than
//                         kVsockHostCid are refused (cloud-hypervisor);
//   otherwise          -> the virtio-serial port kVirtioSerialPortName (QEMU);
//                         reads return EOF until the host connects.
// Each connection is bridged to a socketpair handed to gRPC.

#include <chrono>
#include <functional>

#include "agent/server/grpc_server.hpp"

namespace chrunc::agent {

struct HostLinkOptions {
  // After a host connection ends, how long to wait for a new one before
  // calling `gone` (the host is gone for good).
  std::chrono::milliseconds reconnect_grace = std::chrono::seconds(10);
  // How long to wait for the transport device after the modules are loaded.
  std::chrono::milliseconds device_timeout = std::chrono::seconds(10);
  std::function<void()> gone;
  // Called once the transport is open and the agent waits for the host
  // (the benchmarks' ready floor powers off here; may be empty).
  std::function<void()> serving;
  std::function<void(const char*)> debug;  // verbose log lines (may be empty)
};

// Serves connections forever (returns only by throwing chrunc::Error when no
// transport exists or it fails).
[[noreturn]] void serve_host(FdServer& server, const HostLinkOptions& options);

}  // namespace chrunc::agent
