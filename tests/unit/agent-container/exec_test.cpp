// Container::exec into a running container.
#include <gtest/gtest.h>
#include <signal.h>
#include <unistd.h>

#include "common/error.hpp"
#include "tests/unit/agent-container/test_support.hpp"

namespace chrunc::container {
namespace {
using test::Bundle;
using test::default_spec;

TEST(Exec, RunsInTheContainersNamespacesAndRoot) {
  REQUIRE_ROOT();
  Bundle bundle;
  DirectReaper reaper;
  CreateOptions options;
  options.id = "exec";
  options.spec = default_spec(bundle.rootfs(), "echo init > /tmp/init-was-here; sleep 100");
  options.spec.hostname = "exec-box";
  auto container = Container::create(std::move(options), reaper);
  container->start();
  ::usleep(200 * 1000);

  oci::Process process = *default_spec(bundle.rootfs(), "").process;
  process.args = {
      "sh", "-c",
      "hostname; cat /tmp/init-was-here; cat /proc/1/cmdline | tr '\\0' ' '; echo; pwd; exit 5"};
  process.cwd = "/tmp";
  ProcessStdio stdio;
  pid_t pid = container->exec(process, stdio);
  std::string out, err;
  test::read_all(stdio, out, err);
  EXPECT_EQ(test::exit_code_of(reaper.wait_status(pid)), 5);
  EXPECT_EQ(out, "exec-box\ninit\nsleep 100 \n/tmp\n") << err;  // sh exec()s its last command

  process.args = {"no-such-binary"};
  EXPECT_THROW(container->exec(process, stdio), Error);

  process.terminal = true;
  process.args = {"sh", "-c", "tty"};
  ProcessStdio tty_stdio;
  pid = container->exec(process, tty_stdio);
  ASSERT_TRUE(tty_stdio.pty_master);
  std::string tty = test::read_pty(tty_stdio.pty_master.get());
  EXPECT_EQ(test::exit_code_of(reaper.wait_status(pid)), 0);
  EXPECT_NE(tty.find("/dev/pts/"), std::string::npos) << tty;

  container->signal(SIGKILL, false);
  EXPECT_EQ(test::exit_code_of(reaper.wait_status(container->init_pid())), 128 + SIGKILL);
  container->destroy();
}

}  // namespace
}  // namespace chrunc::container
