#include "common/fd_passing.hpp"

#include <fcntl.h>
#include <gtest/gtest.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <unistd.h>

#include <array>
#include <cerrno>
#include <string>

#include "common/error.hpp"

namespace chrunc {
namespace {

struct SocketPair {
  UniqueFd a, b;
  explicit SocketPair(int type) {
    int fds[2];
    EXPECT_EQ(::socketpair(AF_UNIX, type | SOCK_CLOEXEC, 0, fds), 0);
    a.reset(fds[0]);
    b.reset(fds[1]);
  }
};

ino_t inode_of(int fd) {
  struct stat st {};
  EXPECT_EQ(::fstat(fd, &st), 0);
  return st.st_ino;
}

TEST(FdPassing, SendsDataAndDescriptorsInOrder) {
  SocketPair sp(SOCK_STREAM);
  int p1[2], p2[2];
  ASSERT_EQ(::pipe(p1), 0);
  ASSERT_EQ(::pipe(p2), 0);
  UniqueFd r1(p1[0]), w1(p1[1]), r2(p2[0]), w2(p2[1]);
  std::array<int, 2> fds{r1.get(), w2.get()};
  std::string text = "hello";
  EXPECT_EQ(send_with_fds(sp.a.get(), text, fds, "send"), text.size());

  char buf[16];
  ReceivedData got = receive_with_fds(sp.b.get(), buf, 4, "receive");
  ASSERT_EQ(got.bytes, text.size());
  EXPECT_EQ(std::string(buf, got.bytes), "hello");
  ASSERT_EQ(got.fds.size(), 2u);
  EXPECT_FALSE(got.fds_truncated);
  EXPECT_EQ(inode_of(got.fds[0].get()), inode_of(r1.get()));
  EXPECT_EQ(inode_of(got.fds[1].get()), inode_of(w2.get()));
  EXPECT_TRUE(::fcntl(got.fds[0].get(), F_GETFD) & FD_CLOEXEC);
}

TEST(FdPassing, MoreDescriptorsThanRoomAreReportedTruncated) {
  SocketPair sp(SOCK_SEQPACKET);
  std::array<int, 5> fds{0, 1, 2, 0, 1};
  send_with_fds(sp.a.get(), std::string_view("x"), fds, "send");
  char buf[4];
  ReceivedData got = receive_with_fds(sp.b.get(), buf, 1, "receive");
  EXPECT_EQ(got.bytes, 1u);
  EXPECT_TRUE(got.fds_truncated);
  EXPECT_EQ(got.fds.size(), 1u);
}

TEST(FdPassing, EndOfFileIsZeroBytes) {
  SocketPair sp(SOCK_STREAM);
  sp.a.reset();
  char buf[4];
  ReceivedData got = receive_with_fds(sp.b.get(), buf, 1, "receive");
  EXPECT_EQ(got.bytes, 0u);
  EXPECT_TRUE(got.fds.empty());
}

TEST(FdPassing, ErrorsNameTheOperationAndCarryErrno) {
  SocketPair sp(SOCK_STREAM);
  sp.b.reset();
  try {
    send_with_fds(sp.a.get(), std::string_view("x"), {}, "send to peer");
    FAIL() << "expected an error";
  } catch (const Error& e) {
    EXPECT_EQ(e.sys_errno(), EPIPE);
    EXPECT_NE(std::string(e.what()).find("send to peer"), std::string::npos);
  }
  EXPECT_THROW(send_with_fds(sp.a.get(), std::string_view(), {}, "empty"), Error);
}

}  // namespace
}  // namespace chrunc
