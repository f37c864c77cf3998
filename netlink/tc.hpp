#pragma once
// tc: the ingress-side qdisc of a link and filters whose action is a mirred
// egress redirect to another link (the Kata Containers "tc redirect" model).

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "netlink/socket.hpp"

namespace chrunc::netlink {

enum class IngressQdisc { Ingress, Clsact };
enum class FilterKind { U32, Matchall };

// Priority given to redirect filters (the one `tc` picks by default).
inline constexpr uint16_t kRedirectPriority = 49152;

struct Qdisc {
  int ifindex = 0;
  std::string kind;  // "ingress", "clsact", "noqueue", ...
  uint32_t handle = 0;
  uint32_t parent = 0;
};

struct Filter {
  int ifindex = 0;
  std::string kind;  // "u32", "matchall"
  uint32_t parent = 0;
  uint32_t handle = 0;
  uint16_t priority = 0;
  uint16_t protocol = 0;  // ETH_P_* in host order
  // Index of the link a mirred egress redirect action sends to, if any.
  std::optional<int> redirect_to;
};

void add_ingress_qdisc(Socket& sock, int ifindex, IngressQdisc kind = IngressQdisc::Ingress);
void delete_ingress_qdisc(Socket& sock, int ifindex, IngressQdisc kind = IngressQdisc::Ingress);
std::vector<Qdisc> list_qdiscs(Socket& sock, int ifindex = 0);

// A filter on the ingress of `ifindex` (which has an ingress or clsact
// qdisc) matching every packet, with the action "mirred egress redirect
// dev <target_ifindex>".
void add_redirect_filter(Socket& sock, int ifindex, int target_ifindex,
                         FilterKind kind = FilterKind::U32, uint16_t priority = kRedirectPriority);
// The filters on the ingress of `ifindex`. u32 lists its hash tables too (no action).
std::vector<Filter> list_ingress_filters(Socket& sock, int ifindex);
// Deletes the ingress filters of `ifindex` at `priority` (all of them with 0).
void delete_ingress_filters(Socket& sock, int ifindex, uint16_t priority = 0);

}  // namespace chrunc::netlink
