// AgentService over a real gRPC connection (a socketpair, as in the guest),
// with a fake container (plain child processes) in place of the library.
#include "agent/server/agent_service.hpp"

#include <gtest/gtest.h>
#include <sys/socket.h>

#include <atomic>
#include <thread>

#include "agent/client/agent_client.hpp"
#include "agent/server/grpc_server.hpp"
#include "build_config.hpp"
#include "common/error.hpp"
#include "fake_container.hpp"

namespace chrunc::agent {
namespace {

using namespace std::chrono_literals;

std::string spec_running(const std::string& script, bool terminal = false) {
  return R"({"ociVersion": "1.0.2", "root": {"path": "/"}, "process": {"terminal": )" +
         std::string(terminal ? "true" : "false") +
         R"(, "cwd": "/", "user": {"uid": 0, "gid": 0}, "args": ["/bin/sh", "-c", ")" + script +
         R"("]}})";
}

class AgentServiceTest : public ::testing::Test {
 protected:
  AgentServiceTest() { serve(false); }

  void serve(bool sync_after_container) {
    client_.reset();
    server_.reset();
    service_.reset();
    ServiceOptions options;
    options.create_container = test::create_fake_container;
    options.mount_shares = false;
    options.place_devices = false;
    options.power_off = [this] { powered_off_ = true; };
    options.sync_after_container = sync_after_container;
    service_ = std::make_unique<AgentService>(std::move(options), reaper_);
    server_ = std::make_unique<FdServer>(*service_);
    int pair[2];
    check_syscall(::socketpair(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0, pair), "socketpair");
    server_->add_connection(UniqueFd(pair[1]));
    client_ = std::make_unique<AgentClient>(UniqueFd(pair[0]));
  }

  void create(const std::string& spec) {
    v1::CreateContainerRequest request;
    request.set_container_id("c1");
    request.set_spec_json(spec);
    EXPECT_GT(client_->create_container(request, 10s), 0);
  }

  // Reads the whole output of a process: {stdout, stderr}.
  std::pair<std::string, std::string> read_all(const std::string& exec_id) {
    grpc::ClientContext context;
    v1::ProcessRef ref;
    ref.set_container_id("c1");
    ref.set_exec_id(exec_id);
    auto stream = client_->stub().ReadOutput(&context, ref);
    std::pair<std::string, std::string> out;
    v1::OutputChunk chunk;
    while (stream->Read(&chunk))
      (chunk.stream() == v1::OutputChunk::STDERR ? out.second : out.first) += chunk.data();
    auto status = stream->Finish();
    EXPECT_TRUE(status.ok()) << status.error_message();
    return out;
  }

  ChildReaper reaper_;
  std::atomic<bool> powered_off_{false};
  std::unique_ptr<AgentService> service_;
  std::unique_ptr<FdServer> server_;
  std::unique_ptr<AgentClient> client_;
};

TEST_F(AgentServiceTest, HealthGivesVersionAndKernelRelease) {
  auto health = client_->wait_ready(5s);
  EXPECT_EQ(health.version(), build::kVersion);
  EXPECT_FALSE(health.kernel_release().empty());
}

TEST_F(AgentServiceTest, RunsInitAfterStartAndReportsOutputAndExitCode) {
  create(spec_running("echo out; echo err >&2; exit 3"));
  std::pair<std::string, std::string> output;
  std::thread reader([&] { output = read_all(""); });
  client_->start_container("c1");
  auto waited = client_->wait_process("c1", "");
  reader.join();
  EXPECT_EQ(waited.exit_code(), 3);
  EXPECT_EQ(waited.signal(), 0);
  EXPECT_EQ(output.first, "out\n");
  EXPECT_EQ(output.second, "err\n");
  client_->delete_container("c1");
}

TEST_F(AgentServiceTest, StdinStreamReachesTheProcessAndHalfCloseEndsIt) {
  create(spec_running("cat; echo done"));
  std::pair<std::string, std::string> output;
  std::thread reader([&] { output = read_all(""); });
  client_->start_container("c1");
  {
    grpc::ClientContext context;
    v1::Empty empty;
    auto writer = client_->stub().WriteStdin(&context, &empty);
    v1::StdinChunk chunk;
    chunk.mutable_process()->set_container_id("c1");
    chunk.set_data("hello ");
    ASSERT_TRUE(writer->Write(chunk));
    chunk.clear_process();
    chunk.set_data("world\n");
    ASSERT_TRUE(writer->Write(chunk));
    writer->WritesDone();
    ASSERT_TRUE(writer->Finish().ok());
  }
  EXPECT_EQ(client_->wait_process("c1", "").exit_code(), 0);
  reader.join();
  EXPECT_EQ(output.first, "hello world\ndone\n");
}

TEST_F(AgentServiceTest, SignalKillsInitAndWaitReportsTheSignal) {
  create(spec_running("sleep 100"));
  client_->start_container("c1");
  client_->signal_process("c1", "", SIGTERM);
  auto waited = client_->wait_process("c1", "");
  EXPECT_EQ(waited.signal(), SIGTERM);
}

// The host stops the VM without a Shutdown call when the init's end says the
// guest was synced after the container's last process (agent.proto).
TEST_F(AgentServiceTest, TheInitsEndSaysTheGuestSyncedOnlyWhenItEndedTheContainer) {
  const std::string own_pid_namespace =
      R"({"ociVersion": "1.0.2", "root": {"path": "/"}, "linux": {"namespaces": [{"type": "pid"}]},
          "process": {"cwd": "/", "user": {"uid": 0, "gid": 0}, "args": ["/bin/sh", "-c", "sleep 100"]}})";
  auto run_and_kill = [&](const std::string& spec) {
    create(spec);
    client_->start_container("c1");
    v1::ExecProcessRequest exec;
    exec.set_container_id("c1");
    exec.set_exec_id("e1");
    exec.set_process_json(R"({"cwd": "/", "user": {"uid": 0, "gid": 0}, "args": ["/bin/true"]})");
    EXPECT_GT(client_->exec_process(exec), 0);
    read_all("e1");
    const bool exec_synced = client_->wait_process("c1", "e1").container_synced();
    client_->signal_process("c1", "", SIGKILL, true);
    auto init = client_->wait_process("c1", "");
    EXPECT_EQ(init.signal(), SIGKILL);
    client_->delete_container("c1");
    return std::pair{exec_synced, init.container_synced()};
  };
  serve(true);
  EXPECT_EQ(run_and_kill(own_pid_namespace), std::pair(false, true));
  // The host's pid namespace, or a joined one: other processes may outlive the init.
  EXPECT_EQ(run_and_kill(spec_running("sleep 100")), std::pair(false, false));
  std::string joined = own_pid_namespace;
  joined.replace(joined.find(R"({"type": "pid"})"), 15,
                 R"({"type": "pid", "path": "/proc/self/ns/pid"})");
  EXPECT_EQ(run_and_kill(joined), std::pair(false, false));
  // Off (as in every other test here): never said.
  serve(false);
  EXPECT_EQ(run_and_kill(own_pid_namespace), std::pair(false, false));
}

TEST_F(AgentServiceTest, ExecProcessHasItsOwnIoAndStatus) {
  create(spec_running("sleep 100"));
  client_->start_container("c1");
  v1::ExecProcessRequest exec;
  exec.set_container_id("c1");
  exec.set_exec_id("e1");
  exec.set_process_json(
      R"({"cwd": "/", "user": {"uid": 0, "gid": 0}, "args": ["/bin/sh", "-c", "echo exec; exit 4"]})");
  EXPECT_GT(client_->exec_process(exec), 0);
  auto output = read_all("e1");
  EXPECT_EQ(output.first, "exec\n");
  EXPECT_EQ(client_->wait_process("c1", "e1").exit_code(), 4);
  client_->signal_process("c1", "", SIGKILL, true);
  EXPECT_EQ(client_->wait_process("c1", "").signal(), SIGKILL);
}

TEST_F(AgentServiceTest, TerminalProcessOutputAndResize) {
  create(spec_running("stty size; exit 0", true));
  client_->resize_tty("c1", "", 33, 101);
  std::pair<std::string, std::string> output;
  std::thread reader([&] { output = read_all(""); });
  client_->start_container("c1");
  EXPECT_EQ(client_->wait_process("c1", "").exit_code(), 0);
  reader.join();
  EXPECT_EQ(output.first, "33 101\r\n");
}

TEST_F(AgentServiceTest, ListProcessesAndStats) {
  create(spec_running("sleep 100"));
  client_->start_container("c1");
  auto list = client_->list_processes("c1");
  ASSERT_EQ(list.processes_size(), 1);
  EXPECT_GT(list.processes(0).pid(), 0);
  auto stats = client_->stats("c1");
  EXPECT_EQ(stats.pids_current(), 1u);
  EXPECT_EQ(stats.memory_stat().at("anon"), 4096u);
  client_->signal_process("c1", "", SIGKILL);
  client_->wait_process("c1", "");
}

TEST_F(AgentServiceTest, ErrorsNameTheRpcAndTheCause) {
  try {
    client_->start_container("nope");
    FAIL() << "no error";
  } catch (const Error& e) {
    EXPECT_STREQ(e.what(), "agent: StartContainer: container \"nope\" does not exist");
  }
  grpc::ClientContext context;
  v1::Empty empty;
  v1::ConfigureInterfacesRequest bad;
  bad.add_routes()->set_device("eth9");
  auto status = client_->stub().ConfigureInterfaces(&context, bad, &empty);
  EXPECT_EQ(status.error_code(), grpc::StatusCode::INTERNAL);
  EXPECT_EQ(status.error_message(),
            "ConfigureInterfaces: route default names device 'eth9', which is not among the "
            "interfaces");
}

TEST_F(AgentServiceTest, SetTimeRefusesMoreThan512BytesOfEntropyBeforeTouchingTheClock) {
  // A year 2000 clock: were it set, this host's clock would be wrong.
  try {
    client_->set_time(std::chrono::system_clock::time_point(std::chrono::seconds(946684800)),
                      std::chrono::seconds(10), std::string(513, 'x'));
    FAIL() << "no error";
  } catch (const Error& e) {
    EXPECT_NE(std::string(e.what()).find("more than 512 bytes of entropy"), std::string::npos)
        << e.what();
  }
  EXPECT_GT(std::chrono::system_clock::now().time_since_epoch(), std::chrono::hours(24 * 365 * 40));
}

TEST_F(AgentServiceTest, ShutdownPowersOffAfterAnswering) {
  client_->shutdown();
  for (int i = 0; i < 100 && !powered_off_; ++i) std::this_thread::sleep_for(20ms);
  EXPECT_TRUE(powered_off_);
}

}  // namespace
}  // namespace chrunc::agent

namespace chrunc::agent {
namespace {

// Reads lists from the stream until `done` accepts one (at most 50).
bool read_until(grpc::ClientReader<v1::ListProcessesResponse>& stream,
                const std::function<bool(const v1::ListProcessesResponse&)>& done,
                v1::ListProcessesResponse& list) {
  for (int i = 0; i < 50; ++i) {
    if (!stream.Read(&list)) return false;
    if (done(list)) return true;
  }
  return false;
}

std::vector<std::string> argv_of(const v1::ProcessInfo& p) {
  return {p.argv().begin(), p.argv().end()};
}

TEST_F(AgentServiceTest, WatchProcessesFollowsTheListAndSignalsByPid) {
  create(spec_running("exec sleep 100"));
  client_->start_container("c1");
  grpc::ClientContext context;
  v1::ContainerRef ref;
  ref.set_container_id("c1");
  auto stream = client_->stub().WatchProcesses(&context, ref);
  v1::ListProcessesResponse list;
  const std::vector<std::string> init_argv{"sleep", "100"};
  ASSERT_TRUE(read_until(
      *stream,
      [&](const auto& l) {
        return l.processes_size() == 1 && argv_of(l.processes(0)) == init_argv;
      },
      list));
  EXPECT_EQ(list.processes(0).gid(), ::getgid());

  v1::ExecProcessRequest exec;
  exec.set_container_id("c1");
  exec.set_exec_id("e1");
  exec.set_process_json(R"({"cwd": "/", "user": {"uid": 0, "gid": 0}, "args": ["sleep", "50"]})");
  int exec_pid = client_->exec_process(exec);
  const std::vector<std::string> exec_argv{"sleep", "50"};
  v1::ProcessInfo added;
  // (A list may catch the process between fork and exec: then comes another.)
  ASSERT_TRUE(read_until(
      *stream,
      [&](const auto& l) {
        for (const auto& p : l.processes())
          if (p.pid() == exec_pid && argv_of(p) == exec_argv) added = p;
        return l.processes_size() == 2 && added.pid() == exec_pid;
      },
      list));
  // A start time that is not the process's, or a pid outside the container: refused.
  EXPECT_THROW(client_->signal_guest_pid("c1", exec_pid, added.start_time_ticks() + 1, SIGKILL),
               Error);
  EXPECT_THROW(client_->signal_guest_pid("c1", ::getpid(), 0, SIGKILL), Error);
  client_->signal_guest_pid("c1", exec_pid, added.start_time_ticks(), SIGKILL);
  EXPECT_EQ(client_->wait_process("c1", "e1").signal(), SIGKILL);
  ASSERT_TRUE(read_until(
      *stream, [](const auto& l) { return l.processes_size() == 1; }, list));

  // The init's end ends the stream.
  client_->signal_process("c1", "", SIGKILL);
  client_->wait_process("c1", "");
  EXPECT_FALSE(read_until(
      *stream, [](const auto&) { return false; }, list));
  auto status = stream->Finish();
  EXPECT_TRUE(status.ok()) << status.error_message();
}

}  // namespace
}  // namespace chrunc::agent
