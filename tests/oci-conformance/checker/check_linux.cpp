// linux.* that is visible from inside: devices, hostname, sysctl, id
// mappings, seccomp, cgroup limits.

#include <fcntl.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/sysmacros.h>
#include <sys/utsname.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <functional>
#include <map>
#include <set>
#include <sstream>
#include <tuple>

#include "tests/oci-conformance/checker/checks.hpp"
#include "tests/oci-conformance/checker/proc_files.hpp"

namespace conformance {
namespace {

using chrunc::oci::Linux;

void check_device(const std::string& path, const std::string& type, int64_t major_no,
                  int64_t minor_no, std::optional<uint32_t> mode, std::optional<uint32_t> uid,
                  std::optional<uint32_t> gid, const std::string& desc, Tap& tap) {
  struct stat st {};
  if (stat(path.c_str(), &st) != 0) {
    tap.check(false, desc + " exists", path + ": " + strerror(errno));
    return;
  }
  std::string got_type = S_ISCHR(st.st_mode)    ? "c"
                         : S_ISBLK(st.st_mode)  ? "b"
                         : S_ISFIFO(st.st_mode) ? "p"
                                                : "other";
  std::string want_type = type == "u" ? "c" : type;
  tap.expect_eq(desc + " type", want_type, got_type);
  if (want_type != "p")
    tap.expect_eq(desc + " major:minor", std::to_string(major_no) + ":" + std::to_string(minor_no),
                  std::to_string(major(st.st_rdev)) + ":" + std::to_string(minor(st.st_rdev)));
  if (mode) {
    std::ostringstream want, got;
    want << std::oct << (*mode & 07777);
    got << std::oct << (st.st_mode & 07777);
    tap.expect_eq(desc + " fileMode", want.str(), got.str());
  }
  if (uid) tap.expect_eq(desc + " uid", std::to_string(*uid), std::to_string(st.st_uid));
  if (gid) tap.expect_eq(desc + " gid", std::to_string(*gid), std::to_string(st.st_gid));
}

void check_devices(const Spec& spec, Tap& tap) {
  for (const auto& d : spec.linux->devices)
    check_device(d.path, d.type, d.major, d.minor, d.file_mode, d.uid, d.gid,
                 "linux.devices " + d.path, tap);
  bool dev_mounted = false;
  for (const auto& m : spec.mounts) dev_mounted |= m.destination == "/dev";
  if (!dev_mounted) return;
  const std::tuple<const char*, int, int> defaults[] = {
      {"/dev/null", 1, 3},   {"/dev/zero", 1, 5},    {"/dev/full", 1, 7},
      {"/dev/random", 1, 8}, {"/dev/urandom", 1, 9}, {"/dev/tty", 5, 0}};
  for (const auto& [path, maj, min] : defaults)
    check_device(path, "c", maj, min, std::nullopt, std::nullopt, std::nullopt,
                 std::string("default device ") + path, tap);
  struct stat st {};
  tap.check(stat("/dev/ptmx", &st) == 0 && S_ISCHR(st.st_mode), "default device /dev/ptmx",
            "absent or not a char device");
  const std::pair<const char*, const char*> links[] = {{"/dev/fd", "/proc/self/fd"},
                                                       {"/dev/stdin", "/proc/self/fd/0"},
                                                       {"/dev/stdout", "/proc/self/fd/1"},
                                                       {"/dev/stderr", "/proc/self/fd/2"}};
  for (const auto& [link, target] : links) {
    char buf[256] = {};
    ssize_t n = readlink(link, buf, sizeof buf - 1);
    tap.expect_eq(std::string("default symlink ") + link, target,
                  n < 0 ? std::string("error: ") + strerror(errno) : std::string(buf, n));
  }
}

void check_uts(const Spec& spec, Tap& tap) {
  struct utsname u {};
  uname(&u);
  if (!spec.hostname.empty()) tap.expect_eq("hostname", spec.hostname, u.nodename);
  if (!spec.domainname.empty()) tap.expect_eq("domainname", spec.domainname, u.domainname);
}

std::string normalize_spaces(const std::string& s) {
  std::istringstream in(s);
  std::string word, out;
  while (in >> word) out += (out.empty() ? "" : " ") + word;
  return out;
}

void check_sysctl(const Linux& linux, Tap& tap) {
  for (const auto& [key, value] : linux.sysctl) {
    std::string path = "/proc/sys/" + key;
    for (size_t i = 10; i < path.size(); ++i)
      if (path[i] == '.') path[i] = '/';
    auto got = read_file(path);
    tap.expect_eq("linux.sysctl " + key, normalize_spaces(value),
                  got ? normalize_spaces(*got) : "(unreadable)");
  }
}

void check_id_map(const std::string& file, const std::vector<chrunc::oci::IdMapping>& want,
                  Tap& tap) {
  std::set<std::tuple<uint32_t, uint32_t, uint32_t>> w, g;
  for (const auto& m : want) w.insert({m.container_id, m.host_id, m.size});
  std::istringstream in(read_file(file).value_or(""));
  uint32_t a, b, c;
  while (in >> a >> b >> c) g.insert({a, b, c});
  std::string got_text;
  for (const auto& [x, y, z] : g)
    got_text += std::to_string(x) + " " + std::to_string(y) + " " + std::to_string(z) + "; ";
  tap.check(w == g, "linux mappings in " + file, "got " + got_text);
}

// Calls one syscall harmlessly; returns the errno it failed with, or 0.
const std::map<std::string, std::function<long()>> kProbes = {
    {"mkdir", [] { return syscall(SYS_mkdir, "/tmp/.seccomp-probe", 0755); }},
    {"mkdirat", [] { return syscall(SYS_mkdirat, AT_FDCWD, "/tmp/.seccomp-probe", 0755); }},
    {"getpriority", [] { return syscall(SYS_getpriority, PRIO_PROCESS, 0); }},
    {"chmod", [] { return syscall(SYS_chmod, "/config.json", 0644); }},
    {"fchmodat", [] { return syscall(SYS_fchmodat, AT_FDCWD, "/config.json", 0644); }},
    {"personality", [] { return syscall(SYS_personality, 0xffffffffUL); }},
    {"getcpu", [] {
       unsigned cpu, node;
       return syscall(SYS_getcpu, &cpu, &node, nullptr);
     }}};

void check_seccomp(const Linux& linux, Tap& tap) {
  if (!linux.seccomp) return;
  tap.expect_eq("linux.seccomp is in filter mode", "2",
                status_field("Seccomp").value_or("(absent)"));
  for (const auto& rule : linux.seccomp->syscalls) {
    if (rule.action != "SCMP_ACT_ERRNO" || !rule.args.empty()) continue;
    for (const auto& name : rule.names) {
      auto probe = kProbes.find(name);
      if (probe == kProbes.end()) continue;
      errno = 0;
      long result = probe->second();
      int err = result < 0 ? errno : 0;
      if (result >= 0 && (name == "mkdir" || name == "mkdirat")) rmdir("/tmp/.seccomp-probe");
      int want = static_cast<int>(rule.errno_ret.value_or(EPERM));
      tap.expect_eq("linux.seccomp " + name + " fails with errno " + std::to_string(want),
                    strerror(want), err ? strerror(err) : "succeeded");
    }
  }
}

// The first of `candidates` that can be read, trimmed.
std::optional<std::string> read_first(std::initializer_list<const char*> candidates) {
  for (const char* path : candidates)
    if (auto text = read_file(path)) return trim(*text);
  return std::nullopt;
}

void check_cgroup_limits(const Spec& spec, Tap& tap) {
  const auto& r = spec.linux->resources;
  bool mounted = false;
  for (const auto& m : spec.mounts) mounted |= m.destination == "/sys/fs/cgroup";
  if (!r || !mounted) return;
  if (r->memory && r->memory->limit) {
    auto v1 = read_first({"/sys/fs/cgroup/memory/memory.limit_in_bytes"});
    auto v2 = read_first({"/sys/fs/cgroup/memory.max"});
    tap.expect_eq("cgroup memory limit inside", std::to_string(*r->memory->limit),
                  v1 ? *v1 : v2.value_or("(no memory.limit_in_bytes or memory.max)"));
  }
  if (r->pids && r->pids->limit) {
    auto got = read_first({"/sys/fs/cgroup/pids/pids.max", "/sys/fs/cgroup/pids.max"});
    tap.expect_eq("cgroup pids limit inside", std::to_string(*r->pids->limit),
                  got.value_or("(no pids.max)"));
  }
  if (r->cpu && r->cpu->quota && r->cpu->period) {
    auto quota = read_first(
        {"/sys/fs/cgroup/cpu/cpu.cfs_quota_us", "/sys/fs/cgroup/cpu,cpuacct/cpu.cfs_quota_us"});
    auto period = read_first(
        {"/sys/fs/cgroup/cpu/cpu.cfs_period_us", "/sys/fs/cgroup/cpu,cpuacct/cpu.cfs_period_us"});
    std::string got = quota && period
                          ? *quota + " " + *period
                          : read_first({"/sys/fs/cgroup/cpu.max"}).value_or("(no cpu quota file)");
    tap.expect_eq("cgroup cpu quota/period inside",
                  std::to_string(*r->cpu->quota) + " " + std::to_string(*r->cpu->period), got);
  }
}

}  // namespace

void check_linux(const Spec& spec, Tap& tap) {
  check_uts(spec, tap);
  if (!spec.linux) return;
  const auto& linux = *spec.linux;
  check_devices(spec, tap);
  check_sysctl(linux, tap);
  bool user_ns = false;
  for (const auto& ns : linux.namespaces) user_ns |= ns.type == "user";
  if (user_ns && !linux.uid_mappings.empty())
    check_id_map("/proc/self/uid_map", linux.uid_mappings, tap);
  if (user_ns && !linux.gid_mappings.empty())
    check_id_map("/proc/self/gid_map", linux.gid_mappings, tap);
  check_seccomp(linux, tap);
  check_cgroup_limits(spec, tap);
}

}  // namespace conformance
