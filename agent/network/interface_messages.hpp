#pragma once
// The network part of agent.proto (ConfigureInterfacesRequest) to and from
// netlink's InterfaceSnapshot: the host snapshots the container's netns, the
// guest agent configures its links from the same structs.

#include <vector>

#include "agent/agent.pb.h"
#include "netlink/snapshot.hpp"

namespace chrunc::agent {

// One Interface per snapshot; every route goes into `routes` with its device
// set to the interface's name.
v1::ConfigureInterfacesRequest interfaces_request(
    const std::vector<netlink::InterfaceSnapshot>& interfaces);

// The reverse; a route whose device names no interface of the request, an
// interface without a name, or two interfaces of one name throw chrunc::Error.
std::vector<netlink::InterfaceSnapshot> interfaces_from_request(
    const v1::ConfigureInterfacesRequest& request);

}  // namespace chrunc::agent
