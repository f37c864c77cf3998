#include "agent/client/agent_client.hpp"

#include <fcntl.h>
#include <grpcpp/create_channel_posix.h>
#include <grpcpp/support/channel_arguments.h>

#include <cerrno>
#include <cstdio>
#include <thread>

#include "common/error.hpp"

namespace chrunc::agent {

std::string seconds_text(std::chrono::milliseconds timeout) {
  auto ms = timeout.count();
  std::string text = std::to_string(ms / 1000);
  if (ms % 1000 != 0) {
    char fraction[8];
    std::snprintf(fraction, sizeof fraction, ".%03lld", static_cast<long long>(ms % 1000));
    std::string f = fraction;
    while (f.back() == '0') f.pop_back();
    text += f;
  }
  return text + " s";
}

void check_status(const grpc::Status& status, const char* rpc, std::chrono::milliseconds timeout) {
  if (status.ok()) return;
  if (status.error_code() == grpc::StatusCode::DEADLINE_EXCEEDED && timeout.count() > 0)
    throw Error(
        std::string("agent: ") + rpc + ": the guest did not answer within " + seconds_text(timeout),
        ETIMEDOUT);
  std::string message = status.error_message();
  if (message.empty()) message = "gRPC status " + std::to_string(status.error_code());
  throw Error(std::string("agent: ") + rpc + ": " + message);
}

std::unique_ptr<grpc::ClientContext> make_context(std::chrono::milliseconds timeout) {
  auto context = std::make_unique<grpc::ClientContext>();
  if (timeout.count() > 0) context->set_deadline(std::chrono::system_clock::now() + timeout);
  return context;
}

AgentClient::AgentClient(UniqueFd connected_stream_socket) {
  if (!connected_stream_socket) throw Error("agent: no connection to the agent");
  int fd = connected_stream_socket.get();
  int flags = check_syscall(::fcntl(fd, F_GETFL), "agent: fcntl F_GETFL");
  check_syscall(::fcntl(fd, F_SETFL, flags | O_NONBLOCK), "agent: fcntl O_NONBLOCK");
  check_syscall(::fcntl(fd, F_SETFD, FD_CLOEXEC), "agent: fcntl FD_CLOEXEC");
  // gRPC owns the fd from here on and closes it with the channel.
  // Container output arrives in chunks of up to 1 MiB: let the agent send a
  // few of them ahead (flow-control window) in frames as large.
  grpc::ChannelArguments args;
  args.SetInt(GRPC_ARG_HTTP2_STREAM_LOOKAHEAD_BYTES, 8 << 20);
  args.SetInt(GRPC_ARG_HTTP2_MAX_FRAME_SIZE, 1 << 20);
  channel_ = grpc::CreateCustomInsecureChannelFromFd("chrunc-agent",
                                                     connected_stream_socket.release(), args);
  stub_ = v1::Agent::NewStub(channel_);
}

v1::HealthResponse AgentClient::wait_ready(std::chrono::milliseconds timeout) {
  auto start = std::chrono::steady_clock::now();
  auto deadline = start + timeout;
  std::string last = "no answer";
  while (true) {
    auto now = std::chrono::steady_clock::now();
    if (now >= deadline) break;
    auto left = std::chrono::duration_cast<std::chrono::milliseconds>(deadline - now);
    auto context = make_context(std::min(left, std::chrono::milliseconds(1000)));
    v1::HealthRequest request;
    v1::HealthResponse response;
    grpc::Status status = stub_->Health(context.get(), request, &response);
    if (status.ok()) return response;
    last = status.error_message();
    if (status.error_code() != grpc::StatusCode::DEADLINE_EXCEEDED)
      std::this_thread::sleep_for(std::chrono::milliseconds(20));
  }
  throw Error("agent: not ready after " + std::to_string(timeout.count()) + " ms: " + last);
}

v1::HealthResponse AgentClient::health(std::chrono::milliseconds timeout) {
  auto context = make_context(timeout);
  v1::HealthResponse response;
  check_status(stub_->Health(context.get(), v1::HealthRequest(), &response), "Health", timeout);
  return response;
}

int AgentClient::create_container(const v1::CreateContainerRequest& request,
                                  std::chrono::milliseconds timeout) {
  auto context = make_context(timeout);
  v1::CreateContainerResponse response;
  check_status(stub_->CreateContainer(context.get(), request, &response), "CreateContainer",
               timeout);
  return response.pid();
}

void AgentClient::configure_interfaces(const v1::ConfigureInterfacesRequest& request,
                                       std::chrono::milliseconds timeout) {
  auto context = make_context(timeout);
  v1::Empty response;
  check_status(stub_->ConfigureInterfaces(context.get(), request, &response), "ConfigureInterfaces",
               timeout);
}

namespace {
v1::ContainerRef container_ref(const std::string& id) {
  v1::ContainerRef ref;
  ref.set_container_id(id);
  return ref;
}
v1::ProcessRef process_ref(const std::string& id, const std::string& exec_id) {
  v1::ProcessRef ref;
  ref.set_container_id(id);
  ref.set_exec_id(exec_id);
  return ref;
}
}  // namespace

void AgentClient::start_container(const std::string& container_id,
                                  std::chrono::milliseconds timeout) {
  auto context = make_context(timeout);
  v1::Empty response;
  check_status(stub_->StartContainer(context.get(), container_ref(container_id), &response),
               "StartContainer", timeout);
}

void AgentClient::delete_container(const std::string& container_id,
                                   std::chrono::milliseconds timeout) {
  auto context = make_context(timeout);
  v1::Empty response;
  check_status(stub_->DeleteContainer(context.get(), container_ref(container_id), &response),
               "DeleteContainer", timeout);
}

int AgentClient::exec_process(const v1::ExecProcessRequest& request,
                              std::chrono::milliseconds timeout) {
  auto context = make_context(timeout);
  v1::ExecProcessResponse response;
  check_status(stub_->ExecProcess(context.get(), request, &response), "ExecProcess", timeout);
  return response.pid();
}

void AgentClient::signal_process(const std::string& container_id, const std::string& exec_id,
                                 int signal, bool all, std::chrono::milliseconds timeout) {
  auto context = make_context(timeout);
  v1::SignalProcessRequest request;
  *request.mutable_process() = process_ref(container_id, exec_id);
  request.set_signal(signal);
  request.set_all(all);
  v1::Empty response;
  check_status(stub_->SignalProcess(context.get(), request, &response), "SignalProcess", timeout);
}

void AgentClient::signal_guest_pid(const std::string& container_id, int pid,
                                   uint64_t start_time_ticks, int signal,
                                   std::chrono::milliseconds timeout) {
  auto context = make_context(timeout);
  v1::SignalProcessRequest request;
  request.mutable_process()->set_container_id(container_id);
  request.set_pid(pid);
  request.set_start_time_ticks(start_time_ticks);
  request.set_signal(signal);
  v1::Empty response;
  check_status(stub_->SignalProcess(context.get(), request, &response), "SignalProcess", timeout);
}

// No deadline: the process may run for days. A guest that stops answering
// holds this call until the VM is torn down, which ends the connection.
v1::WaitProcessResponse AgentClient::wait_process(const std::string& container_id,
                                                  const std::string& exec_id) {
  grpc::ClientContext context;
  v1::WaitProcessResponse response;
  check_status(stub_->WaitProcess(&context, process_ref(container_id, exec_id), &response),
               "WaitProcess");
  return response;
}

void AgentClient::close_stdin(const std::string& container_id, const std::string& exec_id,
                              std::chrono::milliseconds timeout) {
  auto context = make_context(timeout);
  v1::Empty response;
  check_status(stub_->CloseStdin(context.get(), process_ref(container_id, exec_id), &response),
               "CloseStdin", timeout);
}

void AgentClient::resize_tty(const std::string& container_id, const std::string& exec_id,
                             unsigned rows, unsigned cols, std::chrono::milliseconds timeout) {
  auto context = make_context(timeout);
  v1::ResizeTtyRequest request;
  *request.mutable_process() = process_ref(container_id, exec_id);
  request.set_rows(rows);
  request.set_cols(cols);
  v1::Empty response;
  check_status(stub_->ResizeTty(context.get(), request, &response), "ResizeTty", timeout);
}

v1::ListProcessesResponse AgentClient::list_processes(const std::string& container_id,
                                                      std::chrono::milliseconds timeout) {
  auto context = make_context(timeout);
  v1::ListProcessesResponse response;
  check_status(stub_->ListProcesses(context.get(), container_ref(container_id), &response),
               "ListProcesses", timeout);
  return response;
}

v1::StatsResponse AgentClient::stats(const std::string& container_id,
                                     std::chrono::milliseconds timeout) {
  auto context = make_context(timeout);
  v1::StatsResponse response;
  check_status(stub_->Stats(context.get(), container_ref(container_id), &response), "Stats",
               timeout);
  return response;
}

void AgentClient::pause(const std::string& container_id, std::chrono::milliseconds timeout) {
  auto context = make_context(timeout);
  v1::Empty response;
  check_status(stub_->Pause(context.get(), container_ref(container_id), &response), "Pause",
               timeout);
}

void AgentClient::resume(const std::string& container_id, std::chrono::milliseconds timeout) {
  auto context = make_context(timeout);
  v1::Empty response;
  check_status(stub_->Resume(context.get(), container_ref(container_id), &response), "Resume",
               timeout);
}

void AgentClient::update_resources(const std::string& container_id,
                                   const std::string& resources_json,
                                   std::chrono::milliseconds timeout) {
  auto context = make_context(timeout);
  v1::UpdateResourcesRequest request;
  request.set_container_id(container_id);
  request.set_resources_json(resources_json);
  v1::Empty response;
  check_status(stub_->UpdateResources(context.get(), request, &response), "UpdateResources",
               timeout);
}

void AgentClient::set_time(std::chrono::system_clock::time_point now,
                           std::chrono::milliseconds timeout, const std::string& entropy) {
  auto context = make_context(timeout);
  auto since_epoch = now.time_since_epoch();
  auto seconds = std::chrono::duration_cast<std::chrono::seconds>(since_epoch);
  v1::SetTimeRequest request;
  request.set_seconds(seconds.count());
  request.set_nanoseconds(
      std::chrono::duration_cast<std::chrono::nanoseconds>(since_epoch - seconds).count());
  request.set_entropy(entropy);
  v1::Empty response;
  check_status(stub_->SetTime(context.get(), request, &response), "SetTime", timeout);
}

void AgentClient::shutdown(std::chrono::milliseconds timeout) {
  auto context = make_context(timeout);
  v1::Empty response;
  check_status(stub_->Shutdown(context.get(), v1::Empty(), &response), "Shutdown", timeout);
}

}  // namespace chrunc::agent
