#include "agent/server/guest_devices.hpp"

#include <gtest/gtest.h>
#include <stdlib.h>

#include <fstream>

#include "common/error.hpp"

namespace chrunc::agent {
namespace {

namespace fs = std::filesystem;
using namespace std::chrono_literals;

class GuestDevicesTest : public ::testing::Test {
 protected:
  void SetUp() override {
    std::string tmpl = (fs::temp_directory_path() / "chrunc-gdev-test.XXXXXX").string();
    sys_ = ::mkdtemp(tmpl.data());
    disk("vda", "chrunc-b0", "254:0");
    disk("vdb", "chrunc-b1", "254:16");
    fs::create_directories(sys_ / "dev/char/1:3");
  }
  void TearDown() override {
    std::error_code ec;
    fs::remove_all(sys_, ec);
  }
  void disk(const std::string& name, const std::string& serial, const std::string& number) {
    fs::create_directories(sys_ / "block" / name);
    std::ofstream(sys_ / "block" / name / "serial") << serial << "\n";
    std::ofstream(sys_ / "block" / name / "dev") << number << "\n";
  }
  static oci::Device device(std::string type, std::string path, int64_t major, int64_t minor) {
    oci::Device d;
    d.type = std::move(type);
    d.path = std::move(path);
    d.major = major;
    d.minor = minor;
    return d;
  }
  fs::path sys_;
};

TEST_F(GuestDevicesTest, FindsTheDiskBySerial) {
  auto n = find_guest_disk("chrunc-b1", sys_, 0ms);
  EXPECT_EQ(n.major, 254u);
  EXPECT_EQ(n.minor, 16u);
  EXPECT_THROW(find_guest_disk("chrunc-b9", sys_, 50ms), Error);
}

// Host 7:3 becomes guest 254:0 and host 254:0 (a host virtio disk) becomes
// 254:16: each entry moves once, not twice. Exact rules move; a wildcard
// rule for the host's numbers gets a copy for the guest's right after it.
TEST_F(GuestDevicesTest, DevicesAndRulesMoveOnce) {
  oci::Spec spec;
  spec.linux.emplace();
  spec.linux->devices = {device("b", "/dev/xvdz", 7, 3), device("b", "/dev/hostvda", 254, 0),
                         device("c", "/dev/null", 1, 3)};
  spec.linux->resources.emplace();
  spec.linux->resources->devices = {{false, "a", std::nullopt, std::nullopt, "rwm"},
                                    {true, "b", 7, 3, "rw"},
                                    {true, "b", 254, std::nullopt, "r"},
                                    {true, "c", 7, 3, "rwm"}};
  place_devices(spec, {{"chrunc-b0", 7, 3}, {"chrunc-b1", 254, 0}}, sys_, 0ms);
  const auto& d = spec.linux->devices;
  EXPECT_EQ(d[0].major, 254);
  EXPECT_EQ(d[0].minor, 0);
  EXPECT_EQ(d[1].major, 254);
  EXPECT_EQ(d[1].minor, 16);
  EXPECT_EQ(d[2].major, 1);
  const std::vector<oci::DeviceCgroupRule> want = {{false, "a", std::nullopt, std::nullopt, "rwm"},
                                                   {true, "b", 254, 0, "rw"},
                                                   {true, "b", 254, std::nullopt, "r"},
                                                   {true, "b", 254, 16, "r"},
                                                   {true, "c", 7, 3, "rwm"}};
  EXPECT_EQ(spec.linux->resources->devices, want);
}

TEST_F(GuestDevicesTest, AHostOnlyCharDeviceIsRefusedByName) {
  oci::Spec spec;
  spec.linux.emplace();
  spec.linux->devices = {device("c", "/dev/null", 1, 3), device("c", "/dev/ttyUSB0", 188, 0)};
  try {
    place_devices(spec, {}, sys_, 0ms);
    FAIL() << "no error";
  } catch (const Error& e) {
    EXPECT_STREQ(e.what(),
                 "linux.devices /dev/ttyUSB0 (char 188:0): the VM has no such device; a host "
                 "char device cannot be passed into a VM (block devices can)");
  }
  spec.linux->devices.pop_back();
  EXPECT_NO_THROW(place_devices(spec, {}, sys_, 0ms));
}

}  // namespace
}  // namespace chrunc::agent
