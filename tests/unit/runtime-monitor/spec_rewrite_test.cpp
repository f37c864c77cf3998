#include "runtime/monitor/spec_rewrite.hpp"

#include <gtest/gtest.h>
#include <unistd.h>

#include <filesystem>
#include <fstream>

#include "common/error.hpp"

namespace chrunc::runtime {
namespace {

namespace fs = std::filesystem;

class SpecRewriteTest : public ::testing::Test {
 protected:
  void SetUp() override {
    char tmpl[] = "/tmp/chrunc-rewrite-XXXXXX";
    dir_ = ::mkdtemp(tmpl);
    fs::create_directories(dir_ / "bundle/rootfs");
    fs::create_directories(dir_ / "data");
    std::ofstream(dir_ / "etc-resolv.conf") << "nameserver 1.1.1.1\n";
  }
  void TearDown() override { fs::remove_all(dir_); }

  fs::path dir_;
};

TEST_F(SpecRewriteTest, RootfsRelativeToBundle) {
  oci::Spec spec;
  spec.root = oci::Root{"rootfs", true};
  GuestSpec g = rewrite_for_guest(spec, dir_ / "bundle");
  EXPECT_EQ(g.tag, "chrunc");
  EXPECT_EQ(g.guest_path, "/run/chrunc/shares/chrunc");
  EXPECT_EQ(g.spec.root->path, "/run/chrunc/shares/chrunc/rootfs");
  EXPECT_TRUE(g.spec.root->readonly);
  ASSERT_EQ(g.entries.size(), 1u);
  EXPECT_EQ(g.entries[0].name, "rootfs");
  EXPECT_EQ(g.entries[0].source, dir_ / "bundle/rootfs");
  EXPECT_TRUE(g.entries[0].directory);
  EXPECT_TRUE(g.entries[0].recursive);
  // writable: mount points are made before the guest remounts the root read-only
  EXPECT_FALSE(g.entries[0].read_only);
}

TEST_F(SpecRewriteTest, EachBindMountIsItsOwnEntry) {
  oci::Spec spec;
  spec.root = oci::Root{(dir_ / "bundle/rootfs").string(), false};
  spec.mounts.push_back({"/data", "bind", (dir_ / "data").string(), {"rbind", "rw"}});
  spec.mounts.push_back(
      {"/etc/resolv.conf", "", (dir_ / "etc-resolv.conf").string(), {"bind", "ro"}});
  spec.mounts.push_back({"/proc", "proc", "proc", {}});
  spec.mounts.push_back({"/dev/null2", "bind", "/dev/null", {"bind"}});
  spec.mounts.push_back({"/data-ro", "bind", "../data", {"bind", "ro"}});  // relative to the bundle
  GuestSpec g = rewrite_for_guest(spec, dir_ / "bundle");
  EXPECT_EQ(g.spec.mounts[0].source, "/run/chrunc/shares/chrunc/m0");
  EXPECT_EQ(g.spec.mounts[1].source, "/run/chrunc/shares/chrunc/m1");  // the file only
  EXPECT_EQ(g.spec.mounts[2].source, "proc");
  EXPECT_EQ(g.spec.mounts[3].source, "/dev/null");  // the guest has its own /dev
  EXPECT_EQ(g.spec.mounts[4].source, "/run/chrunc/shares/chrunc/m4");
  ASSERT_EQ(g.entries.size(), 4u);
  EXPECT_EQ(g.entries[1].name, "m0");
  EXPECT_EQ(g.entries[1].source, dir_ / "data");
  EXPECT_TRUE(g.entries[1].directory);
  EXPECT_FALSE(g.entries[1].read_only);
  EXPECT_TRUE(g.entries[1].recursive);
  EXPECT_EQ(g.entries[2].name, "m1");
  EXPECT_EQ(g.entries[2].source, dir_ / "etc-resolv.conf");  // not its parent
  EXPECT_FALSE(g.entries[2].directory);
  EXPECT_TRUE(g.entries[2].read_only);
  EXPECT_FALSE(g.entries[2].recursive);
  // The same directory ro and rw: two entries, each enforced on the host.
  EXPECT_EQ(g.entries[3].name, "m4");
  EXPECT_EQ(g.entries[3].source, dir_ / "data");
  EXPECT_TRUE(g.entries[3].read_only);
}

TEST_F(SpecRewriteTest, MissingSourceNamesTheMount) {
  oci::Spec spec;
  spec.root = oci::Root{"rootfs", false};
  spec.mounts.push_back({"/x", "bind", (dir_ / "nope").string(), {"bind"}});
  try {
    rewrite_for_guest(spec, dir_ / "bundle");
    FAIL() << "expected an error";
  } catch (const Error& e) {
    EXPECT_NE(std::string(e.what()).find("mounts[0].source"), std::string::npos) << e.what();
  }
}

TEST(SpecRewrite, IsBindMount) {
  EXPECT_TRUE(is_bind_mount({"/a", "bind", "/x", {}}));
  EXPECT_TRUE(is_bind_mount({"/a", "none", "/x", {"rbind"}}));
  EXPECT_FALSE(is_bind_mount({"/a", "tmpfs", "tmpfs", {"nosuid"}}));
}

TEST_F(SpecRewriteTest, NamespacePathsStayOnTheHost) {
  oci::Spec spec;
  spec.root = oci::Root{"rootfs", false};
  spec.linux.emplace();
  spec.linux->namespaces = {{"network", "/run/netns/x"}, {"pid", ""}, {"ipc", "/proc/1/ns/ipc"}};
  GuestSpec g = rewrite_for_guest(spec, dir_ / "bundle");
  // The network namespace goes: the container shares the VM's (its NICs); a
  // cgroup and a mount namespace are added (see the next tests).
  ASSERT_EQ(g.spec.linux->namespaces.size(), 4u);
  for (const auto& ns : g.spec.linux->namespaces) EXPECT_EQ(ns.path, "") << ns.type;
  EXPECT_EQ(g.spec.linux->namespaces[0].type, "pid");
  EXPECT_EQ(g.spec.linux->namespaces[1].type, "ipc");
  EXPECT_EQ(g.spec.linux->namespaces[2].type, "cgroup");
  EXPECT_EQ(g.spec.linux->namespaces[3].type, "mount");
  // Also without a path (runc would make a new, empty one: so is the VM's
  // when the monitor's new namespace holds no interface).
  spec.linux->namespaces = {{"network", ""}, {"uts", ""}};
  g = rewrite_for_guest(spec, dir_ / "bundle");
  ASSERT_EQ(g.spec.linux->namespaces.size(), 3u);
  EXPECT_EQ(g.spec.linux->namespaces[0].type, "uts");
}

// Engines on a cgroup v1 host leave the cgroup namespace out; in the VM the
// container gets one, so that /sys/fs/cgroup shows its own cgroup's limits.
TEST_F(SpecRewriteTest, TheGuestContainerGetsACgroupNamespace) {
  oci::Spec spec;
  spec.root = oci::Root{"rootfs", false};
  spec.linux.emplace();
  spec.linux->namespaces = {{"mount", ""}, {"pid", ""}};
  GuestSpec g = rewrite_for_guest(spec, dir_ / "bundle");
  ASSERT_EQ(g.spec.linux->namespaces.size(), 3u);
  EXPECT_EQ(g.spec.linux->namespaces[2], (oci::Namespace{"cgroup", ""}));
  spec.linux->namespaces = {{"mount", ""}, {"cgroup", "/proc/1/ns/cgroup"}};
  g = rewrite_for_guest(spec, dir_ / "bundle");
  ASSERT_EQ(g.spec.linux->namespaces.size(), 2u);  // asked for: kept, made new in the VM
  EXPECT_EQ(g.spec.linux->namespaces[1], (oci::Namespace{"cgroup", ""}));
}

// runc runs a config without a mount namespace (setting the rootfs up in its
// own); in the VM the container gets one, so the agent's mounts stay as they are.
TEST_F(SpecRewriteTest, TheGuestContainerGetsAMountNamespace) {
  oci::Spec spec;
  spec.root = oci::Root{"rootfs", false};
  spec.linux.emplace();
  spec.linux->namespaces = {{"pid", ""}, {"cgroup", ""}};
  GuestSpec g = rewrite_for_guest(spec, dir_ / "bundle");
  ASSERT_EQ(g.spec.linux->namespaces.size(), 3u);
  EXPECT_EQ(g.spec.linux->namespaces[2], (oci::Namespace{"mount", ""}));
  spec.linux->namespaces = {{"mount", "/proc/1/ns/mnt"}};  // a path: joined on the host
  g = rewrite_for_guest(spec, dir_ / "bundle");
  ASSERT_EQ(g.spec.linux->namespaces.size(), 2u);
  EXPECT_EQ(g.spec.linux->namespaces[0], (oci::Namespace{"mount", ""}));
}

TEST_F(SpecRewriteTest, CreateContainerHooksStayOnTheHost) {
  oci::Spec spec;
  spec.root = oci::Root{"rootfs", false};
  spec.hooks.emplace();
  spec.hooks->create_container = {{"/usr/bin/host-hook", {}, {}, {}}};
  spec.hooks->start_container = {{"/bin/in-container", {}, {}, {}}};
  GuestSpec g = rewrite_for_guest(spec, dir_ / "bundle");
  EXPECT_TRUE(g.spec.hooks->create_container.empty());
  ASSERT_EQ(g.spec.hooks->start_container.size(), 1u);
  EXPECT_EQ(g.spec.hooks->start_container[0].path, "/bin/in-container");
}

}  // namespace
}  // namespace chrunc::runtime
