#include "vmm/virtiofsd.hpp"

#include <gtest/gtest.h>
#include <signal.h>
#include <sys/stat.h>

#include "common/error.hpp"
#include "test_dir.hpp"
#include "vmm/host_config.hpp"

namespace chrunc::vmm::test {
namespace {

namespace fs = std::filesystem;

class VirtiofsdTest : public ::testing::Test {
 protected:
  void SetUp() override {
    options_.binary = HostConfig{}.virtiofsd_binary;
    if (find_executable(options_.binary).empty())
      GTEST_SKIP() << "virtiofsd not found at " << options_.binary;
    if (::geteuid() != 0) GTEST_SKIP() << "virtiofsd's namespace sandbox needs root";
    fs::create_directories(dir_.path() / "a");
    fs::create_directories(dir_.path() / "b");
  }
  static bool process_exists(pid_t pid) { return pid > 0 && ::kill(pid, 0) == 0; }

  TestDir dir_;
  VirtiofsOptions options_;
};

TEST_F(VirtiofsdTest, StartWaitsForThePrivateSocketAndStopCleansUp) {
  auto socket = dir_.path() / "fs.sock";
  pid_t pid;
  {
    VirtiofsDaemon d = VirtiofsDaemon::start(dir_.path() / "a", socket, false, options_);
    pid = d.pid();
    EXPECT_TRUE(d.running());
    struct stat st {};
    ASSERT_EQ(::stat(socket.c_str(), &st), 0);
    EXPECT_TRUE(S_ISSOCK(st.st_mode));
    EXPECT_EQ(st.st_mode & 077, 0u) << "socket mode " << std::oct << (st.st_mode & 0777);
    d.stop();
    EXPECT_FALSE(fs::exists(socket));
    EXPECT_FALSE(process_exists(pid));
    d.stop();  // idempotent
  }
}

TEST_F(VirtiofsdTest, DestructorKillsAndRemovesTheSocket) {
  auto socket = dir_.path() / "fs.sock";
  pid_t pid;
  {
    VirtiofsDaemon d = VirtiofsDaemon::start(dir_.path() / "a", socket, false, options_);
    pid = d.pid();
  }
  EXPECT_FALSE(process_exists(pid));
  EXPECT_FALSE(fs::exists(socket));
}

TEST_F(VirtiofsdTest, MissingSourceIsAClearError) {
  try {
    VirtiofsDaemon::start(dir_.path() / "absent", dir_.path() / "fs.sock", false, options_);
    FAIL() << "no error";
  } catch (const Error& e) {
    EXPECT_NE(std::string(e.what()).find("is not a directory"), std::string::npos) << e.what();
  }
}

TEST_F(VirtiofsdTest, DaemonFailureCarriesItsMessage) {
  options_.extra_args = {"-o", "no_such_option_at_all"};
  try {
    VirtiofsDaemon::start(dir_.path() / "a", dir_.path() / "fs.sock", false, options_);
    FAIL() << "no error";
  } catch (const Error& e) {
    EXPECT_NE(std::string(e.what()).find("virtiofsd for "), std::string::npos) << e.what();
    EXPECT_NE(std::string(e.what()).find("exited: "), std::string::npos) << e.what();
  }
  EXPECT_FALSE(fs::exists(dir_.path() / "fs.sock"));
}

TEST_F(VirtiofsdTest, MissingBinaryIsAClearError) {
  options_.binary = "/nonexistent/virtiofsd";
  try {
    VirtiofsDaemon::start(dir_.path() / "a", dir_.path() / "fs.sock", false, options_);
    FAIL() << "no error";
  } catch (const Error& e) {
    EXPECT_STREQ(e.what(), "virtiofsd: exec /nonexistent/virtiofsd: No such file or directory");
  }
}

}  // namespace
}  // namespace chrunc::vmm::test
