#include "common/error.hpp"

#include <fcntl.h>
#include <gtest/gtest.h>

#include "common/unique_fd.hpp"

namespace chrunc {
namespace {

TEST(Error, ThrowErrnoNamesTheOperationAndTheCause) {
  try {
    throw_errno("open /nonexistent", ENOENT);
    FAIL() << "throw_errno returned";
  } catch (const Error& e) {
    EXPECT_STREQ(e.what(), "open /nonexistent: No such file or directory");
    EXPECT_EQ(e.sys_errno(), ENOENT);
  }
}

TEST(Error, CheckSyscallPassesResultsThrough) {
  EXPECT_EQ(check_syscall(5, "x"), 5);
  errno = EBADF;
  EXPECT_THROW(check_syscall(-1, "close"), Error);
}

TEST(UniqueFd, ClosesOnDestructionAndMove) {
  int raw = ::open("/dev/null", O_RDONLY | O_CLOEXEC);
  ASSERT_GE(raw, 0);
  {
    UniqueFd a(raw);
    UniqueFd b(std::move(a));
    EXPECT_FALSE(a.valid());
    EXPECT_EQ(b.get(), raw);
  }
  EXPECT_EQ(::fcntl(raw, F_GETFD), -1);
  EXPECT_EQ(errno, EBADF);
}

}  // namespace
}  // namespace chrunc
