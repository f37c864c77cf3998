// linux.namespaces: new ones, joined by path, the user namespace with maps.
#include <gtest/gtest.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cstdlib>
#include <string>

#include "tests/unit/agent-container/test_support.hpp"

namespace chrunc::container {
namespace {
using test::Bundle;
using test::default_spec;
using test::run_container;

std::string inode_of(const std::string& path) {
  struct stat st {};
  if (::stat(path.c_str(), &st) != 0) return "?";
  return std::to_string(st.st_ino);
}

TEST(Namespaces, NewNamespacesDifferFromTheHost) {
  REQUIRE_ROOT();
  Bundle bundle;
  auto result = run_container(default_spec(
      bundle.rootfs(),
      "echo pid=$$; for n in pid net ipc uts mnt; do stat -L -c \"$n %i\" /proc/self/ns/$n; done"));
  EXPECT_EQ(result.exit_code, 0) << result.err;
  EXPECT_NE(result.out.find("pid=1\n"), std::string::npos) << result.out;
  for (const char* ns : {"pid", "net", "ipc", "uts", "mnt"}) {
    std::string host = std::string(ns) + " " + inode_of(std::string("/proc/self/ns/") + ns) + "\n";
    EXPECT_EQ(result.out.find(host), std::string::npos) << ns << " is the host's";
  }
}

TEST(Namespaces, JoinNetworkNamespaceByPath) {
  REQUIRE_ROOT();
  std::string name = "chrunc-ct-" + std::to_string(::getpid());
  if (std::system(("ip netns add " + name).c_str()) != 0) GTEST_SKIP() << "ip netns add failed";
  std::string path = "/run/netns/" + name;
  Bundle bundle;
  auto spec = default_spec(bundle.rootfs(), "stat -L -c %i /proc/self/ns/net");
  for (auto& ns : spec.linux->namespaces)
    if (ns.type == "network") ns.path = path;
  auto result = run_container(spec);
  std::string expected = inode_of(path) + "\n";
  std::system(("ip netns del " + name).c_str());
  EXPECT_EQ(result.out, expected) << result.err;
}

TEST(Namespaces, UserNamespaceWithMappings) {
  REQUIRE_ROOT();
  Bundle bundle;
  auto spec = default_spec(bundle.rootfs(),
                           "cat /proc/self/uid_map /proc/self/gid_map; id -u; ls -l /dev/null");
  spec.linux->namespaces.push_back({"user", ""});
  spec.linux->uid_mappings = {{0, 100000, 65536}};
  spec.linux->gid_mappings = {{0, 100000, 65536}};
  auto result = run_container(spec);
  EXPECT_EQ(result.exit_code, 0) << result.err;
  EXPECT_NE(result.out.find("0     100000      65536\n"), std::string::npos) << result.out;
  EXPECT_NE(result.out.find("\n0\n"), std::string::npos) << result.out;
  // mknod is refused in a user namespace: the host's node is bound instead.
  EXPECT_NE(result.out.find("crw-rw-rw-"), std::string::npos) << result.out;
}

TEST(Namespaces, ExecJoinsTheUserNamespace) {
  REQUIRE_ROOT();
  Bundle bundle;
  DirectReaper reaper;
  CreateOptions options;
  options.id = "userns-exec";
  options.spec = default_spec(bundle.rootfs(), "sleep 100");
  options.spec.linux->namespaces.push_back({"user", ""});
  options.spec.linux->uid_mappings = {{0, 200000, 65536}};
  options.spec.linux->gid_mappings = {{0, 200000, 65536}};
  auto container = Container::create(std::move(options), reaper);
  container->start();
  oci::Process process = *default_spec(bundle.rootfs(), "").process;
  process.args = {"sh", "-c", "cat /proc/self/uid_map; id -u"};
  ProcessStdio stdio;
  pid_t pid = container->exec(process, stdio);
  std::string out, err;
  test::read_all(stdio, out, err);
  EXPECT_EQ(test::exit_code_of(reaper.wait_status(pid)), 0) << err;
  EXPECT_NE(out.find("200000"), std::string::npos) << out;
  EXPECT_NE(out.find("\n0\n"), std::string::npos) << out;
  container->destroy();
  reaper.wait_status(container->init_pid());
}

TEST(Namespaces, TimeNamespaceWithOffsets) {
  REQUIRE_ROOT();
  if (::access("/proc/self/ns/time", F_OK) != 0) GTEST_SKIP() << "kernel without time namespaces";
  Bundle bundle;
  auto spec = default_spec(bundle.rootfs(), "cut -d. -f1 /proc/uptime");
  spec.linux->namespaces.push_back({"time", ""});
  spec.linux->time_offsets = {{"boottime", {10 * 86400, 0}}, {"monotonic", {86400, 0}}};
  auto result = run_container(spec);
  EXPECT_EQ(result.exit_code, 0) << result.err;
  EXPECT_GE(std::stol("0" + result.out), 10 * 86400) << result.out;
}

}  // namespace
}  // namespace chrunc::container
