#pragma once
// A scratch cgroup2 directory for the cgroup tests: the host's cgroup2 mount
// (/sys/fs/cgroup on a v2 host, /sys/fs/cgroup/unified on a hybrid one).

#include <gtest/gtest.h>
#include <signal.h>
#include <sys/stat.h>
#include <sys/statfs.h>
#include <sys/wait.h>
#include <unistd.h>

#include <set>
#include <sstream>
#include <string>

#include "agent/container/security/cgroup.hpp"
#include "child.hpp"

namespace chrunc::container::test {

inline std::string find_cgroup2_root() {
  for (const char* dir : {"/sys/fs/cgroup", "/sys/fs/cgroup/unified"}) {
    struct statfs fs {};
    if (::statfs(dir, &fs) == 0 && static_cast<unsigned long>(fs.f_type) == 0x63677270UL)
      return dir;
  }
  return "";
}

inline std::set<std::string> words_of(const std::string& text) {
  std::set<std::string> out;
  std::istringstream in(text);
  for (std::string w; in >> w;) out.insert(w);
  return out;
}

class CgroupTest : public ::testing::Test {
 protected:
  void SetUp() override {
    root_ = find_cgroup2_root();
    if (root_.empty()) GTEST_SKIP() << "no cgroup2 mount on this host";
    if (::geteuid() != 0) GTEST_SKIP() << "needs root";
    base_ = "chrunc-security-test-" + std::to_string(::getpid());
  }
  void TearDown() override {
    for (pid_t pid : children_) {
      ::kill(pid, SIGKILL);
      ::waitpid(pid, nullptr, 0);
    }
    if (!base_.empty() && ::access((root_ + "/" + base_).c_str(), F_OK) == 0)
      Cgroup::open(root_, base_).remove();
  }

  // A child that sleeps until killed.
  pid_t spawn_sleeper() {
    pid_t pid = ::fork();
    if (pid == 0) {
      for (;;) ::pause();
    }
    children_.push_back(pid);
    return pid;
  }

  int reap(pid_t pid) {
    int status = 0;
    ::waitpid(pid, &status, 0);
    std::erase(children_, pid);
    return status;
  }

  bool controller_available(const std::string& name) {
    return words_of(read_text(root_ + "/cgroup.controllers")).count(name) > 0;
  }

  std::string root_, base_;
  std::vector<pid_t> children_;
};

}  // namespace chrunc::container::test
