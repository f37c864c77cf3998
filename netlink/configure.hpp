#pragma once
// The guest side: give a link what the host's snapshot of the container's
// interface says (name, MAC, MTU, addresses, routes), and bring up lo.

#include <optional>
#include <string>

#include "netlink/link.hpp"
#include "netlink/snapshot.hpp"
#include "netlink/socket.hpp"

namespace chrunc::netlink {

// The link whose MAC is `mac` (any case), if any.
std::optional<Link> find_link_by_mac(Socket& sock, const std::string& mac);

// Finds the link by `wanted.mac` (by `wanted.name` when the MAC is empty or
// no link has it), renames it to `wanted.name`, sets its MAC and MTU (when
// not 0), adds the addresses, brings it up, then adds the routes through it
// (their `device` is taken to be `wanted.name`). Addresses and routes that
// are already there are left alone, so calling it twice is harmless.
void configure_interface(Socket& sock, const InterfaceSnapshot& wanted);

void set_loopback_up(Socket& sock);

}  // namespace chrunc::netlink
