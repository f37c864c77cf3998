#include "agent/container/security/file_io.hpp"

#include <fcntl.h>
#include <unistd.h>

#include <cerrno>

#include "common/error.hpp"
#include "common/unique_fd.hpp"

namespace chrunc::container {

int try_write_file(const std::string& path, std::string_view content) {
  UniqueFd fd(::open(path.c_str(), O_WRONLY | O_CLOEXEC | O_NOCTTY));
  if (!fd) return errno;
  ssize_t n = ::write(fd.get(), content.data(), content.size());
  if (n < 0) return errno;
  if (static_cast<size_t>(n) != content.size()) return EIO;
  return 0;
}

void write_file(const std::string& path, std::string_view content, std::string_view what) {
  if (int err = try_write_file(path, content); err != 0) {
    std::string message(what);
    message += ": write ";
    message += path;
    throw_errno(message, err);
  }
}

std::optional<std::string> read_file(const std::string& path) {
  UniqueFd fd(::open(path.c_str(), O_RDONLY | O_CLOEXEC | O_NOCTTY));
  if (!fd) {
    if (errno == ENOENT) return std::nullopt;
    throw_errno("open " + path);
  }
  std::string content;
  char buffer[4096];
  for (;;) {
    ssize_t n = ::read(fd.get(), buffer, sizeof buffer);
    if (n < 0) {
      if (errno == EINTR) continue;
      throw_errno("read " + path);
    }
    if (n == 0) break;
    content.append(buffer, static_cast<size_t>(n));
  }
  return content;
}

}  // namespace chrunc::container
