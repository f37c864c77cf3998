#pragma once
// A StateStore on a fresh temporary root (which does not exist yet).

#include <gtest/gtest.h>
#include <sys/wait.h>
#include <unistd.h>

#include <filesystem>
#include <string>

#include "runtime/store/state_store.hpp"

namespace chrunc::runtime::testing {

// A pid that names no process (a reaped child's).
inline pid_t dead_pid() {
  pid_t pid = ::fork();
  if (pid == 0) ::_exit(0);
  int status = 0;
  ::waitpid(pid, &status, 0);
  return pid;
}

class TempStore : public ::testing::Test {
 protected:
  void SetUp() override {
    base_ = std::filesystem::temp_directory_path() /
            ("chrunc-store-test-" + std::to_string(::getpid()) + "-" +
             ::testing::UnitTest::GetInstance()->current_test_info()->name());
    std::filesystem::remove_all(base_);
    root_ = base_ / "nested" / "root";
  }
  void TearDown() override { std::filesystem::remove_all(base_); }

  ContainerRecord record(const std::string& id) const {
    ContainerRecord r;
    r.id = id;
    r.bundle = "/b/" + id;
    r.rootfs = "/b/" + id + "/rootfs";
    r.status = Status::kCreated;
    r.monitor_pid = ::getpid();
    r.monitor_start_time = process_start_time(::getpid());
    r.created = "2026-11-23T10:00:00.123456789Z";
    r.owner = "";
    r.annotations = {{"org.example/key", "value \"quoted\""}, {"b", ""}};
    r.cgroups_path = "/ch-runc/" + id;
    return r;
  }

  std::filesystem::path base_, root_;
};

}  // namespace chrunc::runtime::testing
