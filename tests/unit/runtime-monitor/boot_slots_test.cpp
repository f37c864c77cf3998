#include "runtime/monitor/boot_slots.hpp"

#include <gtest/gtest.h>
#include <signal.h>
#include <stdlib.h>
#include <sys/wait.h>
#include <unistd.h>

#include "common/error.hpp"

namespace chrunc::runtime {
namespace {

namespace fs = std::filesystem;
using namespace std::chrono_literals;

class BootSlotTest : public ::testing::Test {
 protected:
  void SetUp() override {
    std::string tmpl = (fs::temp_directory_path() / "chrunc-slots-test.XXXXXX").string();
    top_ = ::mkdtemp(tmpl.data());
    dir_ = top_ / "boot-slots";
  }
  void TearDown() override {
    std::error_code ec;
    fs::remove_all(top_, ec);
  }
  fs::path top_, dir_;
};

TEST_F(BootSlotTest, AtMostNAtOnceAndAReleasedSlotIsFreeAgain) {
  BootSlot a = BootSlot::acquire(2, 0ms, dir_);
  BootSlot b = BootSlot::acquire(2, 0ms, dir_);
  EXPECT_TRUE(a.held() && b.held());
  try {
    BootSlot::acquire(2, 100ms, dir_);
    FAIL() << "a third slot of two";
  } catch (const Error& e) {
    EXPECT_NE(std::string(e.what()).find("no boot slot came free"), std::string::npos) << e.what();
  }
  b.release();
  EXPECT_TRUE(BootSlot::acquire(2, 0ms, dir_).held());
  EXPECT_EQ(fs::status(dir_).permissions() & fs::perms::all, fs::perms::owner_all);
}

// A holder killed outright (a monitor SIGKILLed mid-boot) frees its slot.
TEST_F(BootSlotTest, AKilledHolderFreesItsSlot) {
  int ready[2];
  ASSERT_EQ(::pipe(ready), 0);
  pid_t child = ::fork();
  ASSERT_GE(child, 0);
  if (child == 0) {
    BootSlot held = BootSlot::acquire(1, 0ms, dir_);
    char one = 1;
    (void)!::write(ready[1], &one, 1);
    ::pause();
    ::_exit(0);
  }
  char got = 0;
  ASSERT_EQ(::read(ready[0], &got, 1), 1);
  EXPECT_THROW(BootSlot::acquire(1, 50ms, dir_), Error);
  ::kill(child, SIGKILL);
  ::waitpid(child, nullptr, 0);
  EXPECT_TRUE(BootSlot::acquire(1, 0ms, dir_).held());
  ::close(ready[0]);
  ::close(ready[1]);
}

}  // namespace
}  // namespace chrunc::runtime
