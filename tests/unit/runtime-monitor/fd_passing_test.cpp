// The control socket's framing with SCM_RIGHTS, and the console socket.
#include <fcntl.h>
#include <gtest/gtest.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include <filesystem>
#include <thread>

#include "common/error.hpp"
#include "runtime/cli/console_socket.hpp"
#include "runtime/cli/control_client.hpp"
#include "runtime/monitor/control_socket.hpp"
#include "runtime/store/socket_dir.hpp"

namespace chrunc::runtime {
namespace {

namespace fs = std::filesystem;

class FdPassingTest : public ::testing::Test {
 protected:
  void SetUp() override {
    char tmpl[] = "/tmp/chrunc-fd-XXXXXX";
    dir_ = ::mkdtemp(tmpl);
  }
  void TearDown() override { fs::remove_all(dir_); }
  fs::path dir_;
};

TEST_F(FdPassingTest, MessageWithFdsRoundTrip) {
  int sv[2];
  ASSERT_EQ(::socketpair(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0, sv), 0);
  UniqueFd a(sv[0]), b(sv[1]);
  int p[2];
  ASSERT_EQ(::pipe2(p, O_CLOEXEC), 0);
  UniqueFd pr(p[0]), pw(p[1]);
  send_control_message(a.get(), "{\"command\":\"exec\"}", {pw.get(), pr.get()});
  auto m = receive_control_message(b.get());
  ASSERT_TRUE(m);
  EXPECT_EQ(m->json, "{\"command\":\"exec\"}");
  ASSERT_EQ(m->fds.size(), 2u);
  ASSERT_EQ(::write(m->fds[0].get(), "hi", 2), 2);
  char buf[2];
  ASSERT_EQ(::read(pr.get(), buf, 2), 2);
  EXPECT_EQ(std::string(buf, 2), "hi");
  a.reset();
  EXPECT_FALSE(receive_control_message(b.get()));
}

TEST_F(FdPassingTest, ServerAndClientOverASocketFile) {
  fs::path path = make_socket_dir(dir_) / "monitor.sock";
  UniqueFd listener = listen_unix_socket(path);
  struct stat st {};
  ASSERT_EQ(::stat(path.c_str(), &st), 0);
  EXPECT_EQ(st.st_mode & 0777, 0600u);
  std::thread server([&] {
    UniqueFd conn(::accept4(listener.get(), nullptr, nullptr, SOCK_CLOEXEC));
    auto m = receive_control_message(conn.get());
    rapidjson::Document d = parse_control_json(m->json);
    std::string cmd = d["command"].GetString();
    if (cmd == "start") {
      send_control_message(conn.get(), "{\"ok\":true,\"pid\":7}");
      send_control_message(conn.get(), "{\"exit_code\":3}");
    }
    conn.reset();
    conn = UniqueFd(::accept4(listener.get(), nullptr, nullptr, SOCK_CLOEXEC));
    receive_control_message(conn.get());
    send_control_message(conn.get(), "{\"error\":\"container not running\"}");
  });
  rapidjson::Document req(rapidjson::kObjectType);
  req.AddMember("command", "start", req.GetAllocator());
  MonitorClient client(dir_);
  auto first = client.call(req);
  EXPECT_EQ(first["pid"].GetInt(), 7);
  EXPECT_EQ(client.next()["exit_code"].GetInt(), 3);
  try {
    call_monitor(dir_, "kill");
    FAIL();
  } catch (const Error& e) {
    EXPECT_STREQ(e.what(), "container not running");
  }
  server.join();
  remove_socket_dir(dir_);
}

TEST_F(FdPassingTest, NoMonitorIsAClearError) {
  try {
    MonitorClient client(dir_);
    FAIL();
  } catch (const Error& e) {
    EXPECT_NE(std::string(e.what()).find("monitor is not running"), std::string::npos);
  }
}

TEST_F(FdPassingTest, ConsoleSocketReceivesPtyMaster) {
  fs::path path = dir_ / "console.sock";
  UniqueFd listener = listen_unix_socket(path);
  HostPty pty = open_host_pty(24, 80);
  std::thread sender([&] { send_fd_to_console_socket(path, pty.master.get(), pty.slave_name); });
  UniqueFd conn(::accept4(listener.get(), nullptr, nullptr, SOCK_CLOEXEC));
  std::string name;
  UniqueFd master = receive_fd(conn.get(), &name);
  sender.join();
  EXPECT_EQ(name, pty.slave_name);
  EXPECT_TRUE(isatty(master.get()));
  // Raw slave: bytes pass unchanged both ways.
  ASSERT_EQ(::write(master.get(), "a\r", 2), 2);
  char buf[8];
  ASSERT_EQ(::read(pty.slave.get(), buf, sizeof buf), 2);
  EXPECT_EQ(std::string(buf, 2), "a\r");
  ASSERT_EQ(::write(pty.slave.get(), "b\n", 2), 2);
  ASSERT_EQ(::read(master.get(), buf, sizeof buf), 2);
  EXPECT_EQ(std::string(buf, 2), "b\n");
}

// The monitor serves only its own uid and root: a process of another uid
// that reaches the socket (here a test socket made world-writable on
// purpose) is told apart by its peer credentials.
TEST_F(FdPassingTest, PeerCredentialsOfAnotherUidAreRefused) {
  if (::geteuid() != 0) GTEST_SKIP() << "needs root to connect as another uid";
  ASSERT_EQ(::chmod(dir_.c_str(), 0755), 0);
  const fs::path path = dir_ / "open.sock";
  UniqueFd listener = listen_unix_socket(path);
  ASSERT_EQ(::chmod(path.c_str(), 0666), 0);
  auto accept_from = [&](uid_t uid) {
    pid_t child = ::fork();
    if (child == 0) {
      if (::setresgid(uid, uid, uid) != 0 || ::setresuid(uid, uid, uid) != 0) ::_exit(2);
      try {
        UniqueFd c = connect_unix_socket(path);
        char byte;
        ssize_t ignored = ::read(c.get(), &byte, 1);  // until the parent closes
        (void)ignored;
      } catch (...) {
        ::_exit(3);
      }
      ::_exit(0);
    }
    UniqueFd conn(::accept4(listener.get(), nullptr, nullptr, SOCK_CLOEXEC));
    bool allowed = peer_may_control(conn.get());
    conn.reset();
    int status = 0;
    ::waitpid(child, &status, 0);
    EXPECT_EQ(WEXITSTATUS(status), 0);
    return allowed;
  };
  EXPECT_TRUE(accept_from(0));
  EXPECT_FALSE(accept_from(65534));
}

}  // namespace
}  // namespace chrunc::runtime
