#include "runtime/socket_dir.hpp"

#include <sys/stat.h>

#include <cstdint>
#include <cstdio>
#include <string>
#include <system_error>

#include "common/error.hpp"

namespace chrunc::runtime {
namespace {

namespace fs = std::filesystem;

constexpr const char* kSocketRoot = "/run/ch-runc";

uint64_t fnv1a(const std::string& text) {
  uint64_t hash = 0xcbf29ce484222325ULL;
  for (unsigned char c : text) {
    hash ^= c;
    hash *= 0x100000001b3ULL;
  }
  return hash;
}

void make_dir(const fs::path& dir, mode_t mode) {
  if (::mkdir(dir.c_str(), mode) != 0 && errno != EEXIST) throw_errno("mkdir " + dir.string());
  if (::chmod(dir.c_str(), mode) != 0) throw_errno("chmod " + dir.string());
}

}  // namespace

fs::path socket_dir_path(const fs::path& state_dir) {
  char name[17];
  std::snprintf(name, sizeof name, "%016llx",
                static_cast<unsigned long long>(fnv1a(fs::absolute(state_dir).lexically_normal())));
  return fs::path(kSocketRoot) / name;
}

fs::path make_socket_dir(const fs::path& state_dir) {
  make_dir(kSocketRoot, 0711);
  fs::path dir = socket_dir_path(state_dir);
  make_dir(dir, 0700);
  return dir;
}

void remove_socket_dir(const fs::path& state_dir) noexcept {
  std::error_code ec;
  fs::remove_all(socket_dir_path(state_dir), ec);
}

}  // namespace chrunc::runtime
