#include "runtime/pid_file.hpp"

#include <fcntl.h>
#include <unistd.h>

#include <string>

#include "common/error.hpp"
#include "common/unique_fd.hpp"

namespace chrunc::runtime {

void write_pid_file(const std::filesystem::path& path, pid_t pid) {
  std::filesystem::path target = std::filesystem::absolute(path);
  std::filesystem::path tmp = target.parent_path() / ("." + target.filename().string() + ".tmp");
  std::string text = std::to_string(pid);
  {
    UniqueFd fd(::open(tmp.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644));
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
