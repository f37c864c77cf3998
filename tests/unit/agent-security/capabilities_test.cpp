#include "agent/container/security/capabilities.hpp"

#include <gtest/gtest.h>
#include <sys/prctl.h>

#include "agent/container/security/user.hpp"
#include "child.hpp"

namespace chrunc::container {
namespace {

using test::run_in_child;
using test::status_field;

std::string cap_sets() {
  return "Bnd=" + status_field("CapBnd") + " Prm=" + status_field("CapPrm") +
         " Eff=" + status_field("CapEff") + " Inh=" + status_field("CapInh") +
         " Amb=" + status_field("CapAmb");
}

oci::Capabilities sample() {
  oci::Capabilities caps;
  caps.bounding = {"CAP_CHOWN", "CAP_KILL", "CAP_NET_BIND_SERVICE"};
  caps.permitted = {"CAP_CHOWN", "CAP_KILL", "CAP_NET_BIND_SERVICE"};
  caps.effective = {"CAP_CHOWN", "CAP_NET_BIND_SERVICE"};
  caps.inheritable = {"CAP_NET_BIND_SERVICE"};
  caps.ambient = {"CAP_NET_BIND_SERVICE"};
  return caps;
}

TEST(Capabilities, NameTable) {
  EXPECT_EQ(capability_from_name("CAP_CHOWN"), 0);
  EXPECT_EQ(capability_from_name("CAP_SYS_ADMIN"), 21);
  EXPECT_EQ(capability_from_name("CAP_CHECKPOINT_RESTORE"), 40);
  EXPECT_EQ(capability_from_name("CAP_FOO"), std::nullopt);
  EXPECT_EQ(capability_from_name("chown"), std::nullopt);
}

TEST(Capabilities, AllFiveSetsAfterSwitchingToNonRoot) {
  auto result = run_in_child([] {
    prepare_keep_capabilities();
    oci::User user;
    user.uid = 1000;
    user.gid = 1000;
    switch_user(user);
    apply_capabilities(sample());
    return cap_sets() + " keepcaps=" + std::to_string(::prctl(PR_GET_KEEPCAPS));
  });
  ASSERT_TRUE(result.exited_ok()) << result.output;
  EXPECT_EQ(result.output,
            "Bnd=0000000000000421 Prm=0000000000000421 Eff=0000000000000401 "
            "Inh=0000000000000400 Amb=0000000000000400 keepcaps=0");
}

TEST(Capabilities, AsRoot) {
  auto result = run_in_child([] {
    apply_capabilities(sample());
    return cap_sets();
  });
  ASSERT_TRUE(result.exited_ok()) << result.output;
  EXPECT_EQ(result.output,
            "Bnd=0000000000000421 Prm=0000000000000421 Eff=0000000000000401 "
            "Inh=0000000000000400 Amb=0000000000000400");
}

TEST(Capabilities, AbsentMeansNone) {
  auto result = run_in_child([] {
    apply_capabilities(std::nullopt);
    return cap_sets();
  });
  ASSERT_TRUE(result.exited_ok()) << result.output;
  EXPECT_EQ(result.output,
            "Bnd=0000000000000000 Prm=0000000000000000 Eff=0000000000000000 "
            "Inh=0000000000000000 Amb=0000000000000000");
}

TEST(Capabilities, UnknownNameIsAnErrorBeforeAnyChange) {
  auto result = run_in_child([] {
    auto caps = sample();
    caps.effective.push_back("CAP_FOO");
    try {
      apply_capabilities(caps);
    } catch (const Error& e) {
      return std::string(e.what()) + " " + cap_sets();
    }
    return std::string("applied");
  });
  EXPECT_EQ(result.output, "unknown capability \"CAP_FOO\" Bnd=" + status_field("CapBnd") +
                               " Prm=" + status_field("CapPrm") + " Eff=" + status_field("CapEff") +
                               " Inh=" + status_field("CapInh") + " Amb=" + status_field("CapAmb"));
}

TEST(Capabilities, AmbientNotInheritableIsSkipped) {
  auto result = run_in_child([] {
    auto caps = sample();
    caps.inheritable.clear();
    apply_capabilities(caps);
    return status_field("CapAmb");
  });
  ASSERT_TRUE(result.exited_ok()) << result.output;
  EXPECT_EQ(result.output, "0000000000000000");
}

TEST(Capabilities, EffectiveOutsidePermittedFails) {
  auto result = run_in_child([] {
    auto caps = sample();
    caps.effective.push_back("CAP_SYS_ADMIN");
    apply_capabilities(caps);
    return cap_sets();
  });
  EXPECT_EQ(result.output,
            "ERROR: capset permitted=0x421 effective=0x200401 inheritable=0x400: Operation not "
            "permitted");
}

}  // namespace
}  // namespace chrunc::container
