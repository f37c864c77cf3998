#pragma once
// The host side of the agent protocol (agent/agent.proto): one gRPC channel
// over an already connected stream socket (the virtio-serial chardev socket of
// QEMU, or a hybrid-vsock socket of cloud-hypervisor after "CONNECT 1024").
//
//   chrunc::agent::AgentClient client(hypervisor.connect_agent(10s));
//   client.wait_ready(std::chrono::seconds(10));   // Health until it answers
//   int pid = client.create_container(request);     // throws chrunc::Error
//   client.stub().ReadOutput(&ctx, ref);            // raw stub for streams
//
// Every helper throws chrunc::Error("agent: <Rpc>: <grpc message>") when the
// RPC fails. The stub is thread-safe: several RPCs may run concurrently (e.g.
// ReadOutput in one thread, WaitProcess in another).
//
// The guest is untrusted and may stop answering (frozen, wedged, hostile):
// every unary call has a deadline. Control calls (signal, resize, list,
// stats, pause, resume, update, set-time, close-stdin) default to
// kControlCallTimeout; a call past its deadline throws
// "agent: <Rpc>: the guest did not answer within N s". Only WaitProcess has
// none: it lasts as long as the process, and ends when the VM is torn down.

#include <grpcpp/grpcpp.h>

#include <chrono>
#include <memory>
#include <string>

#include "agent/agent.grpc.pb.h"
#include "agent/agent.pb.h"
#include "common/unique_fd.hpp"

namespace chrunc::agent {

// The deadline of a control call to the agent.
inline constexpr std::chrono::milliseconds kControlCallTimeout = std::chrono::seconds(10);

class AgentClient {
 public:
  // Takes ownership of the socket; sets it O_NONBLOCK (gRPC needs it).
  explicit AgentClient(UniqueFd connected_stream_socket);
  AgentClient(const AgentClient&) = delete;
  AgentClient& operator=(const AgentClient&) = delete;

  v1::Agent::Stub& stub() { return *stub_; }
  const std::shared_ptr<grpc::Channel>& channel() const { return channel_; }

  // Calls Health until it succeeds; throws "agent: not ready after N ms: <last error>".
  v1::HealthResponse wait_ready(std::chrono::milliseconds timeout);

  v1::HealthResponse health(std::chrono::milliseconds timeout = {});
  // Returns the pid of the container's init in the guest.
  int create_container(const v1::CreateContainerRequest& request,
                       std::chrono::milliseconds timeout = {});
  // Before create_container: the guest's NICs get the container's interfaces.
  void configure_interfaces(const v1::ConfigureInterfacesRequest& request,
                            std::chrono::milliseconds timeout = {});
  void start_container(const std::string& container_id, std::chrono::milliseconds timeout = {});
  void delete_container(const std::string& container_id, std::chrono::milliseconds timeout = {});
  int exec_process(const v1::ExecProcessRequest& request, std::chrono::milliseconds timeout = {});
  void signal_process(const std::string& container_id, const std::string& exec_id, int signal,
                      bool all = false, std::chrono::milliseconds timeout = kControlCallTimeout);
  // Signals the container's process with guest pid `pid`, if it still is
  // the one that started at `start_time_ticks` (see SignalProcessRequest).
  void signal_guest_pid(const std::string& container_id, int pid, uint64_t start_time_ticks,
                        int signal, std::chrono::milliseconds timeout = kControlCallTimeout);
  // Blocks until the process has exited and its output is drained.
  v1::WaitProcessResponse wait_process(const std::string& container_id, const std::string& exec_id);
  void close_stdin(const std::string& container_id, const std::string& exec_id,
                   std::chrono::milliseconds timeout = kControlCallTimeout);
  void resize_tty(const std::string& container_id, const std::string& exec_id, unsigned rows,
                  unsigned cols, std::chrono::milliseconds timeout = kControlCallTimeout);
  v1::ListProcessesResponse list_processes(const std::string& container_id,
                                           std::chrono::milliseconds timeout = kControlCallTimeout);
  v1::StatsResponse stats(const std::string& container_id,
                          std::chrono::milliseconds timeout = kControlCallTimeout);
  void pause(const std::string& container_id,
             std::chrono::milliseconds timeout = kControlCallTimeout);
  void resume(const std::string& container_id,
              std::chrono::milliseconds timeout = kControlCallTimeout);
  void update_resources(const std::string& container_id, const std::string& resources_json,
                        std::chrono::milliseconds timeout = kControlCallTimeout);
  // Sets the guest's clock; `entropy` (at most 512 bytes) is mixed into its
  // random pool too.
  void set_time(std::chrono::system_clock::time_point now,
                std::chrono::milliseconds timeout = kControlCallTimeout,
                const std::string& entropy = "");
  // The agent powers the VM off after answering.
  void shutdown(std::chrono::milliseconds timeout = std::chrono::seconds(5));

 private:
  std::shared_ptr<grpc::Channel> channel_;
  std::unique_ptr<v1::Agent::Stub> stub_;
};

// Throws chrunc::Error("agent: <rpc>: <message>") when `status` is not OK; a
// call that had a deadline (`timeout`) and passed it reads
// "agent: <rpc>: the guest did not answer within N s" (errno ETIMEDOUT).
void check_status(const grpc::Status& status, const char* rpc,
                  std::chrono::milliseconds timeout = {});

// "10 s", "2.5 s": a timeout as the errors name it.
std::string seconds_text(std::chrono::milliseconds timeout);

// A ClientContext with a deadline `timeout` from now (none when zero).
std::unique_ptr<grpc::ClientContext> make_context(std::chrono::milliseconds timeout);

}  // namespace chrunc::agent
