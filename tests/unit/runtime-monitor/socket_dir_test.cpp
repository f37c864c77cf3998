#include "runtime/store/socket_dir.hpp"

#include <gtest/gtest.h>
#include <sys/stat.h>
#include <unistd.h>

#include <filesystem>
#include <fstream>
#include <string>

#include "common/error.hpp"

namespace chrunc::runtime {
namespace {

namespace fs = std::filesystem;

TEST(SocketDir, ShortStableAndPerStateDir) {
  const fs::path deep = "/tmp/" + std::string(150, 'x') + "/root/some-very-long-container-id";
  const fs::path a = socket_dir_path(deep);
  EXPECT_EQ(a, socket_dir_path(deep)) << "must be found again from the state dir alone";
  EXPECT_NE(a, socket_dir_path(deep.string() + "2"));
  // Room for the longest socket name (virtiofs share sockets, monitor.sock)
  // under the 107-byte sun_path limit.
  EXPECT_LT((a / "share1234.vhost-user-fs.sock").string().size(), 80u);
}

TEST(SocketDir, MadePrivateAndRemovedWithItsContents) {
  const fs::path state_dir = "/tmp/chrunc-socket-dir-test/" + std::to_string(::getpid());
  const fs::path dir = make_socket_dir(state_dir);
  struct stat st {};
  ASSERT_EQ(::stat(dir.c_str(), &st), 0);
  EXPECT_EQ(st.st_mode & 07777, 0700u);
  fs::create_directories(dir / "sub");
  remove_socket_dir(state_dir);
  EXPECT_FALSE(fs::exists(dir));
  remove_socket_dir(state_dir);  // idempotent
}

// What another state dir (a 64-bit hash collision) or a local attacker
// planted at a container's socket dir path is refused, never adopted, and
// remove_socket_dir leaves it alone.
class PlantedSocketDir : public ::testing::Test {
 protected:
  void SetUp() override {
    if (::geteuid() != 0) GTEST_SKIP() << "needs root (/run/ch-runc)";
    state_dir_ = "/tmp/chrunc-socket-dir-test/planted-" + std::to_string(::getpid());
    dir_ = socket_dir_path(state_dir_);
    fs::create_directories(dir_.parent_path());
    fs::remove_all(dir_);
  }
  void TearDown() override { fs::remove_all(dir_); }
  void expect_refused(const char* what) {
    try {
      make_socket_dir(state_dir_);
      ADD_FAILURE() << "accepted " << what;
    } catch (const Error& e) {
      EXPECT_NE(std::string(e.what()).find(dir_.string()), std::string::npos) << e.what();
    }
  }
  fs::path state_dir_, dir_;
};

TEST_F(PlantedSocketDir, AnotherStateDirsDirectoryIsACollision) {
  const fs::path other = state_dir_.string() + "-other";
  fs::create_directory(dir_, fs::path("/tmp"));
  { std::ofstream(dir_ / "state-dir") << other.string(); }
  expect_refused("another state dir's socket dir");
  remove_socket_dir(state_dir_);
  EXPECT_TRUE(fs::exists(dir_ / "state-dir")) << "removed another container's socket dir";
}

TEST_F(PlantedSocketDir, SymlinkIsRefused) {
  fs::create_directory_symlink("/tmp", dir_);
  expect_refused("a symlink");
}

TEST_F(PlantedSocketDir, ForeignOwnerIsRefused) {
  fs::create_directory(dir_);
  ASSERT_EQ(::chown(dir_.c_str(), 65534, 65534), 0);
  expect_refused("a directory owned by another uid");
}

TEST_F(PlantedSocketDir, OwnDirectoryIsFoundAgain) {
  EXPECT_EQ(make_socket_dir(state_dir_), dir_);
  EXPECT_EQ(make_socket_dir(state_dir_), dir_);
  remove_socket_dir(state_dir_);
  EXPECT_FALSE(fs::exists(dir_));
}

}  // namespace
}  // namespace chrunc::runtime
