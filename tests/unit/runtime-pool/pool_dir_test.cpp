#include "runtime/pool/pool_dir.hpp"

#include <gtest/gtest.h>
#include <signal.h>
#include <stdlib.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include <atomic>
#include <mutex>
#include <set>
#include <thread>

#include "common/error.hpp"
#include "runtime/store/state_store.hpp"

namespace chrunc::runtime::pool {
namespace {

namespace fs = std::filesystem;
using namespace std::chrono_literals;

class TempDir {
 public:
  TempDir() {
    char tmpl[] = "/tmp/pool-test-XXXXXX";
    if (::mkdtemp(tmpl) == nullptr) throw std::runtime_error("mkdtemp");
    path_ = tmpl;
  }
  ~TempDir() { fs::remove_all(path_); }
  const fs::path& path() const { return path_; }

 private:
  fs::path path_;
};

StandbyShape qemu_shape(unsigned vcpus = 1, uint64_t memory = 256) {
  return StandbyShape{"qemu", vcpus, memory, 0};
}

// A standby record naming a live process (this test, or a child).
StandbyRecord record_of(pid_t pid, StandbyShape shape = qemu_shape()) {
  StandbyRecord r;
  r.standby = {pid, process_start_time(pid)};
  r.shape = std::move(shape);
  return r;
}

// A child that waits to be killed.
pid_t sleeper() {
  pid_t pid = ::fork();
  if (pid == 0) {
    for (;;) ::pause();
  }
  return pid;
}

Slot add_ready(const PoolDir& pool, const StandbyRecord& record) {
  auto lock = pool.lock(10s);
  Slot booting = pool.add_booting(lock, PoolDir::new_slot_name(), record);
  return pool.mark_ready(lock, booting);
}

TEST(StandbyRecord, RoundTripsAndRefusesMalformed) {
  StandbyRecord r = record_of(::getpid(), qemu_shape(2, 512));
  r.shape.tcg_cache_mib = 48;
  r.vmm = {123, 456};
  r.virtiofsd = {789, 1011};
  StandbyRecord back = parse_standby_record(format_standby_record(r));
  EXPECT_EQ(back.standby.pid, ::getpid());
  EXPECT_EQ(back.standby.start_time, r.standby.start_time);
  EXPECT_EQ(back.shape.hypervisor, "qemu");
  EXPECT_EQ(back.shape.vcpus, 2u);
  EXPECT_EQ(back.shape.memory_mib, 512u);
  EXPECT_EQ(back.shape.tcg_cache_mib, 48u);
  EXPECT_EQ(back.vmm.pid, 123);
  EXPECT_EQ(back.virtiofsd.start_time, 1011u);
  EXPECT_THROW(parse_standby_record(""), Error);
  EXPECT_THROW(parse_standby_record("pid 1 2\n"), Error);  // no shape
  EXPECT_THROW(parse_standby_record("pid x\nhypervisor qemu\n"), Error);
  EXPECT_THROW(parse_standby_record("pid 1 2\nhypervisor qemu\nbogus 1\n"), Error);
  EXPECT_THROW(parse_standby_record("pid -5 2\nhypervisor qemu\n"), Error);
  EXPECT_THROW(parse_standby_record("pid 1 2\nhypervisor qemu\ntcg_cache_mib x\n"), Error);
}

TEST(StandbyShape, ServesTheSameVmWithAtLeastTheNics) {
  StandbyShape s{"qemu", 1, 256, 1};
  EXPECT_TRUE(s.serves({"qemu", 1, 256, 0}));
  EXPECT_TRUE(s.serves({"qemu", 1, 256, 1}));
  EXPECT_FALSE(s.serves({"qemu", 1, 256, 2}));
  EXPECT_FALSE(s.serves({"qemu", 2, 256, 0}));
  EXPECT_FALSE(s.serves({"qemu", 1, 512, 0}));
  EXPECT_FALSE(s.serves({"cloud-hypervisor", 1, 256, 0}));
  // Booted under a config with another translation cache: not served.
  StandbyShape cached{"qemu", 1, 256, 0, 48};
  EXPECT_TRUE(cached.serves({"qemu", 1, 256, 0, 48}));
  EXPECT_FALSE(cached.serves({"qemu", 1, 256, 0, 16}));
}

TEST(PoolDir, IsMadePrivateAndRefusesAnOpenOne) {
  TempDir tmp;
  PoolDir pool(tmp.path() / "pool");
  struct stat st {};
  ASSERT_EQ(::stat(pool.path().c_str(), &st), 0);
  EXPECT_EQ(st.st_mode & 0777, 0700u);
  fs::create_directory(tmp.path() / "open");
  fs::permissions(tmp.path() / "open", fs::perms(0755));
  EXPECT_THROW(PoolDir(tmp.path() / "open"), Error);
}

TEST(PoolDir, ClaimRenamesOnceAndOnlyAMatchingShape) {
  TempDir tmp;
  PoolDir pool(tmp.path() / "pool");
  Slot big = add_ready(pool, record_of(::getpid(), qemu_shape(2, 512)));
  Slot small = add_ready(pool, record_of(::getpid()));
  EXPECT_TRUE(fs::is_directory(pool.vm_dir(small.name)));
  auto lock = pool.lock(10s);
  auto claimed = pool.claim(lock, qemu_shape());
  ASSERT_TRUE(claimed);
  EXPECT_EQ(claimed->name, small.name);
  EXPECT_EQ(claimed->state, SlotState::kClaimed);
  EXPECT_TRUE(fs::is_directory(pool.path() / ("claimed-" + small.name)));
  EXPECT_FALSE(fs::exists(pool.path() / ("ready-" + small.name)));
  EXPECT_FALSE(pool.claim(lock, qemu_shape()));                                 // taken
  EXPECT_FALSE(pool.claim(lock, StandbyShape{"cloud-hypervisor", 2, 512, 0}));  // no such shape
  auto second = pool.claim(lock, qemu_shape(2, 512));
  ASSERT_TRUE(second);
  EXPECT_EQ(second->name, big.name);
}

TEST(PoolDir, BootingIsNeverClaimed) {
  TempDir tmp;
  PoolDir pool(tmp.path() / "pool");
  auto lock = pool.lock(10s);
  pool.add_booting(lock, PoolDir::new_slot_name(), record_of(::getpid()));
  EXPECT_FALSE(pool.claim(lock, qemu_shape()));
  ASSERT_EQ(pool.slots().size(), 1u);
  EXPECT_EQ(pool.slots()[0].state, SlotState::kBooting);
}

TEST(PoolDir, ClaimReapsADeadStandbyAndTakesTheNext) {
  TempDir tmp;
  PoolDir pool(tmp.path() / "pool");
  pid_t child = sleeper();
  ASSERT_GT(child, 0);
  StandbyRecord dead = record_of(child);
  ::kill(child, SIGKILL);
  ::waitpid(child, nullptr, 0);
  Slot gone = add_ready(pool, dead);
  // Names are random: make sure the dead one sorts first.
  fs::rename(gone.dir, pool.path() / "ready-0000000000000000");
  fs::rename(pool.vm_dir(gone.name), pool.vm_dir("0000000000000000"));
  Slot alive = add_ready(pool, record_of(::getpid()));
  auto lock = pool.lock(10s);
  auto claimed = pool.claim(lock, qemu_shape());
  ASSERT_TRUE(claimed);
  EXPECT_EQ(claimed->name, alive.name);
  EXPECT_FALSE(fs::exists(pool.path() / "ready-0000000000000000"));
  EXPECT_FALSE(fs::exists(pool.vm_dir("0000000000000000")));
}

TEST(PoolDir, ReapKillsTheStandbyAndRemovesItsDirectories) {
  TempDir tmp;
  PoolDir pool(tmp.path() / "pool");
  pid_t child = sleeper();
  ASSERT_GT(child, 0);
  Slot slot = add_ready(pool, record_of(child));
  EXPECT_TRUE(standby_alive(pool.slots().at(0)));
  {
    auto lock = pool.lock(10s);
    EXPECT_EQ(pool.reap_dead(lock), 0u);  // alive: kept
    pool.reap(lock, pool.slots().at(0));
  }
  int status = 0;
  ASSERT_EQ(::waitpid(child, &status, 0), child);
  EXPECT_TRUE(WIFSIGNALED(status));
  EXPECT_TRUE(pool.slots().empty());
  EXPECT_FALSE(fs::exists(pool.vm_dir(slot.name)));
}

TEST(PoolDir, ReapDeadRemovesRecordlessSlotsAndOrphanVmDirs) {
  TempDir tmp;
  PoolDir pool(tmp.path() / "pool");
  fs::create_directory(pool.path() / "ready-abc");  // no record
  fs::create_directory(pool.vm_dir("abc"));
  fs::create_directory(pool.vm_dir("orphan"));
  Slot alive = add_ready(pool, record_of(::getpid()));
  auto lock = pool.lock(10s);
  EXPECT_EQ(pool.reap_dead(lock), 1u);
  EXPECT_FALSE(fs::exists(pool.path() / "ready-abc"));
  EXPECT_FALSE(fs::exists(pool.vm_dir("abc")));
  EXPECT_FALSE(fs::exists(pool.vm_dir("orphan")));
  EXPECT_TRUE(fs::exists(alive.dir));
  EXPECT_TRUE(fs::exists(pool.vm_dir(alive.name)));
}

TEST(PoolDir, TheLockExcludesAndHasADeadline) {
  TempDir tmp;
  PoolDir pool(tmp.path() / "pool");
  auto held = pool.lock(10s);
  EXPECT_THROW(pool.lock(50ms), Error);
  { PoolLock moved = std::move(held); }
  EXPECT_NO_THROW(pool.lock(10s));
}

TEST(PoolDir, ConcurrentClaimsNeverShareAStandby) {
  TempDir tmp;
  PoolDir pool(tmp.path() / "pool");
  for (int i = 0; i < 3; ++i) add_ready(pool, record_of(::getpid()));
  std::mutex mutex;
  std::multiset<std::string> taken;
  std::atomic<int> empty{0};
  std::vector<std::thread> threads;
  for (int i = 0; i < 8; ++i)
    threads.emplace_back([&] {
      auto lock = pool.lock(30s);
      auto slot = pool.claim(lock, qemu_shape());
      std::lock_guard guard(mutex);
      if (slot)
        taken.insert(slot->name);
      else
        ++empty;
    });
  for (auto& t : threads) t.join();
  EXPECT_EQ(taken.size(), 3u);
  EXPECT_EQ(std::set<std::string>(taken.begin(), taken.end()).size(), 3u);
  EXPECT_EQ(empty.load(), 5);
}

TEST(PoolDir, ConcurrentClaimsAcrossProcesses) {
  TempDir tmp;
  PoolDir pool(tmp.path() / "pool");
  for (int i = 0; i < 2; ++i) add_ready(pool, record_of(::getpid()));
  int pipe_fds[2];
  ASSERT_EQ(::pipe(pipe_fds), 0);
  std::vector<pid_t> children;
  for (int i = 0; i < 5; ++i) {
    pid_t pid = ::fork();
    if (pid == 0) {
      ::close(pipe_fds[0]);
      std::string line = "-\n";
      try {
        PoolDir mine(tmp.path() / "pool");
        auto lock = mine.lock(30s);
        if (auto slot = mine.claim(lock, qemu_shape())) line = slot->name + "\n";
      } catch (...) {
        line = "error\n";
      }
      ssize_t ignored = ::write(pipe_fds[1], line.data(), line.size());
      (void)ignored;
      ::_exit(0);
    }
    children.push_back(pid);
  }
  ::close(pipe_fds[1]);
  for (pid_t pid : children) ::waitpid(pid, nullptr, 0);
  std::string all;
  char buf[512];
  ssize_t n;
  while ((n = ::read(pipe_fds[0], buf, sizeof buf)) > 0) all.append(buf, static_cast<size_t>(n));
  ::close(pipe_fds[0]);
  std::multiset<std::string> names;
  size_t start = 0;
  for (size_t end; (end = all.find('\n', start)) != std::string::npos; start = end + 1)
    names.insert(all.substr(start, end - start));
  EXPECT_EQ(names.count("-"), 3u);
  EXPECT_EQ(names.count("error"), 0u);
  names.erase("-");
  EXPECT_EQ(names.size(), 2u);
  EXPECT_EQ(std::set<std::string>(names.begin(), names.end()).size(), 2u);
}

}  // namespace
}  // namespace chrunc::runtime::pool
