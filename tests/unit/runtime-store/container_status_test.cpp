#include "runtime/store/container_status.hpp"

#include <gtest/gtest.h>
#include <pwd.h>

#include <fstream>

#include "common/error.hpp"
#include "oci/version.hpp"
#include "temp_store.hpp"

namespace chrunc::runtime {
namespace {
using ContainerStatus = testing::TempStore;

TEST_F(ContainerStatus, LiveRecordAsStored) {
  StateStore store(root_);
  auto lock = store.reserve("c");
  ContainerRecord r = record("c");
  r.status = Status::kRunning;
  store.save(r);
  oci::State s = container_state(store, "c");
  EXPECT_EQ(s.oci_version, oci::kSpecVersion);
  EXPECT_EQ(s.id, "c");
  EXPECT_EQ(s.status, "running");
  EXPECT_EQ(s.pid, ::getpid());
  EXPECT_EQ(s.bundle, "/b/c");
  EXPECT_EQ(s.rootfs, "/b/c/rootfs");
  EXPECT_EQ(s.created, "2026-11-23T10:00:00.123456789Z");
  EXPECT_EQ(s.owner, "");
  EXPECT_EQ(s.annotations, r.annotations);
}

TEST_F(ContainerStatus, DeadMonitorMeansStoppedPidZero) {
  StateStore store(root_);
  store.reserve("c");
  for (Status stored : {Status::kCreated, Status::kRunning, Status::kPaused}) {
    ContainerRecord r = record("c");
    r.status = stored;
    r.monitor_pid = testing::dead_pid();
    store.save(r);
    oci::State s = container_state(store, "c");
    EXPECT_EQ(s.status, "stopped") << to_string(stored);
    EXPECT_EQ(s.pid, 0);
  }
}

TEST_F(ContainerStatus, ReusedPidMeansStopped) {
  StateStore store(root_);
  store.reserve("c");
  ContainerRecord r = record("c");
  r.monitor_start_time += 1;  // our pid, but not the monitor that was recorded
  store.save(r);
  EXPECT_EQ(container_state(store, "c").status, "stopped");
}

TEST_F(ContainerStatus, StoppedIsStoppedEvenWithLiveMonitor) {
  StateStore store(root_);
  store.reserve("c");
  ContainerRecord r = record("c");
  r.status = Status::kStopped;
  store.save(r);
  oci::State s = container_state(store, "c");
  EXPECT_EQ(s.status, "stopped");
  EXPECT_EQ(s.pid, 0);
}

TEST_F(ContainerStatus, CreatingWhileCreatorHoldsTheLock) {
  StateStore store(root_);
  auto lock = std::make_unique<ContainerLock>(store.reserve("c"));
  ContainerRecord r = record("c");
  r.status = Status::kCreating;
  r.monitor_pid = 0;
  r.monitor_start_time = 0;
  store.save(r);
  EXPECT_EQ(container_state(store, "c").status, "creating");
  lock.reset();  // the creator died without finishing
  EXPECT_EQ(container_state(store, "c").status, "stopped");
}

TEST_F(ContainerStatus, UnknownId) {
  StateStore store(root_);
  try {
    container_state(store, "nope");
    FAIL();
  } catch (const Error& e) {
    EXPECT_STREQ(e.what(), "container \"nope\" does not exist");
  }
}

TEST_F(ContainerStatus, ListSkipsUnreadableAndReportsOwnerLikeRuncList) {
  StateStore store(root_);
  for (const char* id : {"b", "a"}) {
    store.reserve(id);
    store.save(record(id));
  }
  store.reserve("half-created");  // reserved, no record yet
  store.reserve("corrupt");
  std::ofstream(root_ / "corrupt" / "container.json") << "nonsense";
  std::vector<oci::State> states = list_states(store);
  ASSERT_EQ(states.size(), 2u);
  EXPECT_EQ(states[0].id, "a");
  EXPECT_EQ(states[1].id, "b");
  struct passwd* pw = ::getpwuid(::geteuid());
  ASSERT_NE(pw, nullptr);
  EXPECT_EQ(states[0].owner, pw->pw_name);
}

TEST_F(ContainerStatus, ListOfMissingRootIsEmpty) {
  StateStore store(root_);
  EXPECT_TRUE(list_states(store).empty());
}

}  // namespace
}  // namespace chrunc::runtime
