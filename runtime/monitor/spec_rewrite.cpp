#include "runtime/monitor/spec_rewrite.hpp"

#include <sys/stat.h>

#include <algorithm>

#include "common/error.hpp"

namespace chrunc::runtime {
namespace {

namespace fs = std::filesystem;

bool has_option(const oci::Mount& mount, const char* option) {
  return std::find(mount.options.begin(), mount.options.end(), option) != mount.options.end();
}

bool stays_in_guest(const fs::path& source) {
  for (const char* prefix : {"/dev", "/proc", "/sys"}) {
    std::string s = source.string();
    std::string p = prefix;
    if (s == p || s.starts_with(p + "/")) return true;
  }
  return false;
}

}  // namespace

bool is_bind_mount(const oci::Mount& mount) {
  return mount.type == "bind" || has_option(mount, "bind") || has_option(mount, "rbind");
}

GuestSpec rewrite_for_guest(const oci::Spec& spec, const fs::path& bundle,
                            const std::string& share_subdir) {
  GuestSpec out{spec, {}};
  out.guest_path = agent::kContainerShareGuestPath;
  const std::string base =
      share_subdir.empty() ? out.guest_path : out.guest_path + "/" + share_subdir;

  if (spec.root) {
    fs::path root = spec.root->path;
    if (root.is_relative()) root = bundle / root;
    // Shared writable even when root.readonly: mount points missing from the
    // image are created before the guest makes the container's root
    // read-only (runc's order; podman --read-only mounts tmpfs on /run).
    out.entries.push_back({"rootfs", root.lexically_normal(), true, false, true});
    out.spec.root->path = base + "/rootfs";
  }

  for (size_t i = 0; i < out.spec.mounts.size(); ++i) {
    oci::Mount& mount = out.spec.mounts[i];
    if (!is_bind_mount(mount) || mount.source.empty()) continue;
    fs::path source = mount.source;
    if (source.is_relative()) source = bundle / source;
    source = source.lexically_normal();
    if (stays_in_guest(source)) continue;
    struct stat st {};
    if (::stat(source.c_str(), &st) != 0)
      throw_errno("mounts[" + std::to_string(i) + "].source " + source.string());
    const std::string name = "m" + std::to_string(i);
    out.entries.push_back(
        {name, source, S_ISDIR(st.st_mode), has_option(mount, "ro"), has_option(mount, "rbind")});
    mount.source = base + "/" + name;
  }

  // Namespaces given by path were joined on the host by the monitor (the VMM
  // lives in them); inside the VM the container gets new ones of those types.
  // The network namespace is the exception: the container shares the VM's,
  // where the agent gave the NICs the container's interfaces (a new one
  // would hide them); see docs/networking.md.
  if (out.spec.linux) {
    auto& nss = out.spec.linux->namespaces;
    std::erase_if(nss, [](const oci::Namespace& ns) { return ns.type == "network"; });
    for (oci::Namespace& ns : nss) ns.path.clear();
    // The VM's cgroup hierarchy holds this container only: a cgroup namespace
    // rooted at the container's cgroup makes /sys/fs/cgroup show its own
    // limits (memory.max, cpu.max, ...), as runc's per-container cgroup mounts
    // do on a cgroup v1 host, where engines leave the namespace out.
    if (std::none_of(nss.begin(), nss.end(),
                     [](const oci::Namespace& ns) { return ns.type == "cgroup"; }))
      nss.push_back(oci::Namespace{"cgroup", ""});
    // Without a mount namespace runc sets the rootfs up in its caller's one
    // and chroots into it. Inside the VM that caller is the agent, whose
    // mounts (the share, /proc, /sys) must stay as they are; the container
    // owns the whole VM, so a mount namespace of its own there is the VM's
    // mount table as far as anyone outside can tell. The host side is
    // untouched: the monitor stays in the caller's mount namespace.
    if (std::none_of(nss.begin(), nss.end(),
                     [](const oci::Namespace& ns) { return ns.type == "mount"; }))
      nss.push_back(oci::Namespace{"mount", ""});
  }
  // createContainer hooks name programs of the runtime's namespace, the host:
  // `create` runs them there; the guest only runs startContainer hooks, which
  // resolve inside the container.
  if (out.spec.hooks) out.spec.hooks->create_container.clear();
  return out;
}

}  // namespace chrunc::runtime
