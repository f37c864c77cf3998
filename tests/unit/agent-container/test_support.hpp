#pragma once
// Helpers of the container library tests: a busybox rootfs in a temp dir,
// a spec like `runc spec`'s, and "run this shell snippet in a container".

#include <string>
#include <vector>

#include "agent/container/container.hpp"
#include "oci/spec.hpp"

namespace chrunc::container::test {

// A temp dir with rootfs/ (busybox and its applet symlinks in /bin, the usual
// empty dirs). Removed (after unmounting anything left under it) on destruction.
class Bundle {
 public:
  Bundle();
  ~Bundle();
  const std::string& dir() const { return dir_; }
  std::string rootfs() const { return dir_ + "/rootfs"; }

 private:
  std::string dir_;
};

// runc spec's defaults, running `sh -c <script>`.
oci::Spec default_spec(const std::string& rootfs, const std::string& script);

struct RunResult {
  int exit_code = -1;  // 128+N when killed by signal N
  std::string out, err;
};

// Reads both pipes to EOF.
void read_all(ProcessStdio& stdio, std::string& out, std::string& err);
// Reads a pty master until EIO/EOF.
std::string read_pty(int master);
int exit_code_of(int status);

// create, start, read stdout/stderr, wait, destroy.
RunResult run_container(oci::Spec spec, CreateOptions options = {});

// Mount points under `dir` in this process's /proc/self/mountinfo.
std::vector<std::string> mounts_under(const std::string& dir);

bool running_as_root();
// A cgroup2 mount usable as CreateOptions::cgroup_root ("" when none can be had).
std::string cgroup2_root();

}  // namespace chrunc::container::test

#define REQUIRE_ROOT()                                          \
  do {                                                          \
    if (!::chrunc::container::test::running_as_root())          \
      GTEST_SKIP() << "needs root (namespaces, mounts, mknod)"; \
  } while (0)
