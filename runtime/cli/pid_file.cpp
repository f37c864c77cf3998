#include "runtime/cli/pid_file.hpp"

#include <fcntl.h>
#include <unistd.h>

#include <random>
#include <string>

#include "common/error.hpp"
#include "common/unique_fd.hpp"

namespace chrunc::runtime {

void write_pid_file(const std::filesystem::path& path, pid_t pid) {
  std::filesystem::path target = std::filesystem::absolute(path);
  // The temporary is a fresh name, created exclusively and never through a
  // symlink: the pid file's directory may be writable by others (runc also
  // opens its temporary with O_EXCL), and a planted name must not redirect
  // the write. The rename then replaces whatever the final name was.
  std::filesystem::path tmp =
      target.parent_path() /
      ("." + target.filename().string() + "." + std::to_string(std::random_device{}()) + ".tmp");
  std::string text = std::to_string(pid);
  {
    UniqueFd fd(::open(tmp.c_str(), O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC, 0644));
    if (!fd) throw_errno("pid file " + tmp.string());
    if (::write(fd.get(), text.data(), text.size()) != static_cast<ssize_t>(text.size())) {
      int err = errno;
      ::unlink(tmp.c_str());
      throw_errno("pid file " + tmp.string(), err);
    }
  }
  if (::rename(tmp.c_str(), target.c_str()) != 0) {
    int err = errno;
    ::unlink(tmp.c_str());
    throw_errno("pid file " + target.string(), err);
  }
}

}  // namespace chrunc::runtime
