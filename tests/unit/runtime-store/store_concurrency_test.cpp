// Two processes racing on one id, and the per-id lock excluding others.
#include <fcntl.h>
#include <gtest/gtest.h>
#include <sys/file.h>
#include <sys/wait.h>

#include "common/error.hpp"
#include "common/unique_fd.hpp"
#include "runtime/store/state_store.hpp"
#include "temp_store.hpp"

namespace chrunc::runtime {
namespace {
using StoreConcurrency = testing::TempStore;

// A non-blocking attempt at the id's lock from a separate open file description.
bool lock_is_free(const std::filesystem::path& lock_file) {
  UniqueFd fd(::open(lock_file.c_str(), O_RDWR | O_CLOEXEC));
  if (!fd) return false;
  return ::flock(fd.get(), LOCK_EX | LOCK_NB) == 0;
}

TEST_F(StoreConcurrency, ExactlyOneOfManyRacingReservesWins) {
  constexpr int kRounds = 20;
  constexpr int kRacers = 4;
  StateStore store(root_);
  for (int round = 0; round < kRounds; ++round) {
    const std::string id = "race" + std::to_string(round);
    int go[2];
    ASSERT_EQ(::pipe(go), 0);
    std::vector<pid_t> racers;
    for (int i = 0; i < kRacers; ++i) {
      pid_t pid = ::fork();
      if (pid == 0) {
        ::close(go[1]);
        char c;
        (void)::read(go[0], &c, 1);  // all start together
        try {
          auto lock = store.reserve(id);
          ContainerRecord r;
          r.id = id;
          r.bundle = "/winner/" + std::to_string(::getpid());
          store.save(r);
          ::_exit(0);
        } catch (const Error& e) {
          ::_exit(std::string(e.what()) == "container with id exists: " + id ? 1 : 2);
        }
      }
      racers.push_back(pid);
    }
    ::close(go[0]);
    ::close(go[1]);  // EOF releases them all at once
    int winners = 0, losers = 0;
    pid_t winner = 0;
    for (pid_t pid : racers) {
      int status = 0;
      ASSERT_EQ(::waitpid(pid, &status, 0), pid);
      ASSERT_TRUE(WIFEXITED(status));
      if (WEXITSTATUS(status) == 0) {
        ++winners;
        winner = pid;
      } else {
        EXPECT_EQ(WEXITSTATUS(status), 1);
        ++losers;
      }
    }
    EXPECT_EQ(winners, 1) << id;
    EXPECT_EQ(losers, kRacers - 1) << id;
    EXPECT_EQ(store.load(id).bundle, "/winner/" + std::to_string(winner));
  }
  EXPECT_EQ(store.list_ids().size(), static_cast<size_t>(kRounds));
  size_t entries = 0;
  for (auto& e : std::filesystem::directory_iterator(root_)) {
    (void)e;
    ++entries;
  }
  EXPECT_EQ(entries, static_cast<size_t>(kRounds));  // no reservation leftovers
}

TEST_F(StoreConcurrency, ReserveHoldsTheLockUntilReleased) {
  StateStore store(root_);
  auto lock = std::make_unique<ContainerLock>(store.reserve("c"));
  EXPECT_FALSE(lock_is_free(root_ / "c" / "lock"));
  lock.reset();
  EXPECT_TRUE(lock_is_free(root_ / "c" / "lock"));
}

TEST_F(StoreConcurrency, LockExcludesASecondLocker) {
  StateStore store(root_);
  store.reserve("c");
  // Fork before locking: a child inheriting our lock fd would share our lock.
  int go[2], ready[2];
  ASSERT_EQ(::pipe(go), 0);
  ASSERT_EQ(::pipe(ready), 0);
  pid_t child = ::fork();
  if (child == 0) {
    ::close(go[1]);
    ::close(ready[0]);
    char c;
    (void)::read(go[0], &c, 1);
    auto second = store.lock("c");  // blocks until the parent releases
    (void)::write(ready[1], "x", 1);
    ::_exit(0);
  }
  ::close(go[0]);
  ::close(ready[1]);
  auto lock = std::make_unique<ContainerLock>(store.lock("c"));
  EXPECT_FALSE(lock_is_free(root_ / "c" / "lock"));
  (void)::write(go[1], "x", 1);
  ::usleep(200 * 1000);
  int flags = ::fcntl(ready[0], F_GETFL);
  ::fcntl(ready[0], F_SETFL, flags | O_NONBLOCK);
  char c;
  EXPECT_EQ(::read(ready[0], &c, 1), -1) << "second locker got in while the lock was held";
  ::fcntl(ready[0], F_SETFL, flags);
  lock.reset();
  EXPECT_EQ(::read(ready[0], &c, 1), 1);
  int status = 0;
  ::waitpid(child, &status, 0);
  EXPECT_EQ(WEXITSTATUS(status), 0);
  ::close(ready[0]);
  ::close(go[1]);
}

TEST_F(StoreConcurrency, LockFdIsCloseOnExec) {
  StateStore store(root_);
  auto lock = store.reserve("c");
  bool found = false;
  for (const auto& entry : std::filesystem::directory_iterator("/proc/self/fd")) {
    std::error_code ec;
    if (std::filesystem::read_symlink(entry.path(), ec) == root_ / "c" / "lock") {
      int fd = std::stoi(entry.path().filename());
      EXPECT_TRUE(::fcntl(fd, F_GETFD) & FD_CLOEXEC);
      found = true;
    }
  }
  EXPECT_TRUE(found);
}

}  // namespace
}  // namespace chrunc::runtime
