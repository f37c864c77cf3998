#include "busybox_rootfs.hpp"

#include <cstdio>
#include <memory>
#include <string>

#include "common/error.hpp"

namespace chrunc::test {

namespace fs = std::filesystem;

BusyboxRootfs::BusyboxRootfs(const fs::path& dir) : dir_(dir) {
  for (const char* sub : {"bin", "dev", "proc", "sys", "tmp", "etc", "root", "run"})
    fs::create_directories(dir_ / sub);
  fs::copy_file("/bin/busybox", dir_ / "bin/busybox", fs::copy_options::overwrite_existing);
  std::unique_ptr<FILE, int (*)(FILE*)> list(::popen("/bin/busybox --list", "r"), ::pclose);
  if (!list) throw Error("busybox --list failed");
  char line[256];
  while (std::fgets(line, sizeof line, list.get())) {
    std::string applet(line);
    while (!applet.empty() && (applet.back() == '\n' || applet.back() == '\r')) applet.pop_back();
    if (applet.empty() || applet == "busybox") continue;
    std::error_code ec;
    fs::create_symlink("busybox", dir_ / "bin" / applet, ec);
  }
}

BusyboxRootfs::~BusyboxRootfs() {
  std::error_code ec;
  fs::remove_all(dir_, ec);
}

}  // namespace chrunc::test
