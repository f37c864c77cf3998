#include "common/child_process.hpp"

#include <fcntl.h>
#include <gtest/gtest.h>
#include <signal.h>
#include <stdlib.h>
#include <unistd.h>

#include <fstream>
#include <sstream>
#include <thread>

#include "common/error.hpp"
#include "common/unique_fd.hpp"

namespace chrunc {
namespace {

namespace fs = std::filesystem;
using namespace std::chrono_literals;

class ChildProcessTest : public ::testing::Test {
 protected:
  void SetUp() override {
    std::string tmpl = (fs::temp_directory_path() / "chrunc-child-test.XXXXXX").string();
    dir_ = ::mkdtemp(tmpl.data());
  }
  void TearDown() override { fs::remove_all(dir_); }
  static std::string slurp(const fs::path& file) {
    std::ifstream in(file);
    std::stringstream s;
    s << in.rdbuf();
    return s.str();
  }
  static bool exists(pid_t pid) { return ::kill(pid, 0) == 0; }

  fs::path dir_;
};

TEST_F(ChildProcessTest, EnvironmentIsOnlyWhatIsGiven) {
  ::setenv("CHRUNC_SECRET_FOR_TEST", "leak", 1);
  SpawnOptions o;
  o.argv = {"env"};
  o.stdout_file = dir_ / "out";
  EXPECT_EQ(ChildProcess::spawn(o).wait(), 0);
  EXPECT_EQ(slurp(dir_ / "out"),
            "PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin\n");

  o.env = {"A=1"};
  o.argv = {"/usr/bin/env"};
  o.stdout_file = dir_ / "out2";
  EXPECT_EQ(ChildProcess::spawn(o).wait(), 0);
  EXPECT_EQ(slurp(dir_ / "out2"), "A=1\n");
  ::unsetenv("CHRUNC_SECRET_FOR_TEST");
}

TEST_F(ChildProcessTest, OnlyStdioAndPassedFdsAreInherited) {
  int leaky = ::open("/dev/null", O_RDONLY);  // deliberately not O_CLOEXEC
  ASSERT_GE(leaky, 0);
  UniqueFd high(::fcntl(leaky, F_DUPFD, 50));  // not CLOEXEC either
  UniqueFd keep(leaky);
  UniqueFd passed(::open("/dev/zero", O_RDONLY | O_CLOEXEC));

  SpawnOptions o;
  o.argv = {"ls", "/proc/self/fd"};
  o.stdout_file = dir_ / "fds";
  EXPECT_EQ(ChildProcess::spawn(o).wait(), 0);
  // 0-2 and the directory ls itself opened (3).
  EXPECT_EQ(slurp(dir_ / "fds"), "0\n1\n2\n3\n");

  o.fds = {{passed.get(), 7}, {high.get(), 4}};
  o.stdout_file = dir_ / "fds2";
  EXPECT_EQ(ChildProcess::spawn(o).wait(), 0);
  EXPECT_EQ(slurp(dir_ / "fds2"), "0\n1\n2\n3\n4\n7\n");

  // A passed fd lands on the asked number even when numbers cross.
  SpawnOptions r;
  r.argv = {"readlink", "/proc/self/fd/5"};
  r.stdout_file = dir_ / "link";
  r.fds = {{passed.get(), 5}};
  EXPECT_EQ(ChildProcess::spawn(r).wait(), 0);
  EXPECT_EQ(slurp(dir_ / "link"), "/dev/zero\n");
}

TEST_F(ChildProcessTest, ExecFailureIsReportedToTheParent) {
  SpawnOptions o;
  o.argv = {"/usr/bin/qemu-system-x86_64-not-here"};
  try {
    ChildProcess::spawn(o);
    FAIL() << "no error";
  } catch (const Error& e) {
    EXPECT_STREQ(e.what(), "exec /usr/bin/qemu-system-x86_64-not-here: No such file or directory");
    EXPECT_EQ(e.sys_errno(), ENOENT);
  }
  o.argv = {"no-such-program-anywhere"};
  EXPECT_THROW(ChildProcess::spawn(o), Error);
  o.argv = {"true"};
  o.cwd = dir_ / "absent";
  try {
    ChildProcess::spawn(o);
    FAIL() << "no error";
  } catch (const Error& e) {
    EXPECT_EQ(std::string(e.what()),
              "chdir " + (dir_ / "absent").string() + ": No such file or directory");
  }
}

TEST_F(ChildProcessTest, ExitStatusSignalsAndWaitFor) {
  SpawnOptions o;
  o.argv = {"sh", "-c", "exit 3"};
  EXPECT_EQ(ChildProcess::spawn(o).wait(), 3);

  o.argv = {"sleep", "100"};
  ChildProcess sleeper = ChildProcess::spawn(o);
  EXPECT_TRUE(sleeper.running());
  EXPECT_EQ(sleeper.wait_for(50ms), std::nullopt);
  sleeper.signal(SIGTERM);
  EXPECT_EQ(sleeper.wait_for(5s), 128 + SIGTERM);
  EXPECT_FALSE(sleeper.running());
  EXPECT_EQ(sleeper.wait(), 128 + SIGTERM);
  sleeper.signal(SIGKILL);  // no-op once reaped
}

TEST_F(ChildProcessTest, StdoutStderrCwdAndSession) {
  SpawnOptions o;
  o.argv = {"sh", "-c", "pwd; echo oops >&2; ps -o sid= -p $$ | tr -d ' '; echo $$"};
  o.stdout_file = dir_ / "out";
  o.stderr_file = dir_ / "err";
  o.cwd = dir_;
  o.new_session = true;
  EXPECT_EQ(ChildProcess::spawn(o).wait(), 0);
  std::istringstream out(slurp(dir_ / "out"));
  std::string cwd, sid, pid;
  out >> cwd >> sid >> pid;
  EXPECT_EQ(cwd, dir_.string());
  if (!sid.empty()) {
    EXPECT_EQ(sid, pid);  // the child leads its own session
  }
  EXPECT_EQ(slurp(dir_ / "err"), "oops\n");
}

TEST_F(ChildProcessTest, DestructorKillsAndReaps) {
  pid_t pid;
  {
    SpawnOptions o;
    o.argv = {"sleep", "100"};
    ChildProcess child = ChildProcess::spawn(o);
    pid = child.pid();
    ChildProcess moved = std::move(child);
    EXPECT_EQ(child.pid(), 0);
    EXPECT_TRUE(exists(pid));
  }
  EXPECT_FALSE(exists(pid));  // killed and reaped: no zombie either
}

TEST_F(ChildProcessTest, PdeathsigKillsTheChildWhenTheSpawningThreadDies) {
  ChildProcess child;
  std::thread spawner([&] {
    SpawnOptions o;
    o.argv = {"sleep", "100"};
    child = ChildProcess::spawn(o);
  });
  spawner.join();
  EXPECT_EQ(child.wait_for(5s), 128 + SIGKILL);

  ChildProcess survivor;
  std::thread spawner2([&] {
    SpawnOptions o;
    o.argv = {"sleep", "100"};
    o.pdeathsig = 0;
    survivor = ChildProcess::spawn(o);
  });
  spawner2.join();
  EXPECT_EQ(survivor.wait_for(200ms), std::nullopt);
  survivor.kill_and_wait();
  EXPECT_EQ(survivor.exit_status(), 128 + SIGKILL);
}

TEST_F(ChildProcessTest, SignalsAreUnblockedInTheChild) {
  sigset_t set, old;
  sigemptyset(&set);
  sigaddset(&set, SIGTERM);
  pthread_sigmask(SIG_BLOCK, &set, &old);
  SpawnOptions o;
  o.argv = {"sleep", "100"};
  ChildProcess child = ChildProcess::spawn(o);
  pthread_sigmask(SIG_SETMASK, &old, nullptr);
  child.signal(SIGTERM);
  EXPECT_EQ(child.wait_for(5s), 128 + SIGTERM);
}

}  // namespace
}  // namespace chrunc
