#pragma once
// The monitor's relay between host fds and a process in the guest:
//   OutputRelay: agent ReadOutput (stdout/stderr chunks) -> out_fd / err_fd
//   StdinRelay:  in_fd -> agent WriteStdin; end-of-file closes the process's stdin
// Each runs in its own thread. A write error on a host fd (reader gone) drops
// that stream's output, as a closed pipe would, without stopping the other.

#include <chrono>
#include <memory>
#include <string>
#include <thread>

#include "agent/client/agent_client.hpp"
#include "common/unique_fd.hpp"

namespace chrunc::runtime {

class OutputRelay {
 public:
  // The fds are borrowed and must outlive the relay.
  OutputRelay(agent::AgentClient& agent, const std::string& container_id,
              const std::string& exec_id, int out_fd, int err_fd);
  ~OutputRelay();
  OutputRelay(const OutputRelay&) = delete;
  OutputRelay& operator=(const OutputRelay&) = delete;

  // Waits until the stream has ended (both outputs at end-of-file), at most
  // `timeout`; then cancels it. Returns true when it ended by itself.
  bool finish(std::chrono::milliseconds timeout);

 private:
  struct Shared;
  std::shared_ptr<Shared> shared_;
  std::thread thread_;
};

class StdinRelay {
 public:
  StdinRelay(agent::AgentClient& agent, const std::string& container_id, const std::string& exec_id,
             int in_fd);
  ~StdinRelay();  // stops reading and joins
  StdinRelay(const StdinRelay&) = delete;
  StdinRelay& operator=(const StdinRelay&) = delete;

 private:
  UniqueFd stop_;  // eventfd
  std::unique_ptr<grpc::ClientContext> context_;
  std::thread thread_;
};

// Writes all of `data` to a blocking or non-blocking fd; false when the fd is broken.
bool write_fully(int fd, const char* data, size_t size);

}  // namespace chrunc::runtime
