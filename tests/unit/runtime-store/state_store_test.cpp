#include "runtime/store/state_store.hpp"

#include <fcntl.h>
#include <gtest/gtest.h>
#include <sys/file.h>
#include <sys/stat.h>

#include <fstream>
#include <functional>

#include "common/error.hpp"
#include "temp_store.hpp"

namespace chrunc::runtime {
namespace {
using StateStoreTest = testing::TempStore;

std::string error_of(const std::function<void()>& f) {
  try {
    f();
  } catch (const Error& e) {
    return e.what();
  }
  return "";
}

mode_t mode_of(const std::filesystem::path& p) {
  struct stat st {};
  EXPECT_EQ(::stat(p.c_str(), &st), 0) << p;
  return st.st_mode & 07777;
}

TEST(ValidateId, AcceptsRuncIds) {
  for (const char* id : {"a", "abc-123", "A_b.c+d", "...", ".hidden", "x..y", "0",
                         "4ba1c1d8f1e2c6f0e9a7b3c5d6e7f8091a2b3c4d5e6f708192a3b4c5d6e7f809"}) {
    EXPECT_NO_THROW(validate_container_id(id)) << id;
  }
  EXPECT_NO_THROW(validate_container_id(std::string(255, 'a')));
}

TEST(ValidateId, RejectsPathTricksAndOddCharacters) {
  for (const char* id : {".", "..", "../x", "a/b", "/abs", "a b", "a\nb", "a:b", "~x", "é", "a*"}) {
    EXPECT_EQ(error_of([&] { validate_container_id(id); }),
              std::string("invalid container id \"") + id + "\"")
        << id;
  }
  EXPECT_EQ(error_of([] { validate_container_id(""); }), "container id cannot be empty");
  EXPECT_NE(error_of([] { validate_container_id(std::string(256, 'a')); }), "");
}

TEST(StatusNames, RoundTrip) {
  for (Status s :
       {Status::kCreating, Status::kCreated, Status::kRunning, Status::kPaused, Status::kStopped}) {
    EXPECT_EQ(status_from_string(to_string(s)), s);
  }
  EXPECT_STREQ(to_string(Status::kRunning), "running");
  EXPECT_THROW(status_from_string("zombie"), Error);
}

TEST_F(StateStoreTest, ReserveCreatesRootAndDirWithMode0700) {
  StateStore store(root_);
  EXPECT_EQ(store.root(), root_);
  EXPECT_EQ(store.dir("c1"), root_ / "c1");
  { auto lock = store.reserve("c1"); }
  EXPECT_EQ(mode_of(root_), 0700u);
  EXPECT_EQ(mode_of(root_.parent_path()), 0700u);
  EXPECT_EQ(mode_of(root_ / "c1"), 0700u);
  EXPECT_TRUE(std::filesystem::exists(root_ / "c1" / "lock"));
  // No temporary reservation directory is left behind.
  size_t entries = 0;
  for (auto& e : std::filesystem::directory_iterator(root_)) {
    (void)e;
    ++entries;
  }
  EXPECT_EQ(entries, 1u);
}

TEST_F(StateStoreTest, ExistingRootKeepsItsMode) {
  std::filesystem::create_directories(root_);
  ::chmod(root_.c_str(), 0711);
  StateStore store(root_);
  store.reserve("c");
  EXPECT_EQ(mode_of(root_), 0711u);
}

TEST_F(StateStoreTest, SaveLoadRoundTripAndFileMode) {
  StateStore store(root_);
  auto lock = store.reserve("c1");
  ContainerRecord r = record("c1");
  r.status = Status::kStopped;
  r.exit_code = 137;
  store.save(r);
  EXPECT_EQ(mode_of(root_ / "c1" / "container.json"), 0600u);
  ContainerRecord back = store.load("c1");
  EXPECT_EQ(back.id, r.id);
  EXPECT_EQ(back.bundle, r.bundle);
  EXPECT_EQ(back.rootfs, r.rootfs);
  EXPECT_EQ(back.status, Status::kStopped);
  EXPECT_EQ(back.monitor_pid, r.monitor_pid);
  EXPECT_EQ(back.monitor_start_time, r.monitor_start_time);
  EXPECT_EQ(back.created, r.created);
  EXPECT_EQ(back.owner, r.owner);
  EXPECT_EQ(back.annotations, r.annotations);
  EXPECT_EQ(back.exit_code, 137);
  EXPECT_EQ(back.cgroups_path, r.cgroups_path);
}

TEST_F(StateStoreTest, VmmIdentityRoundTripsAndIsOptional) {
  StateStore store(root_);
  auto lock = store.reserve("c1");
  ContainerRecord r = record("c1");
  store.save(r);
  EXPECT_EQ(store.load("c1").vmm_pid, 0);  // none recorded: no key written
  r.vmm_pid = 4242;
  r.vmm_start_time = 987654321;
  store.save(r);
  ContainerRecord back = store.load("c1");
  EXPECT_EQ(back.vmm_pid, 4242);
  EXPECT_EQ(back.vmm_start_time, 987654321u);
}

TEST_F(StateStoreTest, SaveReplacesAtomicallyAndLeavesNoTempFiles) {
  StateStore store(root_);
  auto lock = store.reserve("c1");
  ContainerRecord r = record("c1");
  store.save(r);
  r.status = Status::kRunning;
  store.save(r);
  EXPECT_EQ(store.load("c1").status, Status::kRunning);
  EXPECT_FALSE(store.load("c1").exit_code.has_value());
  for (auto& e : std::filesystem::directory_iterator(root_ / "c1")) {
    std::string name = e.path().filename();
    EXPECT_TRUE(name == "lock" || name == "container.json") << name;
  }
}

TEST_F(StateStoreTest, DuplicateReserveFailsAndChangesNothing) {
  StateStore store(root_);
  {
    auto lock = store.reserve("dup");
    store.save(record("dup"));
  }
  auto before = std::filesystem::last_write_time(root_ / "dup" / "container.json");
  EXPECT_EQ(error_of([&] { store.reserve("dup"); }), "container with id exists: dup");
  EXPECT_EQ(store.load("dup").bundle, "/b/dup");
  EXPECT_EQ(std::filesystem::last_write_time(root_ / "dup" / "container.json"), before);
  EXPECT_EQ(store.list_ids(), std::vector<std::string>{"dup"});
  size_t entries = 0;
  for (auto& e : std::filesystem::directory_iterator(root_)) {
    (void)e;
    ++entries;
  }
  EXPECT_EQ(entries, 1u);
}

TEST_F(StateStoreTest, UnknownIds) {
  StateStore store(root_);
  const std::string missing = "container \"ghost\" does not exist";
  EXPECT_EQ(error_of([&] { store.load("ghost"); }), missing);
  EXPECT_EQ(error_of([&] { store.lock("ghost"); }), missing);
  EXPECT_EQ(error_of([&] { store.remove("ghost"); }), missing);
  EXPECT_EQ(error_of([&] { store.save(record("ghost")); }), missing);
}

TEST_F(StateStoreTest, EveryEntryPointValidatesTheId) {
  StateStore store(root_);
  std::filesystem::create_directories(base_ / "x");
  for (const char* bad : {"../x", "a/b", ".", ".."}) {
    std::string want = std::string("invalid container id \"") + bad + "\"";
    EXPECT_EQ(error_of([&] { store.reserve(bad); }), want);
    EXPECT_EQ(error_of([&] { store.lock(bad); }), want);
    EXPECT_EQ(error_of([&] { store.load(bad); }), want);
    EXPECT_EQ(error_of([&] { store.remove(bad); }), want);
    EXPECT_EQ(error_of([&] { store.dir(bad); }), want);
  }
  EXPECT_TRUE(std::filesystem::exists(base_ / "x"));
}

TEST_F(StateStoreTest, ListIdsSortedIgnoringNonContainers) {
  StateStore store(root_);
  EXPECT_TRUE(store.list_ids().empty());  // root does not exist yet
  for (const char* id : {"b", "a", "c.1"}) store.reserve(id);
  std::ofstream(root_ / "stray-file") << "x";
  std::filesystem::create_directories(root_ / "~reserve-1-0");
  EXPECT_EQ(store.list_ids(), (std::vector<std::string>{"a", "b", "c.1"}));
}

TEST_F(StateStoreTest, RemoveDeletesEverything) {
  StateStore store(root_);
  {
    auto lock = store.reserve("gone");
    store.save(record("gone"));
  }
  std::filesystem::create_directories(root_ / "gone" / "sub");
  std::ofstream(root_ / "gone" / "sub" / "file") << "x";
  store.remove("gone");
  EXPECT_FALSE(std::filesystem::exists(root_ / "gone"));
  EXPECT_TRUE(store.list_ids().empty());
}

TEST_F(StateStoreTest, LockAfterRemoveWhileWaitingReportsMissing) {
  StateStore store(root_);
  store.reserve("c");
  // Fork before locking: a child inheriting our lock fd would share our lock.
  int go[2];
  ASSERT_EQ(::pipe(go), 0);
  pid_t child = ::fork();
  if (child == 0) {
    ::close(go[1]);
    char c;
    (void)::read(go[0], &c, 1);
    try {
      store.lock("c");  // waits for the parent's lock; by then the container is gone
      ::_exit(1);
    } catch (const Error& e) {
      ::_exit(std::string(e.what()) == "container \"c\" does not exist" ? 0 : 2);
    }
  }
  ::close(go[0]);
  auto held = std::make_unique<ContainerLock>(store.lock("c"));
  (void)::write(go[1], "x", 1);
  ::close(go[1]);
  ::usleep(100 * 1000);
  store.remove("c");
  held.reset();
  int status = 0;
  ASSERT_EQ(::waitpid(child, &status, 0), child);
  EXPECT_TRUE(WIFEXITED(status));
  EXPECT_EQ(WEXITSTATUS(status), 0);
}

TEST_F(StateStoreTest, CorruptRecordIsAnError) {
  StateStore store(root_);
  store.reserve("bad");
  std::ofstream(root_ / "bad" / "container.json") << "{\"id\":\"bad\",\"status\":42}";
  EXPECT_NE(error_of([&] { store.load("bad"); }).find("corrupt state file"), std::string::npos);
  std::ofstream(root_ / "bad" / "container.json") << "[";
  EXPECT_NE(error_of([&] { store.load("bad"); }).find("corrupt state file"), std::string::npos);
  std::ofstream(root_ / "bad" / "container.json") << "{\"id\":\"other\",\"status\":\"created\"}";
  EXPECT_NE(error_of([&] { store.load("bad"); }).find("does not match"), std::string::npos);
}

TEST(ProcessLiveness, StartTimeAndReuseSafety) {
  uint64_t mine = process_start_time(::getpid());
  EXPECT_GT(mine, 0u);
  EXPECT_TRUE(monitor_alive(::getpid(), mine));
  EXPECT_TRUE(monitor_alive(::getpid(), 0));          // start time unknown: the pid alone decides
  EXPECT_FALSE(monitor_alive(::getpid(), mine + 1));  // same pid, another process
  EXPECT_FALSE(monitor_alive(0, 0));
  EXPECT_FALSE(monitor_alive(-1, 0));
  pid_t dead = testing::dead_pid();
  EXPECT_EQ(process_start_time(dead), 0u);
  EXPECT_FALSE(monitor_alive(dead, 0));
}

TEST(ProcessLiveness, ZombieIsDead) {
  pid_t child = ::fork();
  if (child == 0) ::_exit(0);
  // Not reaped yet: a zombie once it exits.
  for (int i = 0; i < 200 && process_start_time(child) != 0; ++i) ::usleep(10 * 1000);
  EXPECT_EQ(process_start_time(child), 0u);
  EXPECT_FALSE(monitor_alive(child, 0));
  ::waitpid(child, nullptr, 0);
}

}  // namespace
}  // namespace chrunc::runtime
