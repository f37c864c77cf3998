#include "agent/container/security/user.hpp"

#include <grp.h>
#include <gtest/gtest.h>
#include <linux/capability.h>
#include <sys/syscall.h>

#include "child.hpp"

namespace chrunc::container {
namespace {

using test::run_in_child;
using test::status_field;

std::string identity() {
  return status_field("Uid") + "|" + status_field("Gid") + "|" + status_field("Groups") + "|" +
         status_field("Umask");
}

TEST(User, SwitchesUidGidGroupsAndUmask) {
  auto result = run_in_child([] {
    oci::User user;
    user.uid = 1234;
    user.gid = 2345;
    user.additional_gids = {3456, 4567};
    user.umask = 027;
    switch_user(user);
    return identity();
  });
  ASSERT_TRUE(result.exited_ok()) << result.output;
  EXPECT_EQ(result.output, "1234\t1234\t1234\t1234|2345\t2345\t2345\t2345|3456 4567 |0027");
}

TEST(User, EmptyAdditionalGidsClearsGroups) {
  auto result = run_in_child([] {
    ::setgroups(1, std::vector<gid_t>{99}.data());
    oci::User user;
    user.uid = 1000;
    user.gid = 1000;
    switch_user(user);
    return identity();
  });
  ASSERT_TRUE(result.exited_ok()) << result.output;
  EXPECT_EQ(result.output.substr(0, result.output.rfind('|')),
            "1000\t1000\t1000\t1000|1000\t1000\t1000\t1000|");
}

TEST(User, ErrorNamesTheIds) {
  auto result = run_in_child([] {
    oci::User user;
    user.uid = 1000;
    user.gid = 1000;
    switch_user(user);
    user.additional_gids = {5};
    user.uid = 0;
    switch_user(user);  // no longer root: refused
    return identity();
  });
  EXPECT_EQ(result.output, "ERROR: setgroups [5]: Operation not permitted");
  result = run_in_child([] {
    // Without CAP_SETUID in the effective set the uid switch is refused.
    __user_cap_header_struct header{_LINUX_CAPABILITY_VERSION_3, 0};
    __user_cap_data_struct data[2]{};
    ::syscall(SYS_capget, &header, data);
    data[0].effective &= ~(1u << CAP_SETUID);
    ::syscall(SYS_capset, &header, data);
    oci::User user;
    user.uid = 1000;
    user.gid = 1000;
    switch_user(user);
    return identity();
  });
  EXPECT_EQ(result.output, "ERROR: setresuid 1000: Operation not permitted");
}

}  // namespace
}  // namespace chrunc::container
