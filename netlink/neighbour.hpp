#pragma once
// Neighbour (ARP / NDP) entries.

#include <sys/socket.h>

#include <cstdint>
#include <string>
#include <vector>

#include "netlink/socket.hpp"

namespace chrunc::netlink {

struct Neighbour {
  std::string address;  // IPv4 or IPv6
  std::string mac;      // "aa:bb:cc:dd:ee:ff"; empty when unresolved
  std::string device;
  // Filled by list_neighbours:
  int index = 0;
  uint16_t state = 0;  // NUD_PERMANENT, NUD_REACHABLE, ...
};

// Adds (or replaces) a permanent entry.
void add_neighbour(Socket& sock, const Neighbour& neighbour);
void delete_neighbour(Socket& sock, const Neighbour& neighbour);
// `family` AF_INET, AF_INET6 or AF_UNSPEC for both; `ifindex` 0 for all links.
std::vector<Neighbour> list_neighbours(Socket& sock, int family = 0, int ifindex = 0);

}  // namespace chrunc::netlink
