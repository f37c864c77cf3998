// create/start split, stdio (pipes and pty), exit codes, signals, errors and
// clean-up.
#include <gtest/gtest.h>
#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

#include <filesystem>
#include <fstream>
#include <sstream>

#include "common/error.hpp"
#include "tests/unit/agent-container/test_support.hpp"

namespace chrunc::container {
namespace {
using test::Bundle;
using test::default_spec;
using test::run_container;

TEST(Lifecycle, PipesAndExitCode) {
  REQUIRE_ROOT();
  Bundle bundle;
  auto result = run_container(default_spec(bundle.rootfs(), "echo out; echo err >&2; exit 3"));
  EXPECT_EQ(result.out, "out\n");
  EXPECT_EQ(result.err, "err\n");
  EXPECT_EQ(result.exit_code, 3);
}

TEST(Lifecycle, StdinPipe) {
  REQUIRE_ROOT();
  Bundle bundle;
  DirectReaper reaper;
  CreateOptions options;
  options.id = "stdin";
  options.spec = default_spec(bundle.rootfs(), "read line; echo got:$line");
  auto container = Container::create(std::move(options), reaper);
  ProcessStdio stdio = container->take_init_stdio();
  container->start();
  ASSERT_EQ(::write(stdio.stdin_write.get(), "hi\n", 3), 3);
  std::string out, err;
  test::read_all(stdio, out, err);
  EXPECT_EQ(out, "got:hi\n");
  EXPECT_EQ(test::exit_code_of(reaper.wait_status(container->init_pid())), 0);
  container->destroy();
}

TEST(Lifecycle, NothingRunsBeforeStart) {
  REQUIRE_ROOT();
  Bundle bundle;
  DirectReaper reaper;
  CreateOptions options;
  options.id = "split";
  options.spec = default_spec(bundle.rootfs(), "echo ran > /tmp/marker");
  auto container = Container::create(std::move(options), reaper);
  const std::string marker = bundle.rootfs() + "/tmp/marker";
  ::usleep(300 * 1000);
  EXPECT_FALSE(std::filesystem::exists(marker)) << "the process ran before start()";
  EXPECT_EQ(::kill(container->init_pid(), 0), 0) << "init is parked and alive";
  ProcessStdio stdio = container->take_init_stdio();
  container->start();
  EXPECT_EQ(test::exit_code_of(reaper.wait_status(container->init_pid())), 0);
  EXPECT_TRUE(std::filesystem::exists(marker));
  EXPECT_THROW(container->start(), Error);
  container->destroy();
  container->destroy();  // idempotent
}

TEST(Lifecycle, Terminal) {
  REQUIRE_ROOT();
  Bundle bundle;
  auto spec =
      default_spec(bundle.rootfs(), "tty; stty size; ls -l /proc/self/fd/0; cat /proc/self/stat");
  spec.process->terminal = true;
  spec.process->console_size = oci::ConsoleSize{40, 120};
  auto result = run_container(spec);
  EXPECT_EQ(result.exit_code, 0) << result.out;
  EXPECT_NE(result.out.find("/dev/pts/0"), std::string::npos) << result.out;
  EXPECT_NE(result.out.find("40 120"), std::string::npos) << result.out;
  // Field 7 of /proc/self/stat (tty_nr) is non-zero: a controlling terminal.
  auto stat_line = result.out.substr(
      result.out.rfind("1 (cat)") == std::string::npos ? 0 : result.out.rfind("(cat)"));
  std::istringstream fields(stat_line.substr(stat_line.find(')') + 2));
  std::string state, ppid, pgrp, session, tty_nr;
  fields >> state >> ppid >> pgrp >> session >> tty_nr;
  EXPECT_NE(tty_nr, "0") << stat_line;
}

TEST(Lifecycle, KilledBySignal) {
  REQUIRE_ROOT();
  Bundle bundle;
  DirectReaper reaper;
  CreateOptions options;
  options.id = "signal";
  options.spec =
      default_spec(bundle.rootfs(),
                   "trap 'echo got TERM; exit 7' TERM; echo ready; while :; do sleep 0.1; done");
  auto container = Container::create(std::move(options), reaper);
  ProcessStdio stdio = container->take_init_stdio();
  container->start();
  char buffer[6] = {};
  ASSERT_EQ(::read(stdio.stdout_read.get(), buffer, 6), 6);
  EXPECT_EQ(std::string(buffer, 6), "ready\n");
  container->signal(SIGTERM, false);
  std::string out, err;
  test::read_all(stdio, out, err);
  EXPECT_EQ(out, "got TERM\n");
  EXPECT_EQ(test::exit_code_of(reaper.wait_status(container->init_pid())), 7);
  container->destroy();
}

TEST(Lifecycle, SigkillReportsSignal) {
  REQUIRE_ROOT();
  Bundle bundle;
  DirectReaper reaper;
  CreateOptions options;
  options.id = "kill";
  options.spec = default_spec(bundle.rootfs(), "sleep 100");
  auto container = Container::create(std::move(options), reaper);
  container->start();
  container->signal(SIGKILL, false);
  EXPECT_EQ(test::exit_code_of(reaper.wait_status(container->init_pid())), 128 + SIGKILL);
  container->destroy();
}

TEST(Lifecycle, ExecutableNotFoundIsACreateError) {
  REQUIRE_ROOT();
  Bundle bundle;
  DirectReaper reaper;
  CreateOptions options;
  options.id = "notfound";
  options.spec = default_spec(bundle.rootfs(), "");
  options.spec.process->args = {"no-such-binary"};
  try {
    Container::create(std::move(options), reaper);
    FAIL() << "create succeeded";
  } catch (const Error& e) {
    EXPECT_STREQ(e.what(), "exec: \"no-such-binary\": executable file not found in $PATH");
  }
  EXPECT_TRUE(test::mounts_under(bundle.dir()).empty());
}

TEST(Lifecycle, FailingMountLeavesNothingBehind) {
  REQUIRE_ROOT();
  Bundle bundle;
  DirectReaper reaper;
  CreateOptions options;
  options.id = "badmount";
  options.spec = default_spec(bundle.rootfs(), "true");
  options.spec.mounts.push_back({"/data", "nosuchfs", "none", {}, {}, {}});
  try {
    Container::create(std::move(options), reaper);
    FAIL() << "create succeeded";
  } catch (const Error& e) {
    EXPECT_STREQ(e.what(), "mount nosuchfs on /data: No such device");
  }
  EXPECT_TRUE(test::mounts_under(bundle.dir()).empty());
  // No child is left: every process was reaped.
  EXPECT_EQ(::waitpid(-1, nullptr, WNOHANG), -1);
  EXPECT_EQ(errno, ECHILD);
}

TEST(Lifecycle, DestroyBeforeStartKillsTheParkedInit) {
  REQUIRE_ROOT();
  Bundle bundle;
  DirectReaper reaper;
  CreateOptions options;
  options.id = "destroy";
  options.spec = default_spec(bundle.rootfs(), "touch /tmp/ran");
  auto container = Container::create(std::move(options), reaper);
  pid_t pid = container->init_pid();
  container->destroy();
  int status = reaper.wait_status(pid);
  EXPECT_TRUE(WIFSIGNALED(status) || WIFEXITED(status));
  EXPECT_FALSE(std::filesystem::exists(bundle.rootfs() + "/tmp/ran"));
}

}  // namespace
}  // namespace chrunc::container
