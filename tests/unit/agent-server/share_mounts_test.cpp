// ShareMounts and a standby's premounted share (agent/transport_names.hpp):
// the share the premount covers is taken as it is; any other, and the same
// one asked read-only, is mounted (which fails here: no virtio-fs device).
#include "agent/server/share_mounts.hpp"

#include <gtest/gtest.h>
#include <stdlib.h>
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
  void TearDown() override { std::filesystem::remove_all(dir_); }
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

TEST_F(ShareMountsTest, AReadOnlyShareOrAnotherTagIsMountedDespiteThePremount) {
  const Premount premount{"chrunc", path_};
  EXPECT_THROW(ShareMounts(one_share("chrunc", path_, true), premount), Error);
  EXPECT_THROW(ShareMounts(one_share("other", path_, false), premount), Error);
  EXPECT_THROW(ShareMounts(one_share("chrunc", dir_ + "/elsewhere", false), premount), Error);
}

}  // namespace
}  // namespace chrunc::agent
