#include "runtime/relays/stand_in_user.hpp"

#include <gtest/gtest.h>
#include <pwd.h>

#include "common/error.hpp"

namespace chrunc::runtime {
namespace {

TEST(StandInUser, ANameIsLookedUpInTheHostsPasswd) {
  passwd* nobody = ::getpwnam("nobody");
  HostIdentity want = nobody ? HostIdentity{nobody->pw_uid, nobody->pw_gid} : HostIdentity{};
  EXPECT_EQ(resolve_stand_in_user("nobody"), want);
  EXPECT_THROW(resolve_stand_in_user("no-such-user-chrunc"), Error);
}

TEST(StandInUser, NumbersAndPairs) {
  EXPECT_EQ(resolve_stand_in_user("4321:8765"), (HostIdentity{4321, 8765}));
  // A uid without a passwd entry: its group is the same number.
  if (::getpwuid(54321) == nullptr)
    EXPECT_EQ(resolve_stand_in_user("54321"), (HostIdentity{54321, 54321}));
  EXPECT_THROW(resolve_stand_in_user("12:x"), Error);
  EXPECT_THROW(resolve_stand_in_user("-1"), Error);
  EXPECT_THROW(resolve_stand_in_user("4294967295"), Error);
}

TEST(StandInUser, NeverRoot) {
  EXPECT_THROW(resolve_stand_in_user("root"), Error);
  EXPECT_THROW(resolve_stand_in_user("0"), Error);
  EXPECT_THROW(resolve_stand_in_user("0:5"), Error);
  EXPECT_THROW(resolve_stand_in_user("5:0"), Error);
}

TEST(StandInUser, AMonitorThatIsNotRootGivesItsOwnIds) {
  if (::geteuid() == 0) {
    EXPECT_EQ(stand_in_identity_for_monitor("4321:8765"), (HostIdentity{4321, 8765}));
  } else {
    EXPECT_EQ(stand_in_identity_for_monitor("4321:8765"), (HostIdentity{::geteuid(), ::getegid()}));
  }
}

}  // namespace
}  // namespace chrunc::runtime
