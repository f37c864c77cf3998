#include "runtime/store/socket_dir.hpp"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cstdint>
#include <cstdio>
#include <string>
#include <system_error>

#include "common/error.hpp"
#include "common/private_dir.hpp"
#include "common/unique_fd.hpp"

namespace chrunc::runtime {
namespace {

namespace fs = std::filesystem;

constexpr const char* kSocketRoot = "/run/ch-runc";

// The marker naming the state dir a socket dir belongs to: two state dirs
// whose 64-bit hashes collide must not share (or delete) one socket dir.
constexpr const char* kOwnerFile = "state-dir";

std::string read_owner(const fs::path& dir) {
  UniqueFd fd(::open((dir / kOwnerFile).c_str(), O_RDONLY | O_NOFOLLOW | O_CLOEXEC));
  if (!fd) return {};
  char buf[4096];
  ssize_t n = ::read(fd.get(), buf, sizeof buf);
  return n > 0 ? std::string(buf, static_cast<size_t>(n)) : std::string();
}

std::string owner_of(const fs::path& state_dir) {
  return fs::absolute(state_dir).lexically_normal().string();
}

}  // namespace

fs::path socket_dir_path(const fs::path& state_dir) {
  char name[17];
  std::snprintf(name, sizeof name, "%016llx",
                static_cast<unsigned long long>(
                    fnv1a_64(fs::absolute(state_dir).lexically_normal().string())));
  return fs::path(kSocketRoot) / name;
}

fs::path make_socket_dir(const fs::path& state_dir) {
  make_owned_dir(kSocketRoot, 0711, true);
  fs::path dir = socket_dir_path(state_dir);
  make_owned_dir(dir, 0700, true);
  const std::string owner = owner_of(state_dir);
  std::string found = read_owner(dir);
  if (found.empty()) {
    UniqueFd fd(::open((dir / kOwnerFile).c_str(),
                       O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC, 0600));
    if (!fd) throw_errno("socket dir " + dir.string() + ": " + kOwnerFile);
    if (::write(fd.get(), owner.data(), owner.size()) != static_cast<ssize_t>(owner.size()))
      throw_errno("socket dir " + dir.string() + ": " + kOwnerFile);
    found = owner;
  }
  if (found != owner)
    throw Error("socket dir " + dir.string() + " belongs to " + found + ", not to " + owner +
                " (a hash collision or a planted directory)");
  return dir;
}

void remove_socket_dir(const fs::path& state_dir) noexcept {
  const fs::path dir = socket_dir_path(state_dir);
  struct stat st {};
  if (::lstat(dir.c_str(), &st) != 0 || !S_ISDIR(st.st_mode) || st.st_uid != ::geteuid()) return;
  // Another state dir's (a collision): not ours to remove.
  const std::string found = read_owner(dir);
  if (!found.empty() && found != owner_of(state_dir)) return;
  std::error_code ec;
  fs::remove_all(dir, ec);
}

}  // namespace chrunc::runtime
