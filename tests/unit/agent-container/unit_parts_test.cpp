// The pure parts: mount option parsing, path resolution inside a rootfs,
// PATH lookup wording.
#include <gtest/gtest.h>
#include <sys/mount.h>
#include <unistd.h>

#include <filesystem>

#include "agent/container/file_util.hpp"
#include "agent/container/mount_options.hpp"
#include "agent/container/process_exec.hpp"
#include "common/error.hpp"
#include "tests/unit/agent-container/test_support.hpp"

namespace chrunc::container {
namespace {

TEST(MountOptions, FlagsPropagationAndData) {
  MountOptions o = parse_mount_options({"rbind", "ro", "nosuid", "rslave", "size=10k", "mode=755"});
  EXPECT_TRUE(o.bind);
  EXPECT_EQ(o.flags, static_cast<unsigned long>(MS_BIND | MS_REC | MS_RDONLY | MS_NOSUID));
  ASSERT_EQ(o.propagation.size(), 1u);
  EXPECT_EQ(o.propagation[0], static_cast<unsigned long>(MS_SLAVE | MS_REC));
  EXPECT_EQ(o.data, "size=10k,mode=755");
}

TEST(MountOptions, LaterOptionWins) {
  MountOptions o = parse_mount_options({"ro", "rw", "nodev", "dev"});
  EXPECT_EQ(o.flags, 0ul);
  EXPECT_EQ(o.clear_flags, static_cast<unsigned long>(MS_RDONLY | MS_NODEV));
}

TEST(MountOptions, EngineExtensionsAreNotFilesystemData) {
  MountOptions o = parse_mount_options(
      {"rw", "rprivate", "nosuid", "nodev", "tmpcopyup", "size=1m", "rro", "rnoexec"});
  EXPECT_TRUE(o.copy_up);
  EXPECT_EQ(o.data, "size=1m");
  EXPECT_EQ(o.recursive_set, 0x1u | 0x8u);  // MOUNT_ATTR_RDONLY | MOUNT_ATTR_NOEXEC
  EXPECT_EQ(o.recursive_clear, 0u);
  EXPECT_FALSE(parse_mount_options({"tmpcopyup", "notmpcopyup"}).copy_up);
  MountOptions later = parse_mount_options({"rro", "rrw", "rnoatime"});
  EXPECT_EQ(later.recursive_set, 0x10u);           // MOUNT_ATTR_NOATIME
  EXPECT_EQ(later.recursive_clear, 0x1u | 0x70u);  // RDONLY, the atime mask
  EXPECT_EQ(parse_mount_options({"nosymfollow", "acl"}).flags,
            static_cast<unsigned long>(256 | MS_POSIXACL));
  EXPECT_THROW(parse_mount_options({"idmap"}), Error);
  EXPECT_THROW(parse_mount_options({"ridmap=uids=0-1000-10"}), Error);
}

TEST(ResolveInRoot, SymlinksStayInsideTheRoot) {
  test::Bundle bundle;
  std::string root = bundle.rootfs();
  ASSERT_EQ(::symlink("/etc", (root + "/abs").c_str()), 0);
  ASSERT_EQ(::symlink("../../../../../../../tmp", (root + "/up").c_str()), 0);
  EXPECT_EQ(resolve_in_root(root, "/abs/passwd"), root + "/etc/passwd");
  EXPECT_EQ(resolve_in_root(root, "/up/x"), root + "/tmp/x");
  EXPECT_EQ(resolve_in_root(root, "/../../x"), root + "/x");
  EXPECT_EQ(resolve_in_root(root, "/new/dir"), root + "/new/dir");
  std::string made = create_in_root(root, "/up/a/b", NodeKind::kDirectory);
  EXPECT_EQ(made, root + "/tmp/a/b");
  EXPECT_TRUE(std::filesystem::is_directory(made));
}

TEST(FindExecutable, RuncWording) {
  try {
    find_executable("no-such-program", {"PATH=/nonexistent:/also-not"});
    FAIL() << "no error";
  } catch (const Error& e) {
    EXPECT_STREQ(e.what(), "exec: \"no-such-program\": executable file not found in $PATH");
  }
  EXPECT_EQ(find_executable("sh", {"PATH=/nonexistent:/bin"}), "/bin/sh");
  // docker maps these words (Go's errno texts) to exit codes 127 and 126
  try {
    find_executable("/no/such/binary", {});
    FAIL() << "no error";
  } catch (const Error& e) {
    EXPECT_STREQ(e.what(),
                 "exec: \"/no/such/binary\": stat /no/such/binary: no such file or directory");
  }
  try {
    find_executable("/etc/passwd", {});
    FAIL() << "no error";
  } catch (const Error& e) {
    EXPECT_STREQ(e.what(), "exec: \"/etc/passwd\": stat /etc/passwd: permission denied");
  }
}

}  // namespace
}  // namespace chrunc::container
