#pragma once
// Small file helpers, and paths inside a rootfs resolved without letting a
// symlink in the rootfs escape it (the role of runc's securejoin).

#include <sys/types.h>

#include <string>

namespace chrunc::container {

void write_whole_file(const std::string& path, const std::string& content, const std::string& step);
std::string read_whole_file(const std::string& path);

// `root` joined with `path`, every symlink on the way resolved as if `root`
// were "/" (absolute targets and ".." stay inside `root`). Components that do
// not exist are appended as they are.
std::string resolve_in_root(const std::string& root, const std::string& path);

// mkdir -p of an already resolved host path.
void mkdir_all(const std::string& path, mode_t mode = 0755);

enum class NodeKind { kDirectory, kFile };
// Creates (when missing) `path` resolved under `root` as a directory or an
// empty file, with its parents; returns the resolved host path.
std::string create_in_root(const std::string& root, const std::string& path, NodeKind kind);

// Lexical join: "/a" + "/b/c" -> "/a/b/c".
std::string join_path(const std::string& a, const std::string& b);

bool is_directory(const std::string& path);
bool exists(const std::string& path);

}  // namespace chrunc::container
