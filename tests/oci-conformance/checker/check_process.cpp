// process.* as the running container sees it.

#include <sys/resource.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstring>
#include <map>
#include <set>

#include "tests/oci-conformance/checker/checks.hpp"
#include "tests/oci-conformance/checker/proc_files.hpp"

extern char** environ;

namespace conformance {
namespace {

void check_args(const chrunc::oci::Process& p, Tap& tap) {
  auto cmdline = read_file("/proc/self/cmdline").value_or("");
  std::vector<std::string> args;
  std::string arg;
  for (char c : cmdline) {
    if (c == '\0') {
      args.push_back(arg);
      arg.clear();
    } else {
      arg.push_back(c);
    }
  }
  bool same = args == p.args;
  std::string got;
  for (const auto& a : args) got += "'" + a + "' ";
  tap.check(same, "process.args equal /proc/self/cmdline", "got " + got);
}

void check_env(const chrunc::oci::Process& p, Tap& tap) {
  std::set<std::string> env;
  for (char** e = environ; *e; ++e) env.insert(*e);
  for (const auto& want : p.env)
    tap.check(env.count(want) == 1, "process.env has " + want.substr(0, want.find('=')),
              "missing '" + want + "'");
}

void check_cwd(const chrunc::oci::Process& p, Tap& tap) {
  char buf[4096];
  std::string cwd = getcwd(buf, sizeof buf) ? buf : std::string("error: ") + strerror(errno);
  tap.expect_eq("process.cwd", p.cwd, cwd);
}

void check_user(const chrunc::oci::Process& p, Tap& tap) {
  tap.expect_eq("process.user.uid (real and effective)",
                std::to_string(p.user.uid) + "/" + std::to_string(p.user.uid),
                std::to_string(getuid()) + "/" + std::to_string(geteuid()));
  tap.expect_eq("process.user.gid (real and effective)",
                std::to_string(p.user.gid) + "/" + std::to_string(p.user.gid),
                std::to_string(getgid()) + "/" + std::to_string(getegid()));
  gid_t groups[256];
  int n = getgroups(256, groups);
  std::set<uint32_t> have(groups, groups + std::max(n, 0));
  std::set<uint32_t> want(p.user.additional_gids.begin(), p.user.additional_gids.end());
  std::string have_text, want_text;
  for (auto g : have) have_text += std::to_string(g) + " ";
  for (auto g : want) want_text += std::to_string(g) + " ";
  // The primary gid may or may not be listed among the supplementary groups.
  have.erase(p.user.gid);
  want.erase(p.user.gid);
  tap.check(have == want, "process.user.additionalGids are the supplementary groups",
            "expected {" + want_text + "}, got {" + have_text + "}");
  auto umask_field = status_field("Umask");
  uint32_t want_umask = p.user.umask.value_or(022);
  if (!umask_field) {
    tap.skip("process.user.umask", "no Umask in /proc/self/status");
  } else {
    tap.expect_eq("process.user.umask", std::to_string(want_umask),
                  std::to_string(std::stoul(*umask_field, nullptr, 8)));
  }
}

const std::map<std::string, int> kRlimits = {{"RLIMIT_AS", RLIMIT_AS},
                                             {"RLIMIT_CORE", RLIMIT_CORE},
                                             {"RLIMIT_CPU", RLIMIT_CPU},
                                             {"RLIMIT_DATA", RLIMIT_DATA},
                                             {"RLIMIT_FSIZE", RLIMIT_FSIZE},
                                             {"RLIMIT_LOCKS", RLIMIT_LOCKS},
                                             {"RLIMIT_MEMLOCK", RLIMIT_MEMLOCK},
                                             {"RLIMIT_MSGQUEUE", RLIMIT_MSGQUEUE},
                                             {"RLIMIT_NICE", RLIMIT_NICE},
                                             {"RLIMIT_NOFILE", RLIMIT_NOFILE},
                                             {"RLIMIT_NPROC", RLIMIT_NPROC},
                                             {"RLIMIT_RSS", RLIMIT_RSS},
                                             {"RLIMIT_RTPRIO", RLIMIT_RTPRIO},
                                             {"RLIMIT_RTTIME", RLIMIT_RTTIME},
                                             {"RLIMIT_SIGPENDING", RLIMIT_SIGPENDING},
                                             {"RLIMIT_STACK", RLIMIT_STACK}};

void check_rlimits(const chrunc::oci::Process& p, Tap& tap) {
  for (const auto& r : p.rlimits) {
    auto it = kRlimits.find(r.type);
    if (it == kRlimits.end()) {
      tap.check(false, "process.rlimits " + r.type, "unknown rlimit type");
      continue;
    }
    struct rlimit got {};
    getrlimit(it->second, &got);
    tap.expect_eq("process.rlimits " + r.type + " soft/hard",
                  std::to_string(r.soft) + "/" + std::to_string(r.hard),
                  std::to_string(static_cast<uint64_t>(got.rlim_cur)) + "/" +
                      std::to_string(static_cast<uint64_t>(got.rlim_max)));
  }
}

std::string cap_set_text(uint64_t mask) {
  std::string text;
  for (int i = 0; i < 64; ++i)
    if (mask & (uint64_t{1} << i)) text += capability_name(i) + " ";
  return text.empty() ? "(none)" : text;
}

uint64_t cap_mask(const std::vector<std::string>& names) {
  uint64_t mask = 0;
  for (const auto& name : names)
    if (auto n = capability_number(name)) mask |= uint64_t{1} << *n;
  return mask;
}

void check_cap_set(const std::string& field, uint64_t want, const std::string& desc, Tap& tap) {
  auto value = status_field(field);
  if (!value) {
    tap.check(false, desc, "no " + field + " in /proc/self/status");
    return;
  }
  uint64_t got = std::stoull(*value, nullptr, 16);
  // Capabilities the running kernel does not know cannot be granted.
  if (auto last = read_file("/proc/sys/kernel/cap_last_cap")) {
    int last_cap = std::stoi(*last);
    if (last_cap < 63) want &= (uint64_t{1} << (last_cap + 1)) - 1;
  }
  tap.check(got == want, desc,
            "missing: " + cap_set_text(want & ~got) + "; extra: " + cap_set_text(got & ~want));
}

// The sets the checker must see after the runtime set them and exec'd it, by
// the kernel's execve rules (capabilities(7)) for a file without capabilities:
// ambient needs permitted and inheritable; root gets inheritable|bounding in
// permitted and effective; any other uid gets only the ambient set.
void check_capabilities(const chrunc::oci::Process& p, Tap& tap) {
  if (!p.capabilities) return;
  const auto& c = *p.capabilities;
  uint64_t bounding = cap_mask(c.bounding), inheritable = cap_mask(c.inheritable);
  uint64_t ambient = cap_mask(c.ambient) & cap_mask(c.permitted) & inheritable;
  uint64_t permitted = p.user.uid == 0 ? (inheritable | bounding | ambient) : ambient;
  check_cap_set("CapBnd", bounding, "process.capabilities.bounding", tap);
  check_cap_set("CapPrm", permitted, "process.capabilities.permitted (after execve)", tap);
  check_cap_set("CapEff", permitted, "process.capabilities.effective (after execve)", tap);
  check_cap_set("CapInh", inheritable, "process.capabilities.inheritable", tap);
  check_cap_set("CapAmb", ambient,
                "process.capabilities.ambient (within permitted and inheritable)", tap);
}

}  // namespace

void check_process(const Spec& spec, Tap& tap) {
  if (!spec.process) return;
  const auto& p = *spec.process;
  check_args(p, tap);
  check_env(p, tap);
  check_cwd(p, tap);
  check_user(p, tap);
  check_rlimits(p, tap);
  check_capabilities(p, tap);
  tap.expect_eq("process.noNewPrivileges", p.no_new_privileges ? "1" : "0",
                status_field("NoNewPrivs").value_or("(absent)"));
  if (p.oom_score_adj)
    tap.expect_eq("process.oomScoreAdj", std::to_string(*p.oom_score_adj),
                  trim(read_file("/proc/self/oom_score_adj").value_or("(unreadable)")));
}

}  // namespace conformance
