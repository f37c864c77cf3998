#pragma once
// The guest side of ConfigureInterfaces: the VM's network namespace (which
// the container shares, see docs/networking.md) gets lo up and, for each
// interface of the request, the NIC with its MAC renamed and configured as
// the host's interface was (MTU, addresses, routes), plus the neighbours.

#include <chrono>

#include "agent/agent.pb.h"

namespace chrunc::agent {

// Works in the calling thread's netns. A NIC that has not appeared within
// `link_timeout` (its driver still probing) is an error naming its MAC.
void configure_guest_network(const v1::ConfigureInterfacesRequest& request,
                             std::chrono::milliseconds link_timeout = std::chrono::seconds(5));

}  // namespace chrunc::agent
