#pragma once
// The one host identity every stand-in (runtime/relays/stand_ins.hpp) runs as: the
// host config's stand_in_user (vmm/host_config.hpp), never an id the guest
// reports. The guest's uids show only in `ch-runc ps`.

#include <sys/types.h>

#include <string>

namespace chrunc::runtime {

struct HostIdentity {
  uid_t uid = 65534;
  gid_t gid = 65534;
  bool operator==(const HostIdentity&) const = default;
};

// `user`: a name in the host's passwd ("nobody"), a uid ("65534", its group
// from passwd, else the same number) or "uid:gid". "nobody" absent from
// passwd is 65534:65534. Throws chrunc::Error for an unknown name or a zero
// uid or gid: stand-ins never run as root. Read the host's passwd: call it
// before the monitor joins another mount namespace.
HostIdentity resolve_stand_in_user(const std::string& user);

// What a monitor gives its stand-ins: resolve_stand_in_user(user) when it
// runs as root; otherwise its own uid and gid, the only ones it can give
// (and no more privileged than itself).
HostIdentity stand_in_identity_for_monitor(const std::string& user);

}  // namespace chrunc::runtime
