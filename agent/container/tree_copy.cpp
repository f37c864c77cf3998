#include "agent/container/tree_copy.hpp"

#include <dirent.h>
#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <memory>
#include <string>
#include <vector>

#include "common/error.hpp"
#include "common/unique_fd.hpp"

namespace chrunc::container {
namespace {

struct DirCloser {
  void operator()(DIR* d) const { ::closedir(d); }
};

std::vector<std::string> entries_of(int dir, const std::string& where) {
  int fd = ::fcntl(dir, F_DUPFD_CLOEXEC, 0);
  if (fd < 0) throw_errno("copy " + where);
  std::unique_ptr<DIR, DirCloser> d(::fdopendir(fd));
  if (!d) {
    int err = errno;
    ::close(fd);
    throw_errno("copy " + where, err);
  }
  ::rewinddir(d.get());
  std::vector<std::string> names;
  errno = 0;
  while (dirent* e = ::readdir(d.get())) {
    std::string name = e->d_name;
    if (name != "." && name != "..") names.push_back(name);
    errno = 0;
  }
  if (errno != 0) throw_errno("list " + where);
  return names;
}

void copy_contents(int from, int to, const std::string& where) {
  char buffer[65536];
  for (;;) {
    ssize_t n = ::read(from, buffer, sizeof buffer);
    if (n < 0 && errno == EINTR) continue;
    if (n < 0) throw_errno("read " + where);
    if (n == 0) return;
    for (ssize_t done = 0; done < n;) {
      ssize_t w = ::write(to, buffer + done, static_cast<size_t>(n - done));
      if (w < 0 && errno == EINTR) continue;
      if (w < 0) throw_errno("write " + where);
      done += w;
    }
  }
}

// Owner, mode and times of an entry already created in `to`.
void copy_attributes(int to, const std::string& name, const struct stat& st,
                     const std::string& where) {
  if (::fchownat(to, name.c_str(), st.st_uid, st.st_gid, AT_SYMLINK_NOFOLLOW) != 0)
    throw_errno("chown " + where);
  if (!S_ISLNK(st.st_mode) && ::fchmodat(to, name.c_str(), st.st_mode & 07777, 0) != 0)
    throw_errno("chmod " + where);
  const timespec times[2] = {st.st_atim, st.st_mtim};
  if (::utimensat(to, name.c_str(), times, AT_SYMLINK_NOFOLLOW) != 0)
    throw_errno("set times of " + where);
}

void copy_dir(int from, int to, const std::string& prefix);

void copy_entry(int from, int to, const std::string& name, const std::string& where) {
  struct stat st {};
  if (::fstatat(from, name.c_str(), &st, AT_SYMLINK_NOFOLLOW) != 0) throw_errno("stat " + where);
  if (S_ISDIR(st.st_mode)) {
    if (::mkdirat(to, name.c_str(), 0700) != 0) throw_errno("mkdir " + where);
    UniqueFd src(::openat(from, name.c_str(), O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC));
    if (!src) throw_errno("open " + where);
    UniqueFd dst(::openat(to, name.c_str(), O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC));
    if (!dst) throw_errno("open " + where);
    copy_dir(src.get(), dst.get(), where + "/");
  } else if (S_ISREG(st.st_mode)) {
    UniqueFd src(::openat(from, name.c_str(), O_RDONLY | O_NOFOLLOW | O_CLOEXEC));
    if (!src) throw_errno("open " + where);
    UniqueFd dst(
        ::openat(to, name.c_str(), O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC, 0600));
    if (!dst) throw_errno("create " + where);
    copy_contents(src.get(), dst.get(), where);
  } else if (S_ISLNK(st.st_mode)) {
    std::string target(static_cast<size_t>(st.st_size) + 1, '\0');
    ssize_t n = ::readlinkat(from, name.c_str(), target.data(), target.size());
    if (n < 0) throw_errno("readlink " + where);
    target.resize(static_cast<size_t>(n));
    if (::symlinkat(target.c_str(), to, name.c_str()) != 0) throw_errno("symlink " + where);
  } else {
    // fifos, sockets, character and block devices
    if (::mknodat(to, name.c_str(), st.st_mode, st.st_rdev) != 0) throw_errno("mknod " + where);
  }
  copy_attributes(to, name, st, where);
}

void copy_dir(int from, int to, const std::string& prefix) {
  for (const std::string& name : entries_of(from, prefix.empty() ? "." : prefix))
    copy_entry(from, to, name, prefix + name);
}

}  // namespace

void copy_tree(int from, int to) {
  copy_dir(from, to, "");
}

}  // namespace chrunc::container
