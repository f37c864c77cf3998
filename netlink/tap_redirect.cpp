#include "netlink/tap_redirect.hpp"

#include <linux/if_arp.h>

#include "netlink/link.hpp"
#include "netlink/tap.hpp"

namespace chrunc::netlink {

std::string tap_name_for(const std::string& ifname) {
  return ("tap0_" + ifname).substr(0, 15);
}

TapRedirect::TapRedirect(const std::string& ifname, const TapRedirectOptions& options)
    : options_(options), ifname_(ifname), tap_name_(tap_name_for(ifname)) {
  try {
    Link link = get_link(sock_, ifname_);
    if_index_ = link.index;
    tap_fd_ = create_tap(tap_name_, TapOptions{options.vnet_hdr, options.persistent});
    tap_index_ = link_index(sock_, tap_name_);
    set_mtu(sock_, tap_name_, link.mtu);
    set_link_up(sock_, tap_name_, true);
    set_link_up(sock_, ifname_, true);
    add_ingress_qdisc(sock_, if_index_, options.qdisc);
    if_qdisc_ = true;
    add_ingress_qdisc(sock_, tap_index_, options.qdisc);
    tap_qdisc_ = true;
    add_redirect_filter(sock_, if_index_, tap_index_, options.filter);
    add_redirect_filter(sock_, tap_index_, if_index_, options.filter);
  } catch (...) {
    teardown();
    throw;
  }
}

TapRedirect::~TapRedirect() {
  teardown();
}

void TapRedirect::teardown() noexcept {
  // Each step on its own: one failing (e.g. the link already gone) must not
  // keep the others from running.
  auto attempt = [](auto&& step) {
    try {
      step();
    } catch (...) {
    }
  };
  if (if_qdisc_) {
    attempt([&] { delete_ingress_filters(sock_, if_index_); });
    attempt([&] { delete_ingress_qdisc(sock_, if_index_, options_.qdisc); });
    if_qdisc_ = false;
  }
  if (tap_qdisc_) {
    attempt([&] { delete_ingress_filters(sock_, tap_index_); });
    attempt([&] { delete_ingress_qdisc(sock_, tap_index_, options_.qdisc); });
    tap_qdisc_ = false;
  }
  if (tap_fd_.valid() || tap_index_ > 0) {
    attempt([&] { delete_link(sock_, tap_name_); });
    tap_fd_.reset();
    tap_index_ = 0;
  }
}

std::vector<std::unique_ptr<TapRedirect>> redirect_all_interfaces(
    const TapRedirectOptions& options) {
  std::vector<std::string> names;
  {
    Socket sock;
    for (const auto& l : list_links(sock))
      if (l.type != ARPHRD_LOOPBACK && l.kind != "tun") names.push_back(l.name);
  }
  std::vector<std::unique_ptr<TapRedirect>> out;
  for (const auto& name : names) out.push_back(std::make_unique<TapRedirect>(name, options));
  return out;
}

}  // namespace chrunc::netlink
