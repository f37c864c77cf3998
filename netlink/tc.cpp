#include "netlink/tc.hpp"

#include <arpa/inet.h>
#include <linux/if_ether.h>
#include <linux/pkt_cls.h>
#include <linux/pkt_sched.h>
#include <linux/tc_act/tc_mirred.h>

#include <cstring>

namespace chrunc::netlink {
namespace {

// The ingress hook: works for both the ingress and the clsact qdisc.
constexpr uint32_t kIngressParent = TC_H_MAKE(TC_H_CLSACT, TC_H_MIN_INGRESS);

const char* qdisc_kind(IngressQdisc kind) {
  return kind == IngressQdisc::Clsact ? "clsact" : "ingress";
}

std::string dev(int ifindex) {
  return " ifindex " + std::to_string(ifindex);
}

void qdisc_request(Socket& sock, uint16_t type, uint16_t flags, int ifindex, IngressQdisc kind) {
  Request req(type, flags);
  auto& tcm = req.header<tcmsg>();
  tcm.tcm_family = AF_UNSPEC;
  tcm.tcm_ifindex = ifindex;
  tcm.tcm_handle = TC_H_MAKE(TC_H_INGRESS, 0);  // ffff:
  tcm.tcm_parent = TC_H_INGRESS;                // == TC_H_CLSACT
  req.put_string(TCA_KIND, qdisc_kind(kind));
  sock.request(req, std::string(message_type_name(type)) + " " + qdisc_kind(kind) + dev(ifindex));
}

// The action list "mirred egress redirect dev <target>" inside attribute `type`.
void put_redirect_actions(Request& req, uint16_t type, int target_ifindex) {
  size_t list = req.begin_nested(type);
  size_t first = req.begin_nested(1);  // actions are numbered from 1
  req.put_string(TCA_ACT_KIND, "mirred");
  size_t opts = req.begin_nested(TCA_ACT_OPTIONS);
  tc_mirred parms{};
  parms.action = TC_ACT_STOLEN;
  parms.eaction = TCA_EGRESS_REDIR;
  parms.ifindex = static_cast<uint32_t>(target_ifindex);
  req.put_struct(TCA_MIRRED_PARMS, parms);
  req.end_nested(opts);
  req.end_nested(first);
  req.end_nested(list);
}

// The first mirred redirect target in an action list.
std::optional<int> redirect_target(const Attrs& actions) {
  for (const auto& act : actions.all()) {
    Attrs a(act.data);
    auto kind = a.find(TCA_ACT_KIND);
    if (!kind || kind->str() != "mirred") continue;
    auto parms = a.nested(TCA_ACT_OPTIONS).find(TCA_MIRRED_PARMS);
    if (!parms) continue;
    if (auto m = parms->as_struct<tc_mirred>()) return static_cast<int>(m->ifindex);
  }
  return std::nullopt;
}

}  // namespace

void add_ingress_qdisc(Socket& sock, int ifindex, IngressQdisc kind) {
  qdisc_request(sock, RTM_NEWQDISC, NLM_F_CREATE | NLM_F_EXCL, ifindex, kind);
}

void delete_ingress_qdisc(Socket& sock, int ifindex, IngressQdisc kind) {
  qdisc_request(sock, RTM_DELQDISC, 0, ifindex, kind);
}

std::vector<Qdisc> list_qdiscs(Socket& sock, int ifindex) {
  Request req(RTM_GETQDISC, 0);
  req.header<tcmsg>().tcm_family = AF_UNSPEC;
  std::vector<Qdisc> out;
  for (const auto& m : sock.dump(req, "RTM_GETQDISC dump")) {
    auto tcm = m.header<tcmsg>();
    if (m.type() != RTM_NEWQDISC || !tcm) continue;
    if (ifindex > 0 && tcm->tcm_ifindex != ifindex) continue;
    Qdisc q{tcm->tcm_ifindex, "", tcm->tcm_handle, tcm->tcm_parent};
    if (auto k = m.attrs(sizeof(tcmsg)).find(TCA_KIND)) q.kind = k->str();
    out.push_back(std::move(q));
  }
  return out;
}

void add_redirect_filter(Socket& sock, int ifindex, int target_ifindex, FilterKind kind,
                         uint16_t priority) {
  Request req(RTM_NEWTFILTER, NLM_F_CREATE | NLM_F_EXCL);
  auto& tcm = req.header<tcmsg>();
  tcm.tcm_family = AF_UNSPEC;
  tcm.tcm_ifindex = ifindex;
  tcm.tcm_parent = kIngressParent;
  tcm.tcm_info = TC_H_MAKE(static_cast<uint32_t>(priority) << 16, htons(ETH_P_ALL));
  const char* name = kind == FilterKind::U32 ? "u32" : "matchall";
  req.put_string(TCA_KIND, name);
  size_t options = req.begin_nested(TCA_OPTIONS);
  if (kind == FilterKind::U32) {
    // One key matching anything: "u32 match u32 0 0".
    unsigned char sel_bytes[sizeof(tc_u32_sel) + sizeof(tc_u32_key)] = {};
    tc_u32_sel sel{};
    sel.flags = TC_U32_TERMINAL;
    sel.nkeys = 1;
    std::memcpy(sel_bytes, &sel, sizeof sel);  // the key after it stays all zero
    req.put(TCA_U32_SEL, sel_bytes, sizeof sel_bytes);
    put_redirect_actions(req, TCA_U32_ACT, target_ifindex);
  } else {
    put_redirect_actions(req, TCA_MATCHALL_ACT, target_ifindex);
  }
  req.end_nested(options);
  sock.request(req, std::string("RTM_NEWTFILTER ") + name + dev(ifindex) +
                        " (mirred redirect to ifindex " + std::to_string(target_ifindex) + ")");
}

std::vector<Filter> list_ingress_filters(Socket& sock, int ifindex) {
  Request req(RTM_GETTFILTER, 0);
  auto& tcm = req.header<tcmsg>();
  tcm.tcm_family = AF_UNSPEC;
  tcm.tcm_ifindex = ifindex;
  tcm.tcm_parent = kIngressParent;
  std::vector<Filter> out;
  for (const auto& m : sock.dump(req, "RTM_GETTFILTER dump" + dev(ifindex))) {
    auto t = m.header<tcmsg>();
    if (m.type() != RTM_NEWTFILTER || !t) continue;
    Filter f;
    f.ifindex = t->tcm_ifindex;
    f.parent = t->tcm_parent;
    f.handle = t->tcm_handle;
    f.priority = static_cast<uint16_t>(TC_H_MAJ(t->tcm_info) >> 16);
    f.protocol = ntohs(static_cast<uint16_t>(TC_H_MIN(t->tcm_info)));
    Attrs attrs = m.attrs(sizeof(tcmsg));
    if (auto k = attrs.find(TCA_KIND)) f.kind = k->str();
    Attrs options = attrs.nested(TCA_OPTIONS);
    if (f.kind == "u32")
      f.redirect_to = redirect_target(options.nested(TCA_U32_ACT));
    else if (f.kind == "matchall")
      f.redirect_to = redirect_target(options.nested(TCA_MATCHALL_ACT));
    out.push_back(std::move(f));
  }
  return out;
}

void delete_ingress_filters(Socket& sock, int ifindex, uint16_t priority) {
  Request req(RTM_DELTFILTER, 0);
  auto& tcm = req.header<tcmsg>();
  tcm.tcm_family = AF_UNSPEC;
  tcm.tcm_ifindex = ifindex;
  tcm.tcm_parent = kIngressParent;
  tcm.tcm_info = TC_H_MAKE(static_cast<uint32_t>(priority) << 16, priority ? htons(ETH_P_ALL) : 0);
  sock.request(req, "RTM_DELTFILTER" + dev(ifindex) +
                        (priority ? " prio " + std::to_string(priority) : std::string(" (all)")));
}

}  // namespace chrunc::netlink
