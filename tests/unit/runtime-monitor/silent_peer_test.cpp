// A peer that stops answering (a frozen guest, a wedged monitor) must not
// hang the host: agent calls and control-socket calls end at their deadline
// with an error that names the cause.
#include <gtest/gtest.h>
#include <signal.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <unistd.h>

#include <chrono>
#include <cstring>
#include <filesystem>
#include <thread>

#include "agent/client/agent_client.hpp"
#include "common/error.hpp"
#include "runtime/cli/control_client.hpp"
#include "runtime/monitor/control_socket.hpp"
#include "runtime/store/socket_dir.hpp"

namespace chrunc::runtime {
namespace {

namespace fs = std::filesystem;
using namespace std::chrono_literals;
using Clock = std::chrono::steady_clock;

// Runs `call`, expects it to throw; returns {message, seconds taken}.
template <typename F>
std::pair<std::string, double> failure_of(F&& call) {
  auto start = Clock::now();
  std::string message = "(no error)";
  try {
    call();
  } catch (const std::exception& e) {
    message = e.what();
  }
  return {message, std::chrono::duration<double>(Clock::now() - start).count()};
}

// The agent's end is held open and never read: what a SIGSTOPped VMM looks like.
class SilentAgentTest : public ::testing::Test {
 protected:
  SilentAgentTest() {
    int pair[2];
    check_syscall(::socketpair(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0, pair), "socketpair");
    guest_ = UniqueFd(pair[1]);
    client_ = std::make_unique<agent::AgentClient>(UniqueFd(pair[0]));
  }
  UniqueFd guest_;
  std::unique_ptr<agent::AgentClient> client_;
};

TEST_F(SilentAgentTest, ControlCallsEndAtTheirDeadlineNamingTheCall) {
  auto [signal, t1] = failure_of([&] { client_->signal_process("c1", "", SIGTERM, false, 700ms); });
  EXPECT_EQ(signal, "agent: SignalProcess: the guest did not answer within 0.7 s");
  EXPECT_LT(t1, 5.0);
  auto [list, t2] = failure_of([&] { client_->list_processes("c1", 1s); });
  EXPECT_EQ(list, "agent: ListProcesses: the guest did not answer within 1 s");
  EXPECT_LT(t2, 5.0);
  auto [stats, t3] = failure_of([&] { client_->stats("c1", 500ms); });
  EXPECT_EQ(stats, "agent: Stats: the guest did not answer within 0.5 s");
  auto [update, t4] = failure_of([&] { client_->update_resources("c1", "{}", 500ms); });
  EXPECT_EQ(update, "agent: UpdateResources: the guest did not answer within 0.5 s");
  auto [resize, t5] = failure_of([&] { client_->resize_tty("c1", "", 24, 80, 500ms); });
  EXPECT_EQ(resize, "agent: ResizeTty: the guest did not answer within 0.5 s");
  auto [pause, t6] = failure_of([&] { client_->pause("c1", 500ms); });
  EXPECT_EQ(pause, "agent: Pause: the guest did not answer within 0.5 s");
}

TEST_F(SilentAgentTest, DefaultDeadlineIsTheControlCallTimeout) {
  EXPECT_EQ(agent::kControlCallTimeout, 10s);
  auto [message, seconds] = failure_of([&] { client_->resume("c1"); });
  EXPECT_EQ(message, "agent: Resume: the guest did not answer within 10 s");
  EXPECT_GE(seconds, 9.0);
  EXPECT_LT(seconds, 30.0);
}

TEST(SecondsText, WholeAndFractional) {
  EXPECT_EQ(agent::seconds_text(10s), "10 s");
  EXPECT_EQ(agent::seconds_text(2500ms), "2.5 s");
  EXPECT_EQ(agent::seconds_text(1250ms), "1.25 s");
}

class SilentMonitorTest : public ::testing::Test {
 protected:
  void SetUp() override {
    char tmpl[] = "/tmp/chrunc-silent-XXXXXX";
    dir_ = fs::path(::mkdtemp(tmpl)) / "c-frozen";
    fs::create_directory(dir_);
  }
  void TearDown() override {
    remove_socket_dir(dir_);
    fs::remove_all(dir_.parent_path());
  }
  fs::path dir_;
};

TEST_F(SilentMonitorTest, AcceptsAndNeverAnswers) {
  UniqueFd listener = listen_unix_socket(make_socket_dir(dir_) / "monitor.sock");
  UniqueFd held;
  std::thread server(
      [&] { held = UniqueFd(::accept4(listener.get(), nullptr, nullptr, SOCK_CLOEXEC)); });
  rapidjson::Document request(rapidjson::kObjectType);
  request.AddMember("command", "kill", request.GetAllocator());
  auto [message, seconds] = failure_of([&] {
    MonitorClient client(dir_);
    client.call(request, {}, 1s);
  });
  server.join();
  EXPECT_EQ(message, "container c-frozen: its monitor did not answer within 1 s");
  EXPECT_GE(seconds, 0.9);
  EXPECT_LT(seconds, 10.0);
}

TEST_F(SilentMonitorTest, HalfAMessageThenSilence) {
  UniqueFd listener = listen_unix_socket(make_socket_dir(dir_) / "monitor.sock");
  UniqueFd held;
  std::thread server([&] {
    held = UniqueFd(::accept4(listener.get(), nullptr, nullptr, SOCK_CLOEXEC));
    receive_control_message(held.get());
    // A length of 100 bytes, and 2 of them.
    const char partial[] = {100, 0, 0, 0, '{', '"'};
    ASSERT_EQ(::send(held.get(), partial, sizeof partial, MSG_NOSIGNAL), 6);
  });
  rapidjson::Document request(rapidjson::kObjectType);
  request.AddMember("command", "ps", request.GetAllocator());
  auto [message, seconds] = failure_of([&] {
    MonitorClient client(dir_);
    client.call(request, {}, 1s);
  });
  server.join();
  EXPECT_EQ(message, "container c-frozen: its monitor did not answer within 1 s");
  EXPECT_LT(seconds, 10.0);
}

// The monitor's loop does not accept: the backlog fills and connect() would block.
TEST_F(SilentMonitorTest, NeverAccepts) {
  UniqueFd listener = listen_unix_socket(make_socket_dir(dir_) / "monitor.sock");
  ASSERT_EQ(::listen(listener.get(), 0), 0);
  std::vector<UniqueFd> queued;
  // Fill the backlog with non-blocking connects until one is refused.
  for (int i = 0; i < 8; ++i) {
    UniqueFd fd(::socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC | SOCK_NONBLOCK, 0));
    sockaddr_un addr{};
    addr.sun_family = AF_UNIX;
    std::string path = (socket_dir_path(dir_) / "monitor.sock").string();
    std::memcpy(addr.sun_path, path.c_str(), path.size() + 1);
    if (::connect(fd.get(), reinterpret_cast<sockaddr*>(&addr), sizeof addr) != 0) break;
    queued.push_back(std::move(fd));
  }
  auto [message, seconds] = failure_of([&] { MonitorClient client(dir_); });
  EXPECT_EQ(message, "container c-frozen: its monitor did not take the connection within 5 s");
  EXPECT_GE(seconds, 4.5);
  EXPECT_LT(seconds, 20.0);
}

TEST(ControlSocketDeadline, ReceiveEndsWithEtimedout) {
  int sv[2];
  ASSERT_EQ(::socketpair(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0, sv), 0);
  UniqueFd a(sv[0]), b(sv[1]);
  int err = 0;
  try {
    receive_control_message(b.get(), 300ms);
  } catch (const Error& e) {
    err = e.sys_errno();
  }
  EXPECT_EQ(err, ETIMEDOUT);
  // Within the deadline, a message arrives as usual.
  send_control_message(a.get(), "{\"ok\":true}");
  auto m = receive_control_message(b.get(), 300ms);
  ASSERT_TRUE(m);
  EXPECT_EQ(m->json, "{\"ok\":true}");
}

}  // namespace
}  // namespace chrunc::runtime
