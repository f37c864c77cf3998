#pragma once
// What a container's monitor (the claimer) and a standby say over the
// standby's claim.sock (SOCK_SEQPACKET, one message per datagram, at most
// kWireMax bytes, text lines "key value"):
//
//   claimer -> standby  "claim\nid <id>\ncgroup <relative path>\n"
//                       + the container's share: a detached mount tree
//                         (open_tree OPEN_TREE_CLONE) the standby mounts on
//                         its share's subdirectory kStandbyShareSubdir
//   standby -> claimer  "ok\nvmm <pid> <start>\nvirtiofsd <pid> <start>\n"
//                       + a new connection to the guest agent
//                    or "error <why>\n"
//   claimer -> standby  "end\n" (or the connection closes): the container
//                       is done; the standby stops the VM and virtiofsd
//   standby -> claimer  "done\n", then it exits
//
// The standby accepts only peers running as root or as its own uid
// (SO_PEERCRED), and one claim in its life.

#include <cstddef>

namespace chrunc::runtime::pool {

inline constexpr const char* kClaimSocket = "claim.sock";
// The subdirectory of a standby's share the container's share is mounted on.
inline constexpr const char* kStandbyShareSubdir = "c";
inline constexpr size_t kWireMax = 4096;

}  // namespace chrunc::runtime::pool
