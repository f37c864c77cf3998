#include "agent/container/file_util.hpp"

#include <fcntl.h>
#include <limits.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <vector>

#include "common/error.hpp"
#include "common/unique_fd.hpp"

namespace chrunc::container {
namespace {

std::vector<std::string> split(const std::string& path) {
  std::vector<std::string> parts;
  size_t start = 0;
  while (start <= path.size()) {
    size_t end = path.find('/', start);
    if (end == std::string::npos) end = path.size();
    if (end > start) parts.push_back(path.substr(start, end - start));
    start = end + 1;
  }
  return parts;
}

}  // namespace

void write_whole_file(const std::string& path, const std::string& content,
                      const std::string& step) {
  UniqueFd fd(::open(path.c_str(), O_WRONLY | O_CLOEXEC | O_TRUNC));
  if (!fd) throw_errno(step);
  size_t done = 0;
  while (done < content.size()) {
    ssize_t n = ::write(fd.get(), content.data() + done, content.size() - done);
    if (n < 0 && errno == EINTR) continue;
    if (n < 0) throw_errno(step);
    done += static_cast<size_t>(n);
  }
}

std::string read_whole_file(const std::string& path) {
  UniqueFd fd(::open(path.c_str(), O_RDONLY | O_CLOEXEC));
  if (!fd) throw_errno("open " + path);
  std::string content;
  char buffer[4096];
  for (;;) {
    ssize_t n = ::read(fd.get(), buffer, sizeof buffer);
    if (n < 0 && errno == EINTR) continue;
    if (n < 0) throw_errno("read " + path);
    if (n == 0) break;
    content.append(buffer, static_cast<size_t>(n));
  }
  return content;
}

std::string join_path(const std::string& a, const std::string& b) {
  std::string out = a;
  while (out.size() > 1 && out.back() == '/') out.pop_back();
  for (const auto& part : split(b)) {
    if (out.empty() || out.back() != '/') out += '/';
    out += part;
  }
  return out.empty() ? "/" : out;
}

std::string resolve_in_root(const std::string& root, const std::string& path) {
  std::vector<std::string> pending = split(path);
  std::vector<std::string> resolved;  // components under root
  int links = 0;
  size_t i = 0;
  while (i < pending.size()) {
    const std::string part = pending[i++];
    if (part == ".") continue;
    if (part == "..") {
      if (!resolved.empty()) resolved.pop_back();
      continue;
    }
    std::string current = root;
    for (const auto& c : resolved) current = join_path(current, c);
    std::string candidate = join_path(current, part);
    struct stat st {};
    if (::lstat(candidate.c_str(), &st) != 0 || !S_ISLNK(st.st_mode)) {
      resolved.push_back(part);
      continue;
    }
    if (++links > 255)
      throw Error("resolve " + path + " in " + root + ": too many levels of symbolic links", ELOOP);
    std::vector<char> target(PATH_MAX);
    ssize_t n = ::readlink(candidate.c_str(), target.data(), target.size() - 1);
    if (n < 0) throw_errno("readlink " + candidate);
    std::string link(target.data(), static_cast<size_t>(n));
    if (!link.empty() && link[0] == '/') resolved.clear();
    std::vector<std::string> rest = split(link);
    rest.insert(rest.end(), pending.begin() + static_cast<long>(i), pending.end());
    pending = std::move(rest);
    i = 0;
  }
  std::string out = root;
  for (const auto& c : resolved) out = join_path(out, c);
  return out;
}

void mkdir_all(const std::string& path, mode_t mode) {
  std::string current = path.starts_with('/') ? "" : ".";
  for (const auto& part : split(path)) {
    current += "/" + part;
    if (::mkdir(current.c_str(), mode) != 0 && errno != EEXIST) throw_errno("mkdir " + current);
  }
}

std::string create_in_root(const std::string& root, const std::string& path, NodeKind kind) {
  std::string host = resolve_in_root(root, path);
  if (kind == NodeKind::kDirectory) {
    mkdir_all(host);
    return host;
  }
  size_t slash = host.rfind('/');
  if (slash != std::string::npos && slash > 0) mkdir_all(host.substr(0, slash));
  struct stat st {};
  if (::stat(host.c_str(), &st) == 0) return host;
  UniqueFd fd(::open(host.c_str(), O_CREAT | O_WRONLY | O_CLOEXEC | O_NOFOLLOW, 0644));
  if (!fd) throw_errno("create " + path + " in rootfs");
  return host;
}

bool is_directory(const std::string& path) {
  struct stat st {};
  return ::stat(path.c_str(), &st) == 0 && S_ISDIR(st.st_mode);
}

bool exists(const std::string& path) {
  struct stat st {};
  return ::lstat(path.c_str(), &st) == 0;
}

}  // namespace chrunc::container
