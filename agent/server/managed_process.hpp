#pragma once
// One process the agent runs in the container (its init or an exec): the
// agent's ends of its stdio, its exit status, and whether its output has been
// drained. Output is read only while a ReadOutput stream is attached (so a
// slow host slows the process down through the pipe: backpressure).

#include <sys/types.h>

#include <chrono>
#include <condition_variable>
#include <functional>
#include <mutex>
#include <optional>
#include <string>
#include <string_view>

#include "agent/container/container.hpp"

namespace chrunc::agent {

struct OutputData {
  bool is_stderr = false;
  std::string_view data;  // valid during the emit call only
};

class ManagedProcess {
 public:
  ManagedProcess(pid_t pid, container::ProcessStdio stdio);

  pid_t pid() const { return pid_; }
  bool terminal() const { return stdio_.pty_master.valid(); }

  // Records the exit status (raw wait status) and wakes waiters;
  // `container_synced`: see WaitProcessResponse in agent.proto.
  void set_exited(int wait_status, bool container_synced = false);
  std::optional<int> exit_status();
  bool container_synced();

  // Pumps output to `emit` until both streams reach end-of-file (returns
  // true) or `cancelled()` says the reader went away (returns false).
  // Throws chrunc::Error when another reader is attached or a read fails.
  bool read_output(const std::function<bool(const OutputData&)>& emit,
                   const std::function<bool()>& cancelled);

  // Writes all of `data` to the process's stdin (waits while the pipe is
  // full; gives up when `cancelled()`). Throws when stdin is closed.
  void write_stdin(std::string_view data, const std::function<bool()>& cancelled);
  // Closes stdin (pipe mode; a no-op for a terminal).
  void close_stdin();
  void resize(unsigned rows, unsigned cols);

  // Blocks until the process has exited and, if a reader ever attached, its
  // output has been drained; returns the raw wait status. nullopt when
  // `cancelled()` became true first.
  std::optional<int> wait(const std::function<bool()>& cancelled);

 private:
  int stdin_fd() const;

  const pid_t pid_;
  container::ProcessStdio stdio_;
  std::mutex mutex_;
  std::condition_variable changed_;
  std::optional<int> status_;
  bool container_synced_ = false;
  bool reader_attached_ = false;
  bool reader_ever_attached_ = false;
  bool stdout_eof_ = false;
  bool stderr_eof_ = false;
  std::mutex stdin_mutex_;
};

}  // namespace chrunc::agent
