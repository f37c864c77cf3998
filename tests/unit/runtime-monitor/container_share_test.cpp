// The container's share directory, with real mounts (needs root).
#include "runtime/host/container_share.hpp"

#include <fcntl.h>
#include <gtest/gtest.h>
#include <signal.h>
#include <sys/mount.h>
#include <sys/stat.h>
#include <sys/statvfs.h>
#include <sys/wait.h>
#include <unistd.h>

#include <filesystem>
#include <fstream>
#include <iterator>
#include <set>

#include "common/error.hpp"

namespace chrunc::runtime {
namespace {

namespace fs = std::filesystem;

std::string slurp(const fs::path& p) {
  std::ifstream in(p);
  return std::string(std::istreambuf_iterator<char>(in), {});
}

void put(const fs::path& p, const std::string& text) {
  std::ofstream(p) << text;
}

// errno of creating (or truncating) `p` for writing; 0 when it worked.
int write_errno(const fs::path& p) {
  int fd = ::open(p.c_str(), O_WRONLY | O_CREAT | O_CLOEXEC, 0644);
  if (fd < 0) return errno;
  ::close(fd);
  return 0;
}

class ContainerShareTest : public ::testing::Test {
 protected:
  void SetUp() override {
    if (::geteuid() != 0) GTEST_SKIP() << "needs root (mounts)";
    char tmpl[] = "/tmp/chrunc-share-XXXXXX";
    dir_ = ::mkdtemp(tmpl);
    fs::create_directories(dir_ / "state");
    fs::create_directories(dir_ / "src/rootfs/etc");
    fs::create_directories(dir_ / "src/data");
    fs::create_directories(dir_ / "src/ro");
    fs::create_directories(dir_ / "src/files");
    put(dir_ / "src/rootfs/etc/hostname", "box\n");
    put(dir_ / "src/data/a", "data-a\n");
    put(dir_ / "src/ro/r", "ro-r\n");
    put(dir_ / "src/files/f", "file-f\n");
    put(dir_ / "src/files/s", "secret\n");
  }
  void TearDown() override {
    if (dir_.empty()) return;
    // Never remove_all across a mount: take everything off first.
    for (int i = 0; i < 8; ++i) {
      auto left = mounts_below(dir_);
      if (left.empty()) break;
      for (auto it = left.rbegin(); it != left.rend(); ++it) ::umount2(it->c_str(), MNT_DETACH);
    }
    ASSERT_TRUE(mounts_below(dir_).empty());
    fs::remove_all(dir_);
  }

  std::vector<ShareEntry> entries() const {
    return {{"rootfs", dir_ / "src/rootfs", true, false, true},
            {"m0", dir_ / "src/data", true, false, false},
            {"m1", dir_ / "src/files/f", false, true, false},
            {"m2", dir_ / "src/ro", true, true, false}};
  }

  fs::path dir_;
};

TEST_F(ContainerShareTest, EachSourceOnItsOwnReadOnlyOnTheHost) {
  ContainerShare share = ContainerShare::create(dir_ / "state", entries());
  const fs::path s = dir_ / "state/share";
  EXPECT_EQ(share.dir(), s);
  struct stat st {};
  ASSERT_EQ(::lstat(s.c_str(), &st), 0);
  EXPECT_TRUE(S_ISDIR(st.st_mode));
  // Searchable for a guest user namespace's root, not listable (the state
  // dir around it is 0700).
  EXPECT_EQ(st.st_mode & 07777, 0711u);

  std::set<std::string> names;
  for (const auto& e : fs::directory_iterator(s)) names.insert(e.path().filename().string());
  EXPECT_EQ(names, (std::set<std::string>{"rootfs", "m0", "m1", "m2"}));
  EXPECT_EQ(slurp(s / "rootfs/etc/hostname"), "box\n");
  EXPECT_EQ(slurp(s / "m0/a"), "data-a\n");
  EXPECT_EQ(slurp(s / "m2/r"), "ro-r\n");
  // The file alone: no parent, no sibling.
  ASSERT_TRUE(fs::is_regular_file(s / "m1"));
  EXPECT_EQ(slurp(s / "m1"), "file-f\n");

  // Read-only on the host: the host kernel refuses, whoever asks.
  EXPECT_EQ(write_errno(s / "m2/new"), EROFS);
  EXPECT_EQ(write_errno(s / "m2/r"), EROFS);
  EXPECT_EQ(write_errno(s / "m1"), EROFS);
  // Nothing can be added beside the entries, nor an entry removed.
  EXPECT_EQ(write_errno(s / "evil"), EROFS);
  EXPECT_NE(::rmdir((s / "m0").c_str()), 0);
  // Writable ones write through.
  EXPECT_EQ(write_errno(s / "m0/new"), 0);
  EXPECT_TRUE(fs::exists(dir_ / "src/data/new"));
  EXPECT_EQ(write_errno(s / "rootfs/etc/new"), 0);
  EXPECT_TRUE(fs::exists(dir_ / "src/rootfs/etc/new"));

  // nosuid,nodev on every share mount.
  for (const char* name : {"rootfs", "m0", "m1", "m2"}) {
    struct statvfs sv {};
    ASSERT_EQ(::statvfs((s / name).c_str(), &sv), 0) << name;
    EXPECT_TRUE(sv.f_flag & ST_NOSUID) << name;
    EXPECT_TRUE(sv.f_flag & ST_NODEV) << name;
    EXPECT_EQ(static_cast<bool>(sv.f_flag & ST_RDONLY),
              std::string(name) == "m1" || std::string(name) == "m2")
        << name;
  }

  // A file rewritten in place on the host shows (docker's /etc/hosts).
  { std::ofstream(dir_ / "src/files/f", std::ios::trunc) << "changed\n"; }
  EXPECT_EQ(slurp(s / "m1"), "changed\n");

  EXPECT_FALSE(mounts_below(s).empty());
  share.release();
  EXPECT_TRUE(mounts_below(dir_).empty());
  EXPECT_FALSE(fs::exists(s));
  share.release();  // idempotent
  // The host files are all still there.
  EXPECT_EQ(slurp(dir_ / "src/data/a"), "data-a\n");
  EXPECT_EQ(slurp(dir_ / "src/files/s"), "secret\n");
  EXPECT_EQ(slurp(dir_ / "src/rootfs/etc/hostname"), "box\n");
  EXPECT_EQ(slurp(dir_ / "src/ro/r"), "ro-r\n");
}

TEST_F(ContainerShareTest, RecursiveReadOnlyCoversSubmountsAndLeavesTheOriginals) {
  const fs::path sub = dir_ / "src/data/sub";
  fs::create_directories(sub);
  ASSERT_EQ(::mount("tmpfs", sub.c_str(), "tmpfs", 0, "size=1m"), 0);
  // Shared, as most of a systemd host is: our copies join its peer group
  // unless made slaves, and unmounting them would then unmount the original.
  ASSERT_EQ(::mount(nullptr, sub.c_str(), nullptr, MS_SHARED, nullptr), 0);
  put(sub / "x", "in-tmpfs\n");
  {
    ContainerShare share =
        ContainerShare::create(dir_ / "state", {{"m0", dir_ / "src/data", true, true, true},
                                                {"m1", dir_ / "src/data", true, false, false}});
    const fs::path s = share.dir();
    EXPECT_EQ(slurp(s / "m0/sub/x"), "in-tmpfs\n");
    EXPECT_EQ(write_errno(s / "m0/sub/y"), EROFS);  // the submount is read-only too
    EXPECT_EQ(write_errno(s / "m0/z"), EROFS);
    EXPECT_FALSE(fs::exists(s / "m1/sub/x"));  // bind, not rbind: no submounts
    // A mount made on the host below the source later does not come back
    // here as writable, and nothing mounted here reaches the host.
    ASSERT_EQ(::mount("tmpfs", (s / "m1/sub").c_str(), "tmpfs", 0, "size=1m"), 0);
    EXPECT_EQ(mounts_below(sub).size(), 1u);
  }
  EXPECT_TRUE(mounts_below(dir_ / "state").empty());
  EXPECT_EQ(mounts_below(sub).size(), 1u);  // the original is still mounted
  EXPECT_EQ(slurp(sub / "x"), "in-tmpfs\n");
  ASSERT_EQ(::umount2(sub.c_str(), 0), 0);
}

TEST_F(ContainerShareTest, FailureLeavesNothing) {
  auto list = entries();
  list.push_back({"m3", dir_ / "src/absent", true, false, false});
  try {
    ContainerShare::create(dir_ / "state", list);
    FAIL() << "no error";
  } catch (const Error& e) {
    EXPECT_NE(std::string(e.what()).find("src/absent"), std::string::npos) << e.what();
  }
  EXPECT_TRUE(mounts_below(dir_).empty());
  EXPECT_FALSE(fs::exists(dir_ / "state/share"));
  EXPECT_EQ(slurp(dir_ / "src/data/a"), "data-a\n");
}

TEST_F(ContainerShareTest, RefusesWhatIsAlreadyThere) {
  fs::create_directory_symlink(dir_ / "src/data", dir_ / "state/share");
  EXPECT_THROW(ContainerShare::create(dir_ / "state", entries()), Error);
  EXPECT_TRUE(mounts_below(dir_).empty());
  EXPECT_EQ(slurp(dir_ / "src/data/a"), "data-a\n");
  // Cleanup removes the name, never what it points to.
  remove_container_share(dir_ / "state");
  EXPECT_FALSE(fs::exists(dir_ / "state/share"));
  EXPECT_EQ(slurp(dir_ / "src/data/a"), "data-a\n");
}

TEST_F(ContainerShareTest, CleanupAfterAKilledOwnerIsIdempotent) {
  remove_container_share(dir_ / "state");  // nothing there
  // What a SIGKILLed monitor without a mount namespace of its own leaves:
  // the mounts, and no owner.
  pid_t child = ::fork();
  ASSERT_GE(child, 0);
  if (child == 0) {
    try {
      ContainerShare share = ContainerShare::create(dir_ / "state", entries());
      ::raise(SIGKILL);
    } catch (...) {
    }
    ::_exit(1);
  }
  int status = 0;
  ASSERT_EQ(::waitpid(child, &status, 0), child);
  ASSERT_TRUE(WIFSIGNALED(status) && WTERMSIG(status) == SIGKILL);
  ASSERT_FALSE(mounts_below(dir_ / "state").empty());
  // Named through a symlink (a state root under /var/run -> /run): found all the same.
  fs::create_directory_symlink(dir_ / "state", dir_ / "state-link");
  remove_container_share(dir_ / "state-link");
  EXPECT_TRUE(mounts_below(dir_).empty());
  EXPECT_FALSE(fs::exists(dir_ / "state/share"));
  remove_container_share(dir_ / "state");
  EXPECT_EQ(slurp(dir_ / "src/data/a"), "data-a\n");
  EXPECT_EQ(slurp(dir_ / "src/rootfs/etc/hostname"), "box\n");
}

}  // namespace
}  // namespace chrunc::runtime
