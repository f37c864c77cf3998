#pragma once
// A throw-away busybox rootfs: /bin/busybox (busybox-static) and a symlink
// per applet, plus the usual empty directories. Removed on destruction.

#include <filesystem>

namespace chrunc::test {

class BusyboxRootfs {
 public:
  explicit BusyboxRootfs(const std::filesystem::path& dir);
  ~BusyboxRootfs();
  const std::filesystem::path& path() const { return dir_; }

 private:
  std::filesystem::path dir_;
};

}  // namespace chrunc::test
