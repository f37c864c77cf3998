#include "common/private_file.hpp"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <string>

#include "common/error.hpp"
#include "common/unique_fd.hpp"

namespace chrunc {

void write_private_file(const std::filesystem::path& path, std::string_view contents) {
  std::string temp = path.string() + ".XXXXXX";
  UniqueFd fd(::mkostemp(temp.data(), O_CLOEXEC));
  if (!fd) throw_errno("create " + temp);
  try {
    // mkostemp creates 0600 already; the fchmod only guards against an odd umask.
    if (::fchmod(fd.get(), 0600) != 0) throw_errno("chmod " + temp);
    while (!contents.empty()) {
      ssize_t n = ::write(fd.get(), contents.data(), contents.size());
      if (n < 0 && errno == EINTR) continue;
      if (n < 0) throw_errno("write " + temp);
      contents.remove_prefix(static_cast<size_t>(n));
    }
    fd.reset();
    if (::rename(temp.c_str(), path.c_str()) != 0) throw_errno("rename to " + path.string());
  } catch (...) {
    ::unlink(temp.c_str());
    throw;
  }
}

void copy_to_private_file(const std::filesystem::path& source, const std::filesystem::path& target,
                          size_t max_bytes) {
  UniqueFd in(::open(source.c_str(), O_RDONLY | O_CLOEXEC));
  if (!in) throw_errno("open " + source.string());
  std::string data;
  char buf[65536];
  for (;;) {
    ssize_t n = ::read(in.get(), buf, sizeof buf);
    if (n < 0 && errno == EINTR) continue;
    if (n < 0) throw_errno("read " + source.string());
    if (n == 0) break;
    data.append(buf, static_cast<size_t>(n));
    if (data.size() > max_bytes)
      throw Error(source.string() + " is larger than " + std::to_string(max_bytes) + " bytes");
  }
  write_private_file(target, data);
}

}  // namespace chrunc
