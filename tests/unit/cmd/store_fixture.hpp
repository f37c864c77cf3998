#pragma once
// A temporary --root with helpers to put container records in it.

#include <gtest/gtest.h>
#include <sys/wait.h>
#include <unistd.h>

#include <filesystem>
#include <string>

#include "runtime/store/state_store.hpp"

namespace chrunc::cmd::testing {

class TempRoot : public ::testing::Test {
 protected:
  void SetUp() override {
    root_ = std::filesystem::temp_directory_path() /
            ("chrunc-cmd-test-" + std::to_string(::getpid()) + "-" +
             ::testing::UnitTest::GetInstance()->current_test_info()->name());
    std::filesystem::remove_all(root_);
  }
  void TearDown() override { std::filesystem::remove_all(root_); }

  // A container whose monitor is this test process (alive) or a dead pid.
  void add(const std::string& id, runtime::Status status, bool alive) {
    runtime::StateStore store(root_);
    { auto lock = store.reserve(id); }
    runtime::ContainerRecord r;
    r.id = id;
    r.bundle = "/bundles/" + id;
    r.rootfs = "/bundles/" + id + "/rootfs";
    r.status = status;
    r.monitor_pid = alive ? ::getpid() : dead_pid();
    r.monitor_start_time = alive ? runtime::process_start_time(::getpid()) : 12345;
    r.created = "2026-11-23T10:14:25.343839709Z";
    r.annotations = {{"a.b", "c"}};
    store.save(r);
  }

  // A pid that certainly names no process (a reaped child's).
  static pid_t dead_pid() {
    pid_t pid = ::fork();
    if (pid == 0) ::_exit(0);
    int status = 0;
    ::waitpid(pid, &status, 0);
    return pid;
  }

  std::filesystem::path root_;
};

}  // namespace chrunc::cmd::testing
