#include "agent/container/security/user.hpp"

#include <grp.h>
#include <sys/stat.h>
#include <unistd.h>

#include <string>

#include "agent/container/security/file_io.hpp"
#include "common/error.hpp"

namespace chrunc::container {
namespace {

bool setgroups_denied() {
  auto content = read_file("/proc/self/setgroups");
  return content && content->starts_with("deny");
}

std::string format_groups(const std::vector<uint32_t>& gids) {
  std::string text = "[";
  for (size_t i = 0; i < gids.size(); ++i) {
    if (i) text += ',';
    text += std::to_string(gids[i]);
  }
  return text + "]";
}

}  // namespace

void switch_user(const oci::User& user) {
  if (!user.additional_gids.empty() || !setgroups_denied()) {
    std::vector<gid_t> groups(user.additional_gids.begin(), user.additional_gids.end());
    if (::setgroups(groups.size(), groups.data()) != 0)
      throw_errno("setgroups " + format_groups(user.additional_gids));
  }
  if (::setresgid(user.gid, user.gid, user.gid) != 0)
    throw_errno("setresgid " + std::to_string(user.gid));
  if (::setresuid(user.uid, user.uid, user.uid) != 0)
    throw_errno("setresuid " + std::to_string(user.uid));
  if (user.umask) ::umask(static_cast<mode_t>(*user.umask & 0777));
}

}  // namespace chrunc::container
