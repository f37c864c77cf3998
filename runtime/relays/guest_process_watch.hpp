#pragma once
// Keeps the monitor's host stand-ins (runtime/relays/stand_ins.hpp) in line with the
// container's processes in the guest: follows the agent's WatchProcesses
// stream from `start` on, refreshes at once when asked (`ps --format json`,
// so that docker top sees the processes of that moment), and forwards the
// stand-ins' signals to the guest processes (SignalProcess by guest pid).

#include <grpcpp/grpcpp.h>

#include <cstdint>
#include <filesystem>
#include <map>
#include <memory>
#include <mutex>
#include <string>
#include <thread>

#include "agent/client/agent_client.hpp"
#include "runtime/relays/stand_ins.hpp"

namespace chrunc::runtime {

// The list the agent sent, as the stand-ins take it: each process bounded
// (bound_guest_process) as it arrives.
std::vector<GuestProcess> guest_processes(const agent::v1::ListProcessesResponse& list);

class GuestProcessWatch {
 public:
  // `identity`: the host uid and gid of every stand-in (stand_in_user.hpp).
  GuestProcessWatch(agent::AgentClient& agent, std::string container_id,
                    std::filesystem::path helper, HostIdentity identity);
  ~GuestProcessWatch();

  // After StartContainer: follows the stream (in a thread) until the
  // container's init exits. Returns at once; the stream's first list, sent
  // as it opens, brings the stand-ins of the processes running then.
  void start();
  // Asks the agent for the list now and applies it (a no-op before start).
  void refresh();
  // Guest pid -> pid (in the monitor's pid namespace) of each running stand-in.
  std::map<pid_t, pid_t> stand_in_pids() { return stand_ins_.host_pids(); }
  // Ends the stream and every stand-in.
  void stop();

 private:
  void follow();
  void apply(const agent::v1::ListProcessesResponse& list);

  agent::AgentClient& agent_;
  const std::string id_;
  StandIns stand_ins_;
  std::mutex apply_mutex_;  // one list applied at a time
  // The guest's read time of the newest list applied: the watch stream and a
  // refresh() can deliver their lists out of order, and applying an older
  // one after a newer one ended and restarted stand-ins (a process seen
  // before and after its exec) until the next change.
  uint64_t applied_read_at_ns_ = 0;
  std::mutex mutex_;
  bool started_ = false, stopped_ = false;
  std::unique_ptr<grpc::ClientContext> context_;
  std::thread thread_;
};

}  // namespace chrunc::runtime
