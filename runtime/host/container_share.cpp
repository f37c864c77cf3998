#include "runtime/host/container_share.hpp"

#include <fcntl.h>
#include <sys/mount.h>
#include <sys/stat.h>
#include <sys/statvfs.h>
#include <unistd.h>

#include <algorithm>
#include <fstream>
#include <sstream>

#include "common/error.hpp"
#include "common/log.hpp"
#include "common/unique_fd.hpp"

namespace chrunc::runtime {
namespace {

namespace fs = std::filesystem;

// mountinfo escapes space, tab, newline and backslash as \ooo.
std::string unescape_mountinfo(const std::string& field) {
  std::string out;
  for (size_t i = 0; i < field.size(); ++i) {
    if (field[i] == '\\' && i + 3 < field.size() &&
        std::all_of(field.begin() + i + 1, field.begin() + i + 4,
                    [](char c) { return c >= '0' && c <= '7'; })) {
      out += static_cast<char>((field[i + 1] - '0') * 64 + (field[i + 2] - '0') * 8 +
                               (field[i + 3] - '0'));
      i += 3;
    } else {
      out += field[i];
    }
  }
  return out;
}

bool is_at_or_below(const std::string& path, const std::string& dir) {
  return path == dir || (path.size() > dir.size() && path.compare(0, dir.size(), dir) == 0 &&
                         path[dir.size()] == '/');
}

bool valid_entry_name(const std::string& name) {
  return !name.empty() && name != "." && name != ".." && name.find('/') == std::string::npos;
}

// Per-mount flags a MS_REMOUNT|MS_BIND would otherwise clear.
unsigned long kept_flags(const fs::path& mount_point) {
  struct statvfs sv {};
  if (::statvfs(mount_point.c_str(), &sv) != 0) return 0;
  unsigned long flags = 0;
  if (sv.f_flag & ST_NOEXEC) flags |= MS_NOEXEC;
  if (sv.f_flag & ST_NOATIME) flags |= MS_NOATIME;
  if (sv.f_flag & ST_NODIRATIME) flags |= MS_NODIRATIME;
  if (sv.f_flag & ST_RDONLY) flags |= MS_RDONLY;
  return flags;
}

// nosuid,nodev (and ro) on the host side of every mount of the entry, and
// slave propagation. One mount_setattr(2) does it for the whole tree; kernels
// before 5.12 get a remount of each mount.
void restrict_mounts(const fs::path& target, bool read_only) {
  struct mount_attr attr {};
  attr.attr_set = MOUNT_ATTR_NOSUID | MOUNT_ATTR_NODEV | (read_only ? MOUNT_ATTR_RDONLY : 0);
  attr.propagation = MS_SLAVE;
  if (::mount_setattr(AT_FDCWD, target.c_str(), AT_RECURSIVE | AT_SYMLINK_NOFOLLOW, &attr,
                      sizeof attr) == 0)
    return;
  if (errno != ENOSYS) throw_errno("mount_setattr " + target.string());
  if (::mount(nullptr, target.c_str(), nullptr, MS_REC | MS_SLAVE, nullptr) != 0)
    throw_errno("make " + target.string() + " rslave");
  for (const fs::path& mp : mounts_below(target)) {
    unsigned long flags = MS_REMOUNT | MS_BIND | MS_NOSUID | MS_NODEV | kept_flags(mp);
    if (read_only) flags |= MS_RDONLY;
    if (::mount(nullptr, mp.c_str(), nullptr, flags, nullptr) != 0)
      throw_errno("remount " + mp.string() + (read_only ? " read-only" : " nosuid,nodev"));
  }
}

void mount_entry(const fs::path& dir, const ShareEntry& entry) {
  if (!valid_entry_name(entry.name)) throw Error("share entry name \"" + entry.name + "\"");
  const fs::path target = dir / entry.name;
  if (entry.directory) {
    if (::mkdir(target.c_str(), 0700) != 0) throw_errno("mkdir " + target.string());
  } else {
    UniqueFd fd(::open(target.c_str(), O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC, 0600));
    if (!fd) throw_errno("create " + target.string());
  }
  const unsigned long flags = MS_BIND | (entry.recursive ? MS_REC : 0);
  if (::mount(entry.source.c_str(), target.c_str(), nullptr, flags, nullptr) != 0)
    throw_errno("bind " + entry.source.string() + " on " + target.string());
  restrict_mounts(target, entry.read_only);
}

}  // namespace

fs::path share_dir(const fs::path& state_dir) {
  return state_dir / "share";
}

std::vector<fs::path> mounts_below(const fs::path& dir) {
  std::ifstream in("/proc/self/mountinfo");
  if (!in) throw_errno("open /proc/self/mountinfo");
  // mountinfo names resolved paths (a state root under /var/run -> /run).
  std::error_code ec;
  fs::path resolved = fs::weakly_canonical(dir, ec);
  const std::string d = (ec ? dir : resolved).lexically_normal().string();
  std::vector<fs::path> out;
  std::string line;
  while (std::getline(in, line)) {
    std::istringstream fields(line);
    std::string id, parent, devno, root, mount_point;
    if (!(fields >> id >> parent >> devno >> root >> mount_point)) continue;
    std::string mp = unescape_mountinfo(mount_point);
    if (is_at_or_below(mp, d)) out.emplace_back(std::move(mp));
  }
  return out;
}

void remove_container_share(const fs::path& state_dir) {
  const fs::path dir = share_dir(state_dir);
  struct stat st {};
  if (::lstat(dir.c_str(), &st) != 0) {
    if (errno == ENOENT) return;
    throw_errno("stat " + dir.string());
  }
  if (!S_ISDIR(st.st_mode)) {  // not ours: remove the name only
    if (::unlink(dir.c_str()) != 0) throw_errno("remove " + dir.string());
    return;
  }
  // Stacked mounts come off one layer per round.
  for (int round = 0; round < 32; ++round) {
    std::vector<fs::path> mounted = mounts_below(dir);
    if (mounted.empty()) break;
    // Out of every peer group first: a lazy unmount of a copy whose parent
    // is shared would propagate to, and unmount, the original's submounts.
    for (const fs::path& mp : mounted)
      (void)::mount(nullptr, mp.c_str(), nullptr, MS_REC | MS_PRIVATE, nullptr);
    for (auto it = mounted.rbegin(); it != mounted.rend(); ++it)
      if (::umount2(it->c_str(), MNT_DETACH | UMOUNT_NOFOLLOW) != 0 && errno != EINVAL &&
          errno != ENOENT)
        throw_errno("unmount " + it->string());
  }
  if (std::vector<fs::path> left = mounts_below(dir); !left.empty())
    throw Error("share " + dir.string() + ": " + left.front().string() +
                " is still mounted; not removing it");
  // Only empty mount points are left: remove them one by one, never
  // recursively (whatever is not empty is not ours to delete).
  std::error_code ec;
  for (const fs::directory_entry& e : fs::directory_iterator(dir, ec)) {
    const bool is_dir = e.is_directory(ec) && !e.is_symlink(ec);
    if ((is_dir ? ::rmdir(e.path().c_str()) : ::unlink(e.path().c_str())) != 0)
      throw_errno("remove " + e.path().string());
  }
  if (ec) throw Error("read " + dir.string() + ": " + ec.message(), ec.value());
  if (::rmdir(dir.c_str()) != 0) throw_errno("remove " + dir.string());
}

ContainerShare& ContainerShare::operator=(ContainerShare&& other) noexcept {
  if (this != &other) {
    release();
    dir_ = std::move(other.dir_);
    other.dir_.clear();
  }
  return *this;
}

ContainerShare ContainerShare::create(const fs::path& state_dir,
                                      const std::vector<ShareEntry>& entries) {
  const fs::path dir = share_dir(state_dir);
  // mkdir fails on anything already there, a symlink included.
  if (::mkdir(dir.c_str(), 0700) != 0) throw_errno("mkdir " + dir.string());
  ContainerShare share;
  share.dir_ = dir;  // from here on, a failure unmounts and removes it
  {
    UniqueFd fd(::open(dir.c_str(), O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC));
    if (!fd) throw_errno("open " + dir.string());
    struct stat st {};
    check_syscall(::fstat(fd.get(), &st), "stat " + dir.string());
    if (st.st_uid != ::geteuid()) throw Error(dir.string() + " is not owned by us");
    // 0711: searchable, not listable. On the host the state dir around it is
    // 0700 already; in the guest, a container in a user namespace (its root
    // mapped to an unprivileged guest uid) must still reach rootfs/ and
    // m<N> through the share's top, which virtiofs shows with this mode.
    check_syscall(::fchmod(fd.get(), 0711), "chmod " + dir.string());
  }
  // Its own mount, private: nothing mounted here reaches /run's peers, and
  // nothing mounted there arrives here.
  if (::mount(dir.c_str(), dir.c_str(), nullptr, MS_BIND, nullptr) != 0)
    throw_errno("bind " + dir.string() + " on itself");
  if (::mount(nullptr, dir.c_str(), nullptr, MS_PRIVATE, nullptr) != 0)
    throw_errno("make " + dir.string() + " private");
  for (const ShareEntry& entry : entries) {
    try {
      mount_entry(dir, entry);
    } catch (const Error& e) {
      throw Error("share " + entry.source.string() + ": " + e.what(), e.sys_errno());
    }
  }
  // The directory itself read-only: the guest can neither add files beside
  // the entries (they would land in the state dir) nor remove them. The
  // entries are mounts of their own and keep their own flags.
  if (::mount(nullptr, dir.c_str(), nullptr,
              MS_REMOUNT | MS_BIND | MS_RDONLY | MS_NOSUID | MS_NODEV | MS_NOEXEC, nullptr) != 0)
    throw_errno("remount " + dir.string() + " read-only");
  return share;
}

void ContainerShare::release() noexcept {
  if (dir_.empty()) return;
  try {
    remove_container_share(dir_.parent_path());
  } catch (const std::exception& e) {
    log_warn(e.what());
  }
  dir_.clear();
}

}  // namespace chrunc::runtime
