#include "oci/default_spec.hpp"

#include <unistd.h>

#include "oci/spec_json.hpp"
#include "oci/version.hpp"

namespace chrunc::oci {

namespace {

Process default_process() {
  Process p;
  p.terminal = true;
  p.args = {"sh"};
  p.env = {"PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin", "TERM=xterm"};
  p.cwd = "/";
  std::vector<std::string> caps = {"CAP_AUDIT_WRITE", "CAP_KILL", "CAP_NET_BIND_SERVICE"};
  Capabilities c;
  c.bounding = c.effective = c.permitted = c.ambient = caps;
  p.capabilities = c;
  p.rlimits = {Rlimit{"RLIMIT_NOFILE", 1024, 1024}};
  p.no_new_privileges = true;
  return p;
}

std::vector<Mount> default_mounts(bool rootless) {
  const std::vector<std::string> nosuid_noexec_nodev = {"nosuid", "noexec", "nodev"};
  std::vector<Mount> m;
  m.push_back({"/proc", "proc", "proc", {}, {}, {}});
  m.push_back(
      {"/dev", "tmpfs", "tmpfs", {"nosuid", "strictatime", "mode=755", "size=65536k"}, {}, {}});
  Mount pts{"/dev/pts", "devpts",
            "devpts",   {"nosuid", "noexec", "newinstance", "ptmxmode=0666", "mode=0620"},
            {},         {}};
  if (!rootless) pts.options.push_back("gid=5");
  m.push_back(pts);
  m.push_back({"/dev/shm",
               "tmpfs",
               "shm",
               {"nosuid", "noexec", "nodev", "mode=1777", "size=65536k"},
               {},
               {}});
  m.push_back({"/dev/mqueue", "mqueue", "mqueue", nosuid_noexec_nodev, {}, {}});
  if (rootless) {
    m.push_back({"/sys", "none", "/sys", {"rbind", "nosuid", "noexec", "nodev", "ro"}, {}, {}});
  } else {
    m.push_back({"/sys", "sysfs", "sysfs", {"nosuid", "noexec", "nodev", "ro"}, {}, {}});
  }
  m.push_back({"/sys/fs/cgroup",
               "cgroup",
               "cgroup",
               {"nosuid", "noexec", "nodev", "relatime", "ro"},
               {},
               {}});
  return m;
}

Linux default_linux(bool rootless) {
  Linux l;
  if (rootless) {
    l.uid_mappings = {IdMapping{0, static_cast<uint32_t>(::geteuid()), 1}};
    l.gid_mappings = {IdMapping{0, static_cast<uint32_t>(::getegid()), 1}};
    l.namespaces = {{"pid", ""}, {"ipc", ""}, {"uts", ""}, {"mount", ""}, {"user", ""}};
  } else {
    Resources r;
    r.devices = {DeviceCgroupRule{false, "", std::nullopt, std::nullopt, "rwm"}};
    l.resources = r;
    l.namespaces = {{"pid", ""}, {"network", ""}, {"ipc", ""}, {"uts", ""}, {"mount", ""}};
  }
  l.masked_paths = {"/proc/acpi",        "/proc/asound",        "/proc/kcore",
                    "/proc/keys",        "/proc/latency_stats", "/proc/timer_list",
                    "/proc/timer_stats", "/proc/sched_debug",   "/sys/firmware",
                    "/proc/scsi"};
  l.readonly_paths = {"/proc/bus", "/proc/fs", "/proc/irq", "/proc/sys", "/proc/sysrq-trigger"};
  return l;
}

}  // namespace

Spec default_spec(bool rootless) {
  Spec s;
  s.oci_version = kSpecVersion;
  s.process = default_process();
  s.root = Root{"rootfs", true};
  s.hostname = "runc";
  s.mounts = default_mounts(rootless);
  s.linux = default_linux(rootless);
  return s;
}

std::string default_spec_json(bool rootless) {
  rapidjson::Document doc;
  return detail::to_pretty(detail::spec_to_json(default_spec(rootless), doc.GetAllocator()), '\t',
                           1);
}

}  // namespace chrunc::oci
