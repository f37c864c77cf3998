#include "runtime/socket_dir.hpp"

#include <gtest/gtest.h>
#include <sys/stat.h>

#include <filesystem>
#include <string>

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

}  // namespace
}  // namespace chrunc::runtime
