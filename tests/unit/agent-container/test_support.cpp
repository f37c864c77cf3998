#include "tests/unit/agent-container/test_support.hpp"

#include <fcntl.h>
#include <poll.h>
#include <stdlib.h>
#include <sys/mount.h>
#include <sys/stat.h>
#include <sys/statfs.h>
#include <sys/wait.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <sstream>

#include "common/error.hpp"

namespace chrunc::container::test {
namespace fs = std::filesystem;

namespace {

constexpr long kCgroup2Magic = 0x63677270;

}  // namespace

Bundle::Bundle() {
  char tmpl[] = "/tmp/chrunc-container-test-XXXXXX";
  if (!::mkdtemp(tmpl)) throw_errno("mkdtemp");
  dir_ = tmpl;
  ::chmod(dir_.c_str(), 0755);  // reachable by a user namespace's root
  std::string root = rootfs();
  for (const char* d : {"bin", "proc", "sys", "dev", "tmp", "etc", "root", "var", "run"})
    fs::create_directories(root + "/" + d);
  fs::copy_file("/bin/busybox", root + "/bin/busybox");
  // Relative links: `busybox --install -s` would point them at the host's path.
  FILE* list = ::popen("/bin/busybox --list", "r");
  if (!list) throw_errno("popen busybox --list");
  char name[256];
  while (std::fgets(name, sizeof name, list)) {
    std::string applet(name);
    while (!applet.empty() && applet.back() == '\n') applet.pop_back();
    if (applet.empty() || applet == "busybox") continue;
    std::error_code ec;
    fs::create_symlink("busybox", root + "/bin/" + applet, ec);
  }
  ::pclose(list);
  std::ofstream(root + "/etc/passwd")
      << "root:x:0:0:root:/root:/bin/sh\nnobody:x:65534:65534:nobody:/:/bin/false\n";
  std::ofstream(root + "/etc/group") << "root:x:0:\ntty:x:5:\nnogroup:x:65534:\n";
}

Bundle::~Bundle() {
  // Deepest first: anything a failed test left mounted under the bundle.
  auto mounts = mounts_under(dir_);
  std::sort(mounts.rbegin(), mounts.rend());
  for (const auto& m : mounts) ::umount2(m.c_str(), MNT_DETACH);
  std::error_code ec;
  fs::remove_all(dir_, ec);
}

oci::Spec default_spec(const std::string& rootfs, const std::string& script) {
  oci::Spec spec;
  spec.oci_version = "1.0.2";
  spec.root = oci::Root{rootfs, false};
  oci::Process process;
  process.args = {"sh", "-c", script};
  process.env = {"PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin", "TERM=xterm"};
  process.cwd = "/";
  oci::Capabilities caps;
  caps.bounding = caps.effective =
      caps.permitted = {"CAP_AUDIT_WRITE", "CAP_KILL", "CAP_NET_BIND_SERVICE"};
  process.capabilities = caps;
  process.rlimits = {{"RLIMIT_NOFILE", 1024, 1024}};
  process.no_new_privileges = true;
  spec.process = process;
  spec.hostname = "runc";
  spec.mounts = {
      {"/proc", "proc", "proc", {}, {}, {}},
      {"/dev", "tmpfs", "tmpfs", {"nosuid", "strictatime", "mode=755", "size=65536k"}, {}, {}},
      {"/dev/pts",
       "devpts",
       "devpts",
       {"nosuid", "noexec", "newinstance", "ptmxmode=0666", "mode=0620", "gid=5"},
       {},
       {}},
      {"/dev/shm",
       "tmpfs",
       "shm",
       {"nosuid", "noexec", "nodev", "mode=1777", "size=65536k"},
       {},
       {}},
      {"/dev/mqueue", "mqueue", "mqueue", {"nosuid", "noexec", "nodev"}, {}, {}},
      {"/sys", "sysfs", "sysfs", {"nosuid", "noexec", "nodev", "ro"}, {}, {}},
  };
  oci::Linux linux_spec;
  linux_spec.namespaces = {{"pid", ""}, {"network", ""}, {"ipc", ""}, {"uts", ""}, {"mount", ""}};
  linux_spec.masked_paths = {"/proc/kcore", "/proc/keys", "/proc/timer_list", "/sys/firmware",
                             "/proc/scsi"};
  linux_spec.readonly_paths = {"/proc/bus", "/proc/fs", "/proc/irq", "/proc/sys",
                               "/proc/sysrq-trigger"};
  spec.linux = linux_spec;
  return spec;
}

void read_all(ProcessStdio& stdio, std::string& out, std::string& err) {
  stdio.stdin_write.reset();
  pollfd fds[2] = {{stdio.stdout_read.get(), POLLIN, 0}, {stdio.stderr_read.get(), POLLIN, 0}};
  std::string* sinks[2] = {&out, &err};
  int open_count = 2;
  while (open_count > 0) {
    if (::poll(fds, 2, 20000) <= 0) throw Error("reading the container's output timed out");
    for (int i = 0; i < 2; ++i) {
      if (fds[i].fd < 0 || fds[i].revents == 0) continue;
      char buffer[4096];
      ssize_t n = ::read(fds[i].fd, buffer, sizeof buffer);
      if (n > 0) {
        sinks[i]->append(buffer, static_cast<size_t>(n));
      } else if (n == 0 || errno != EINTR) {
        fds[i].fd = -1;
        --open_count;
      }
    }
  }
}

std::string read_pty(int master) {
  std::string out;
  for (;;) {
    pollfd pfd{master, POLLIN, 0};
    if (::poll(&pfd, 1, 20000) <= 0) break;
    char buffer[4096];
    ssize_t n = ::read(master, buffer, sizeof buffer);
    if (n < 0 && errno == EINTR) continue;
    if (n <= 0) break;  // EIO once the slave side is closed
    out.append(buffer, static_cast<size_t>(n));
  }
  return out;
}

int exit_code_of(int status) {
  if (WIFEXITED(status)) return WEXITSTATUS(status);
  if (WIFSIGNALED(status)) return 128 + WTERMSIG(status);
  return -1;
}

RunResult run_container(oci::Spec spec, CreateOptions options) {
  DirectReaper reaper;
  if (options.id.empty()) options.id = "test";
  options.spec = std::move(spec);
  auto container = Container::create(std::move(options), reaper);
  ProcessStdio stdio = container->take_init_stdio();
  container->start();
  RunResult result;
  if (stdio.pty_master)
    result.out = read_pty(stdio.pty_master.get());
  else
    read_all(stdio, result.out, result.err);
  result.exit_code = exit_code_of(reaper.wait_status(container->init_pid()));
  container->destroy();
  return result;
}

std::vector<std::string> mounts_under(const std::string& dir) {
  std::ifstream in("/proc/self/mountinfo");
  std::vector<std::string> found;
  std::string line;
  while (std::getline(in, line)) {
    std::istringstream fields(line);
    std::string id, parent, devno, root, point;
    fields >> id >> parent >> devno >> root >> point;
    if (point == dir || point.starts_with(dir + "/")) found.push_back(point);
  }
  return found;
}

bool running_as_root() {
  return ::geteuid() == 0;
}

std::string cgroup2_root() {
  static std::string root = [] {
    struct statfs st {};
    if (::statfs("/sys/fs/cgroup", &st) == 0 && st.f_type == kCgroup2Magic)
      return std::string("/sys/fs/cgroup");
    // A v1 (hybrid) host: a private mount of the unified hierarchy.
    std::string dir = "/tmp/chrunc-container-test-cgroup2-" + std::to_string(::getpid());
    ::mkdir(dir.c_str(), 0755);
    if (::mount("cgroup2", dir.c_str(), "cgroup2", 0, nullptr) != 0) {
      ::rmdir(dir.c_str());
      return std::string();
    }
    static std::string to_clean = dir;
    std::atexit([] {
      ::umount2(to_clean.c_str(), MNT_DETACH);
      ::rmdir(to_clean.c_str());
    });
    return dir;
  }();
  return root;
}

}  // namespace chrunc::container::test
