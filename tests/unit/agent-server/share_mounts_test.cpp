// ShareMounts and a standby's premounted share (agent/transport_names.hpp):
// the share the premount covers is taken as it is; any other, and the same
// one asked read-only, is mounted (which fails here: no virtio-fs device).
#include "agent/server/share_mounts.hpp"

#include <gtest/gtest.h>
#include <stdlib.h>
#include <sys/mount.h>
#include <sys/stat.h>
#include <unistd.h>

#include <filesystem>
#include <string>

#include "common/error.hpp"

namespace chrunc::agent {
namespace {

google::protobuf::RepeatedPtrField<v1::SharedDirectory> one_share(const std::string& tag,
                                                                  const std::string& path,
                                                                  bool read_only) {
  google::protobuf::RepeatedPtrField<v1::SharedDirectory> shares;
  auto* share = shares.Add();
  share->set_tag(tag);
  share->set_guest_path(path);
  share->set_read_only(read_only);
  return shares;
}

class ShareMountsTest : public ::testing::Test {
 protected:
  void SetUp() override {
    char dir[] = "/tmp/share-mounts-XXXXXX";
    ASSERT_NE(::mkdtemp(dir), nullptr);
    dir_ = dir;
    path_ = dir_ + "/shares/chrunc";
  }
  void TearDown() override {
    // A failed check may leave the stand-in premount mounted.
    while (::umount2(path_.c_str(), MNT_DETACH) == 0) {
    }
    std::filesystem::remove_all(dir_);
  }
  std::string dir_, path_;
};

TEST_F(ShareMountsTest, TheShareAPremountCoversIsTakenNotMountedAgain) {
  const Premount premount{"chrunc", path_};
  EXPECT_NO_THROW(ShareMounts(one_share("chrunc", path_, false), premount));
}

TEST_F(ShareMountsTest, WithoutAPremountTheShareIsMounted) {
  try {
    ShareMounts mounts(one_share("chrunc", path_, false));
    FAIL() << "mounted a virtio-fs tag this host has no device for";
  } catch (const Error& e) {
    EXPECT_NE(std::string(e.what()).find("mount virtiofs chrunc on " + path_), std::string::npos)
        << e.what();
  }
}

::testing::AssertionResult starts_with(const std::string& text, const std::string& prefix) {
  if (text.starts_with(prefix)) return ::testing::AssertionSuccess();
  return ::testing::AssertionFailure()
         << "\"" << text << "\" does not start with \"" << prefix << "\"";
}

// The error a mount (not a validation) gives: "mount virtiofs TAG on PATH: ...".
std::string mount_error(const google::protobuf::RepeatedPtrField<v1::SharedDirectory>& shares,
                        const Premount& premount) {
  try {
    ShareMounts mounts(shares, premount);
  } catch (const Error& e) {
    return e.what();
  }
  return "(no error)";
}

TEST_F(ShareMountsTest, AReadOnlyShareOrAnotherTagIsMountedDespiteThePremount) {
  const Premount premount{"chrunc", path_};
  EXPECT_TRUE(starts_with(mount_error(one_share("chrunc", path_, true), premount),
                          "mount virtiofs chrunc on " + path_));
  EXPECT_TRUE(starts_with(mount_error(one_share("other", path_, false), premount),
                          "mount virtiofs other on " + path_));
  EXPECT_TRUE(starts_with(mount_error(one_share("chrunc", dir_ + "/elsewhere", false), premount),
                          "mount virtiofs chrunc on " + dir_ + "/elsewhere"));
}

bool is_mount_point(const std::string& path) {
  struct stat here {
  }, parent{};
  return ::stat(path.c_str(), &here) == 0 && ::stat((path + "/..").c_str(), &parent) == 0 &&
         here.st_dev != parent.st_dev;
}

// A real mount stands in for the premount (a tmpfs; virtio-fs needs a VM):
// it belongs to ShareMounts from the start, so no path leaves it behind.
TEST_F(ShareMountsTest, APremountNoShareTakesOrAFailedCreateIsUnmounted) {
  if (::geteuid() != 0) GTEST_SKIP() << "mounting a tmpfs needs root";
  auto premount_at = [&] {
    std::filesystem::create_directories(path_);
    if (::mount("tmpfs", path_.c_str(), "tmpfs", 0, nullptr) != 0) return false;
    return is_mount_point(path_);
  };
  const Premount premount{"chrunc", path_};
  // No share asks for it: unmounted at once.
  ASSERT_TRUE(premount_at());
  {
    ShareMounts mounts(google::protobuf::RepeatedPtrField<v1::SharedDirectory>(), premount);
    EXPECT_FALSE(is_mount_point(path_));
  }
  // Another share fails before the premount's turn: unmounted with the rest.
  ASSERT_TRUE(premount_at());
  auto shares = one_share("nope", dir_ + "/other", false);
  *shares.Add() = one_share("chrunc", path_, false)[0];
  EXPECT_THROW(ShareMounts(shares, premount), Error);
  EXPECT_FALSE(is_mount_point(path_));
  // Taken: mounted while ShareMounts lives, unmounted when it goes.
  ASSERT_TRUE(premount_at());
  {
    ShareMounts mounts(one_share("chrunc", path_, false), premount);
    EXPECT_TRUE(is_mount_point(path_));
  }
  EXPECT_FALSE(is_mount_point(path_));
}

}  // namespace
}  // namespace chrunc::agent
