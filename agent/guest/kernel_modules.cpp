#include "agent/guest/kernel_modules.hpp"

#include <fcntl.h>
#include <sys/syscall.h>
#include <unistd.h>

#include <cerrno>
#include <fstream>

#include "common/error.hpp"
#include "common/unique_fd.hpp"

namespace chrunc::agent {

int load_kernel_modules(const std::string& list_file) {
  std::ifstream list(list_file);
  if (!list) return 0;  // an image without modules
  int loaded = 0;
  for (std::string line; std::getline(list, line);) {
    while (!line.empty() && (line.back() == ' ' || line.back() == '\r')) line.pop_back();
    if (line.empty() || line.front() == '#') continue;
    UniqueFd fd(::open(line.c_str(), O_RDONLY | O_CLOEXEC));
    if (!fd) throw_errno("load module " + line);
    if (::syscall(SYS_finit_module, fd.get(), "", 0) != 0 && errno != EEXIST)
      throw_errno("load module " + line);
    ++loaded;
  }
  return loaded;
}

}  // namespace chrunc::agent
