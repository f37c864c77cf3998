#include "runtime/cli/hooks.hpp"

#include <gtest/gtest.h>
#include <unistd.h>

#include <algorithm>
#include <chrono>
#include <filesystem>
#include <fstream>
#include <sstream>

#include "common/error.hpp"

namespace chrunc::runtime {
namespace {

namespace fs = std::filesystem;

class HooksTest : public ::testing::Test {
 protected:
  void SetUp() override {
    char tmpl[] = "/tmp/chrunc-hooks-XXXXXX";
    dir_ = ::mkdtemp(tmpl);
  }
  void TearDown() override { fs::remove_all(dir_); }
  std::string slurp(const fs::path& p) {
    std::ifstream in(p);
    std::stringstream ss;
    ss << in.rdbuf();
    return ss.str();
  }
  fs::path dir_;
};

TEST_F(HooksTest, StateOnStdinArgsAndEnv) {
  oci::Hook hook;
  hook.path = "/bin/sh";
  hook.args = {
      "sh", "-c",
      "cat > " + (dir_ / "state").string() + "; echo \"$0 $FOO\" > " + (dir_ / "env").string(),
      "argzero"};
  hook.env = {"FOO=bar"};
  run_hook(hook, "{\"id\":\"x\"}", "prestart");
  EXPECT_EQ(slurp(dir_ / "state"), "{\"id\":\"x\"}");
  EXPECT_EQ(slurp(dir_ / "env"), "argzero bar\n");
}

TEST_F(HooksTest, FailureNamesHookStatusAndOutput) {
  oci::Hook hook;
  hook.path = "/bin/sh";
  hook.args = {"sh", "-c", "echo something broke >&2; exit 3"};
  try {
    run_hook(hook, "{}", "createRuntime");
    FAIL() << "expected an error";
  } catch (const Error& e) {
    EXPECT_STREQ(e.what(), "createRuntime hook /bin/sh: exit status 3: something broke");
  }
}

TEST_F(HooksTest, HookThatIgnoresItsStdinDoesNotKillUsWithSigpipe) {
  oci::Hook hook;
  hook.path = "/bin/true";
  hook.args = {"true"};
  // Far more than a pipe holds: the write is still going on when the hook has exited.
  const std::string big_state(4 << 20, 'x');
  for (int i = 0; i < 5; ++i) EXPECT_NO_THROW(run_hook(hook, big_state, "poststart"));
}

TEST_F(HooksTest, TimeoutKills) {
  oci::Hook hook;
  hook.path = "/bin/sleep";
  hook.args = {"sleep", "30"};
  hook.timeout = 1;
  auto start = std::chrono::steady_clock::now();
  try {
    run_hook(hook, "{}", "poststart");
    FAIL() << "expected a timeout";
  } catch (const Error& e) {
    EXPECT_STREQ(e.what(), "poststart hook /bin/sleep: timed out after 1 s");
  }
  // Below the hook's own 30 s sleep: the 1 s timeout applied (a generous bound).
  EXPECT_LT(std::chrono::steady_clock::now() - start, std::chrono::seconds(20));
}

TEST_F(HooksTest, MissingBinary) {
  oci::Hook hook;
  hook.path = "/nonexistent/hook";
  EXPECT_THROW(run_hook(hook, "{}", "prestart"), Error);
}

TEST_F(HooksTest, RunHooksStopsAtFirstFailureWarnVariantGoesOn) {
  oci::Hook fail{"/bin/false", {"false"}, {}, std::nullopt};
  oci::Hook touch{"/bin/sh", {"sh", "-c", "touch " + (dir_ / "ran").string()}, {}, std::nullopt};
  EXPECT_THROW(run_hooks({fail, touch}, "{}", "prestart"), Error);
  EXPECT_FALSE(fs::exists(dir_ / "ran"));
  run_hooks_warn({fail, touch}, "{}", "poststop");
  EXPECT_TRUE(fs::exists(dir_ / "ran"));
}

TEST_F(HooksTest, NoInheritedFds) {
  int fds[2];
  ASSERT_EQ(::pipe(fds), 0);  // not CLOEXEC on purpose, like docker's fd 3
  oci::Hook hook{
      "/bin/sh", {"sh", "-c", "ls /proc/self/fd > " + (dir_ / "fds").string()}, {}, std::nullopt};
  run_hook(hook, "{}", "prestart");
  ::close(fds[0]);
  ::close(fds[1]);
  std::string listing = slurp(dir_ / "fds");
  // 0, 1, 2 and the fd ls opened for the directory.
  EXPECT_EQ(std::count(listing.begin(), listing.end(), '\n'), 4) << listing;
}

}  // namespace
}  // namespace chrunc::runtime
