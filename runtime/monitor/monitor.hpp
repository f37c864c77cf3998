#pragma once
// The per-container monitor (`ch-runc __monitor`), the host process that
// stands for the container: its pid is state.pid, it owns the VMM and
// virtiofsd, is the only agent client, relays the stdio it inherited from
// `create`, forwards the signals it receives to the container's init, serves
// <state dir>/monitor.sock, and exits with the container's exit code.
// See DESIGN.md "One container's life" and "Why a monitor".

#include <rapidjson/document.h>

#include <atomic>
#include <chrono>
#include <filesystem>
#include <functional>
#include <memory>
#include <mutex>
#include <optional>
#include <string>

#include "common/unique_fd.hpp"
#include "oci/spec.hpp"
#include "runtime/host/host_cgroup.hpp"
#include "runtime/host/host_network.hpp"
#include "runtime/monitor/bounded_worker.hpp"
#include "runtime/monitor/in_flight_limit.hpp"
#include "runtime/monitor/monitor_boot.hpp"
#include "runtime/relays/dns_relay.hpp"
#include "runtime/relays/guest_process_watch.hpp"
#include "runtime/relays/stdio_relay.hpp"
#include "runtime/store/state_store.hpp"

namespace chrunc::runtime {

// How many agent calls the serve loop may queue (bounded_worker.hpp).
inline constexpr std::size_t kAgentCallQueue = 16;
// How many control requests (exec aside) may be under way at once.
inline constexpr std::size_t kRequestsInFlight = 64;

struct MonitorOptions {
  std::filesystem::path root;
  std::string id;
  int ready_fd = -1;  // "ok" or the error text goes here once created
  bool debug = false;
  std::string log_path, log_format = "text";
};

// Parses `__monitor --root R --ready-fd N [--debug] [--log P] [--log-format F] ID`.
MonitorOptions parse_monitor_args(int argc, char** argv);

class Monitor {
 public:
  explicit Monitor(MonitorOptions options);
  // Creates the container, reports on the ready fd, serves until init exits;
  // returns the container's exit code (the process then _exits with it).
  int run();

 private:
  void take_stdio();
  void create();
  void serve();
  int finish();
  void handle_connection(UniqueFd connection);
  std::string dispatch(int connection, const rapidjson::Document& request,
                       std::vector<UniqueFd>& fds);
  std::string handle_exec(int connection, const rapidjson::Document& request,
                          std::vector<UniqueFd>& fds);
  void watch_exec_client(int connection, int stop, const std::string& exec_id);
  void handle_signal(int signo);
  // Terminal mode: sends the host pty's window size to the container's pty
  // when it differs from the last one sent (or `force`), through agent_calls_,
  // one at a time.
  void forward_window_size(bool force);
  // Queues an agent call on agent_calls_ (its failure is logged naming
  // `what`); false, logged, when the queue is full.
  bool post_agent_call(const std::string& what, std::function<void()> call);
  void set_status(Status status, std::optional<int> exit_code = std::nullopt);
  // set_status(status) after a guest change (pause, resume) that `undo`
  // reverts when the status cannot be saved (a full state root): the command
  // then fails with the save's error and nothing changed.
  void undo_unless_saved(Status status, const std::function<void()>& undo);
  Status status();
  void report_ready(const std::string& message);
  // One line for create to print (kMonitorWarning), before the ready answer.
  void report_warning(const std::string& line);
  // A claim of a warm standby failed or was given up: one line for create.
  void warn_cold(const std::string& why);
  // Asks create to start `pool fill` once it is done (kMonitorPoolRefill).
  void report_pool_refill();
  // Tells create the namespaces are ready and waits while it runs the
  // prestart/createRuntime/createContainer hooks (see kMonitorNamespacesReady).
  void wait_for_create_hooks();

  MonitorOptions options_;
  StateStore store_;
  std::filesystem::path dir_;
  std::mutex mutex_;
  ContainerRecord record_;
  oci::Spec spec_;
  std::optional<HostCgroup> cgroup_;
  // The spec's host block devices, opened before the spec's namespaces are
  // joined; the VMM holds its own copies of the fds once booted.
  std::vector<HostBlockDevice> disks_;
  std::unique_ptr<HostNetwork> network_;  // torn down after the VM (the VMM holds the taps)
  std::unique_ptr<VmSession> vm_;
  std::unique_ptr<DnsRelay> dns_;  // ended before the VM
  std::unique_ptr<OutputRelay> output_;
  // Host stand-ins of the guest's processes (docker/podman top), from start on.
  std::unique_ptr<GuestProcessWatch> processes_;
  std::unique_ptr<StdinRelay> stdin_;
  // The stdio create handed over (the container's), moved off 0-2, which
  // point at monitor.log so nothing the monitor or its libraries print
  // reaches the container's streams.
  UniqueFd stdio_[3];
  UniqueFd wake_;       // eventfd: init exited
  UniqueFd signal_fd_;  // signalfd
  UniqueFd listen_;
  // The host's /proc, opened before the monitor's namespaces may cover it:
  // the VMM's host pid is read there (then closed).
  UniqueFd host_proc_;
  // The agent calls the serve loop does not make itself, so that a guest that
  // stops answering never blocks it (bounded_worker.hpp).
  std::unique_ptr<BoundedWorker> agent_calls_;
  // Control requests under way (exec aside), and the end of taking new ones:
  // finish() waits for them before the agent client goes.
  InFlightLimit requests_{kRequestsInFlight};
  std::atomic<bool> closing_{false};
  std::atomic<bool> exited_{false};
  // The agent synced the guest after the container's end (agent.proto).
  std::atomic<bool> container_synced_{false};
  std::atomic<int> exit_code_{0};
  std::atomic<bool> shutdown_requested_{false};
  // The window size last sent to the guest (set by the worker), whether a
  // send is queued, and a request from `start` to send it again once the
  // process runs.
  std::atomic<unsigned short> sent_rows_{0}, sent_cols_{0};
  std::atomic<bool> resize_queued_{false};
  std::atomic<bool> resend_window_size_{false};
  std::chrono::steady_clock::time_point shutdown_deadline_;
};

}  // namespace chrunc::runtime
