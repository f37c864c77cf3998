#include "common/private_dir.hpp"

#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <string>

#include "common/error.hpp"

namespace chrunc {

void make_owned_dir(const std::filesystem::path& dir, mode_t mode, bool fix_mode) {
  if (::mkdir(dir.c_str(), mode) != 0 && errno != EEXIST) throw_errno("mkdir " + dir.string());
  struct stat st {};
  if (::lstat(dir.c_str(), &st) != 0) throw_errno("stat " + dir.string());
  if (!S_ISDIR(st.st_mode)) throw Error(dir.string() + " is not a directory (a symlink?)");
  if (st.st_uid != ::geteuid())
    throw Error(dir.string() + " is owned by uid " + std::to_string(st.st_uid) + ", not by us");
  if (fix_mode && (st.st_mode & 07777) != mode && ::chmod(dir.c_str(), mode) != 0)
    throw_errno("chmod " + dir.string());
}

uint64_t fnv1a_64(std::string_view text) {
  uint64_t hash = 0xcbf29ce484222325ULL;
  for (unsigned char c : text) {
    hash ^= c;
    hash *= 0x100000001b3ULL;
  }
  return hash;
}

}  // namespace chrunc
