// linux.rootfsPropagation with the rootfs a shared mount point, as the agent's
// virtiofs shares are in the guest: "/" comes out as each value says, receives
// (slave only) what is mounted on the rootfs outside after create, and sends
// nothing out whatever the value.
#include <gtest/gtest.h>
#include <sys/mount.h>

#include <filesystem>
#include <fstream>
#include <sstream>

#include "common/error.hpp"
#include "tests/unit/agent-container/test_support.hpp"

namespace chrunc::container {
namespace {
using test::Bundle;
using test::default_spec;

struct PropagationCase {
  const char* value;     // linux.rootfsPropagation
  const char* expected;  // private, slave, shared or unbindable, from mountinfo
  bool receives;         // a mount made outside after create shows inside
};

// The optional fields of the mountinfo line of "/" as one word.
std::string propagation_of_root(const std::string& mountinfo) {
  std::istringstream in(mountinfo);
  std::string line, result = "no / line";
  while (std::getline(in, line)) {
    std::istringstream fields(line);
    std::string id, parent, devno, root, point, options, field;
    fields >> id >> parent >> devno >> root >> point >> options;
    if (point != "/") continue;
    bool shared = false, slave = false, unbindable = false;
    while (fields >> field && field != "-") {
      shared |= field.starts_with("shared:");
      slave |= field.starts_with("master:");
      unbindable |= field == "unbindable";
    }
    result = unbindable ? "unbindable"
             : shared   ? (slave ? "shared+slave" : "shared")
             : slave    ? "slave"
                        : "private";
  }
  return result;
}

class RootfsPropagation : public testing::TestWithParam<PropagationCase> {};

TEST_P(RootfsPropagation, RootAsConfiguredAndNothingLeaksOut) {
  REQUIRE_ROOT();
  const PropagationCase& param = GetParam();
  Bundle bundle;
  const std::string rootfs = bundle.rootfs();
  const std::string mnt = rootfs + "/mnt";
  std::filesystem::create_directories(mnt);
  check_syscall(::mount(rootfs.c_str(), rootfs.c_str(), nullptr, MS_BIND, nullptr),
                "bind the rootfs onto itself");
  check_syscall(::mount(nullptr, rootfs.c_str(), nullptr, MS_SHARED, nullptr),
                "make the rootfs shared");

  DirectReaper reaper;
  CreateOptions options;
  options.spec = default_spec(rootfs,
                              "cat /proc/self/mountinfo; cat /mnt/marker 2>/dev/null || "
                              "echo no-marker");
  options.spec.linux->rootfs_propagation = param.value;
  auto container = Container::create(std::move(options), reaper);
  EXPECT_EQ(test::mounts_under(bundle.dir()), std::vector<std::string>{rootfs})
      << "container mounts propagated out";
  check_syscall(::mount("tmpfs", mnt.c_str(), "tmpfs", 0, nullptr), "mount tmpfs on rootfs/mnt");
  std::ofstream(mnt + "/marker") << "marker\n";

  ProcessStdio stdio = container->take_init_stdio();
  container->start();
  std::string out, err;
  test::read_all(stdio, out, err);
  EXPECT_EQ(test::exit_code_of(reaper.wait_status(container->init_pid())), 0) << err;
  container->destroy();

  EXPECT_EQ(propagation_of_root(out), param.expected) << out;
  EXPECT_NE(out.find(param.receives ? "\nmarker\n" : "\nno-marker\n"), std::string::npos) << out;
}

INSTANTIATE_TEST_SUITE_P(Values, RootfsPropagation,
                         testing::Values(PropagationCase{"private", "private", false},
                                         PropagationCase{"rprivate", "private", false},
                                         PropagationCase{"slave", "slave", true},
                                         PropagationCase{"rslave", "slave", true},
                                         PropagationCase{"shared", "shared", false},
                                         PropagationCase{"rshared", "shared", false},
                                         PropagationCase{"unbindable", "unbindable", false},
                                         PropagationCase{"runbindable", "unbindable", false}),
                         [](const testing::TestParamInfo<PropagationCase>& info) {
                           return std::string(info.param.value);
                         });

}  // namespace
}  // namespace chrunc::container
