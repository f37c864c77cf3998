#include "runtime/relays/stand_in_user.hpp"

#include <grp.h>
#include <pwd.h>
#include <unistd.h>

#include <charconv>
#include <optional>
#include <vector>

#include "common/error.hpp"

namespace chrunc::runtime {
namespace {

std::optional<uint32_t> number(const std::string& text) {
  uint32_t value = 0;
  auto [end, ec] = std::from_chars(text.data(), text.data() + text.size(), value);
  if (text.empty() || ec != std::errc() || end != text.data() + text.size()) return std::nullopt;
  return value;
}

// The passwd entry of `name` or `uid`: {uid, gid}, or nothing.
std::optional<HostIdentity> passwd_entry(const std::string* name, uid_t uid) {
  passwd entry{};
  passwd* found = nullptr;
  std::vector<char> buffer(16384);
  int rc = name != nullptr
               ? ::getpwnam_r(name->c_str(), &entry, buffer.data(), buffer.size(), &found)
               : ::getpwuid_r(uid, &entry, buffer.data(), buffer.size(), &found);
  if (rc != 0 || found == nullptr) return std::nullopt;
  return HostIdentity{found->pw_uid, found->pw_gid};
}

}  // namespace

HostIdentity resolve_stand_in_user(const std::string& user) {
  const std::string where = "host config: stand_in_user \"" + user + "\"";
  HostIdentity identity;
  if (auto colon = user.find(':'); colon != std::string::npos) {
    auto uid = number(user.substr(0, colon));
    auto gid = number(user.substr(colon + 1));
    if (!uid || !gid) throw Error(where + ": expected a name, a uid or uid:gid");
    identity = {*uid, *gid};
  } else if (auto uid = number(user)) {
    auto entry = passwd_entry(nullptr, *uid);
    identity = {*uid, entry ? entry->gid : *uid};
  } else if (auto entry = passwd_entry(&user, 0)) {
    identity = *entry;
  } else if (user == "nobody") {
    identity = {65534, 65534};
  } else {
    throw Error(where + ": no such user in the host's passwd");
  }
  if (identity.uid == 0 || identity.gid == 0)
    throw Error(where + " is root: stand-ins run as an unprivileged user");
  // (uid_t)-1 and (gid_t)-1 mean "unchanged" to setresuid/setresgid.
  if (identity.uid == static_cast<uid_t>(-1) || identity.gid == static_cast<gid_t>(-1))
    throw Error(where + ": not a valid id");
  return identity;
}

HostIdentity stand_in_identity_for_monitor(const std::string& user) {
  if (::geteuid() == 0) return resolve_stand_in_user(user);
  return {::geteuid(), ::getegid()};
}

}  // namespace chrunc::runtime
