// root.readonly, mounts, rootfsPropagation, maskedPaths and readonlyPaths as
// /proc/self/mountinfo and the files themselves show them.

#include <dirent.h>
#include <fcntl.h>
#include <sys/stat.h>
#include <sys/statfs.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>

#include "tests/oci-conformance/checker/checks.hpp"
#include "tests/oci-conformance/checker/proc_files.hpp"

namespace conformance {
namespace {

bool is_bind(const chrunc::oci::Mount& m) {
  return m.type == "bind" || has_option(m.options, "bind") || has_option(m.options, "rbind");
}

bool is_read_only(const MountInfo& m) {
  return has_option(m.options, "ro") || has_option(m.super_options, "ro");
}

// "1m" -> 1048576; nullopt when not a size.
std::optional<uint64_t> parse_size(const std::string& text) {
  if (text.empty()) return std::nullopt;
  size_t end = 0;
  uint64_t value = std::stoull(text, &end);
  if (end == text.size()) return value;
  switch (text[end]) {
    case 'k':
    case 'K':
      return value << 10;
    case 'm':
    case 'M':
      return value << 20;
    case 'g':
    case 'G':
      return value << 30;
    default:
      return std::nullopt;
  }
}

// Writes a file; returns "" on success or the errno text.
std::string try_write(const std::string& path, const std::string& content) {
  int fd = open(path.c_str(), O_WRONLY | O_CREAT | O_TRUNC, 0644);
  if (fd < 0) return strerror(errno);
  ssize_t n = write(fd, content.data(), content.size());
  close(fd);
  return n == static_cast<ssize_t>(content.size()) ? "" : "short write";
}

void check_one_mount(const chrunc::oci::Mount& want, const std::vector<MountInfo>& mounts,
                     Tap& tap) {
  const std::string name = "mount " + want.destination;
  auto got = mount_at(mounts, want.destination);
  tap.check(got.has_value(), name + " is mounted", "not in /proc/self/mountinfo");
  if (!got) return;
  bool cgroup = want.type == "cgroup" || want.type == "cgroup2";
  if (!want.type.empty() && !is_bind(want) && !cgroup)
    tap.expect_eq(name + " type", want.type, got->fstype);
  if (cgroup) return;  // v1 cgroup mounts are a tmpfs with one mount per hierarchy.
  for (const auto& option : want.options) {
    if (option == "ro") {
      tap.check(is_read_only(*got), name + " is ro", "mounted rw");
    } else if (option == "rw") {
      tap.check(!is_read_only(*got), name + " is rw", "mounted ro");
    } else if (option == "nosuid" || option == "nodev" || option == "noexec") {
      tap.check(
          has_option(got->options, option), name + " has " + option, "options are " + [&] {
            std::string s;
            for (const auto& o : got->options) s += o + ",";
            return s;
          }());
    } else if (option.rfind("mode=", 0) == 0 && want.type == "tmpfs") {
      struct stat st {};
      stat(want.destination.c_str(), &st);
      tap.expect_eq(name + " " + option, std::to_string(std::stoul(option.substr(5), nullptr, 8)),
                    std::to_string(st.st_mode & 07777));
    } else if (option.rfind("size=", 0) == 0 && want.type == "tmpfs") {
      auto size = parse_size(option.substr(5));
      struct statfs sf {};
      statfs(want.destination.c_str(), &sf);
      if (size)
        tap.expect_eq(name + " " + option, std::to_string(*size),
                      std::to_string(static_cast<uint64_t>(sf.f_blocks) * sf.f_bsize));
    }
  }
  if (is_bind(want)) {
    // The driver puts "from-host" into bind sources and looks for "from-container".
    std::string host_file = want.destination + "/from-host";
    if (access(host_file.c_str(), F_OK) == 0)
      tap.expect_eq(name + " shows the host's file", "hello from host\n",
                    read_file(host_file).value_or("(unreadable)"));
    struct stat st {};
    if (stat(want.destination.c_str(), &st) == 0 && S_ISDIR(st.st_mode)) {
      auto error = try_write(want.destination + "/from-container", "hello from container\n");
      if (has_option(want.options, "ro"))
        tap.expect_eq(name + " refuses writes (ro)", strerror(EROFS), error);
      else
        tap.expect_eq(name + " accepts writes", "", error);
    }
  }
}

void check_propagation(const std::string& want, const MountInfo& root, Tap& tap) {
  std::string got = "private";
  for (const auto& field : root.optional) {
    if (field.rfind("shared:", 0) == 0) got = "shared";
    if (field.rfind("master:", 0) == 0) got = got == "shared" ? "shared+slave" : "slave";
    if (field == "unbindable") got = "unbindable";
  }
  std::string expected = want[0] == 'r' ? want.substr(1) : want;
  tap.expect_eq("linux.rootfsPropagation " + want, expected, got);
}

void check_masked(const std::string& path, Tap& tap) {
  struct stat st {};
  if (stat(path.c_str(), &st) != 0) return;  // Absent paths need no masking.
  if (S_ISDIR(st.st_mode)) {
    int entries = 0;
    if (DIR* d = opendir(path.c_str())) {
      while (dirent* e = readdir(d))
        if (strcmp(e->d_name, ".") != 0 && strcmp(e->d_name, "..") != 0) ++entries;
      closedir(d);
    }
    tap.check(entries == 0, "linux.maskedPaths " + path + " (dir) is empty",
              std::to_string(entries) + " entries visible");
  } else {
    int fd = open(path.c_str(), O_RDONLY | O_NONBLOCK);
    char buf[64];
    ssize_t n = fd < 0 ? 0 : read(fd, buf, sizeof buf);
    if (fd >= 0) close(fd);
    tap.check(n <= 0, "linux.maskedPaths " + path + " reads empty",
              std::to_string(n) + " bytes readable");
  }
}

}  // namespace

void check_mounts(const Spec& spec, Tap& tap) {
  auto mounts = read_mountinfo();
  auto root = mount_at(mounts, "/");
  tap.check(root.has_value(), "/ is a mount point");
  if (spec.root && root) {
    tap.check(is_read_only(*root) == spec.root->readonly,
              std::string("root.readonly ") + (spec.root->readonly ? "true" : "false"),
              is_read_only(*root) ? "/ is ro" : "/ is rw");
    if (spec.root->readonly)
      tap.expect_eq("root.readonly refuses writes", strerror(EROFS), try_write("/.ro-probe", "x"));
  }
  for (const auto& m : spec.mounts) check_one_mount(m, mounts, tap);
  if (spec.linux) {
    if (!spec.linux->rootfs_propagation.empty() && root)
      check_propagation(spec.linux->rootfs_propagation, *root, tap);
    for (const auto& path : spec.linux->masked_paths) check_masked(path, tap);
    for (const auto& path : spec.linux->readonly_paths) {
      if (access(path.c_str(), F_OK) != 0) continue;
      auto m = mount_at(mounts, path);
      tap.check(m && is_read_only(*m), "linux.readonlyPaths " + path + " is a ro mount",
                m ? "mounted rw" : "not a mount point");
      struct stat st {};
      bool probe = path.rfind("/proc", 0) != 0 && path.rfind("/sys", 0) != 0 &&
                   stat(path.c_str(), &st) == 0 && S_ISDIR(st.st_mode);
      if (probe)
        tap.expect_eq("linux.readonlyPaths " + path + " refuses writes", strerror(EROFS),
                      try_write(path + "/.ro-probe", "x"));
    }
  }
}

}  // namespace conformance
