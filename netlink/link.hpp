#pragma once
// Links: list, look up, create (veth, bridge), delete and change them.
// Taps are in tap.hpp.

#include <sys/types.h>

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "netlink/socket.hpp"

namespace chrunc::netlink {

struct Link {
  int index = 0;
  std::string name;
  std::string kind;   // IFLA_INFO_KIND: "veth", "bridge", "tun"; empty for others
  uint16_t type = 0;  // ARPHRD_* (ARPHRD_ETHER, ARPHRD_LOOPBACK, ...)
  std::string mac;    // "aa:bb:cc:dd:ee:ff"; empty when the link has none
  uint32_t mtu = 0;
  bool up = false;       // IFF_UP (administratively up)
  bool running = false;  // IFF_RUNNING (carrier)
  int master = 0;        // index of the bridge it is enslaved to, 0 if none
  int peer_index = 0;    // IFLA_LINK: a veth's peer (maybe in another netns)
};

std::vector<Link> list_links(Socket& sock);
std::optional<Link> find_link(Socket& sock, const std::string& name);
// Throws chrunc::Error (ENODEV) when there is no such link.
Link get_link(Socket& sock, const std::string& name);
Link get_link(Socket& sock, int index);
int link_index(Socket& sock, const std::string& name);

// A veth pair; the peer is created in the netns `peer_netns_fd` when given.
void create_veth(Socket& sock, const std::string& name, const std::string& peer_name,
                 std::optional<int> peer_netns_fd = std::nullopt);
void create_bridge(Socket& sock, const std::string& name);
void delete_link(Socket& sock, const std::string& name);

void set_link_up(Socket& sock, const std::string& name, bool up = true);
void set_mtu(Socket& sock, const std::string& name, uint32_t mtu);
void set_mac(Socket& sock, const std::string& name, const std::string& mac);
// Enslaves `name` to the bridge `master`; an empty `master` releases it.
void set_master(Socket& sock, const std::string& name, const std::string& master);
void rename_link(Socket& sock, const std::string& name, const std::string& new_name);
void move_to_netns_fd(Socket& sock, const std::string& name, int netns_fd);
void move_to_netns_pid(Socket& sock, const std::string& name, pid_t pid);

}  // namespace chrunc::netlink
