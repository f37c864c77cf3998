// WatchProcesses and SignalProcess by guest pid (see agent.proto): what the
// monitor keeps its host stand-ins of the container's processes with.
#include <sys/syscall.h>
#include <time.h>
#include <unistd.h>

#include <algorithm>
#include <csignal>
#include <thread>

#include "agent/server/agent_service.hpp"
#include "agent/server/proc_list.hpp"
#include "common/error.hpp"

namespace chrunc::agent {
namespace {

using namespace std::chrono_literals;

// After a change the list is looked at again soon (a shell's fork then exec),
// then less and less often: reading /proc costs guest CPU (TCG).
constexpr auto kFirstLook = 100ms;
constexpr auto kSlowestLook = 1000ms;

bool same_process(const v1::ProcessInfo& a, const v1::ProcessInfo& b) {
  return a.pid() == b.pid() && a.start_time_ticks() == b.start_time_ticks() && a.uid() == b.uid() &&
         a.gid() == b.gid() && a.comm() == b.comm() &&
         std::equal(a.argv().begin(), a.argv().end(), b.argv().begin(), b.argv().end());
}

bool same_list(const v1::ListProcessesResponse& a, const v1::ListProcessesResponse& b) {
  return std::equal(a.processes().begin(), a.processes().end(), b.processes().begin(),
                    b.processes().end(), same_process);
}

}  // namespace

v1::ListProcessesResponse AgentService::process_list(const std::string& container_id) {
  std::vector<pid_t> pids;
  {
    std::lock_guard lock(mutex_);
    pids = container_for(container_id).pids();
  }
  std::sort(pids.begin(), pids.end());
  v1::ListProcessesResponse list;
  timespec now{};
  ::clock_gettime(CLOCK_MONOTONIC, &now);
  list.set_read_at_ns(static_cast<uint64_t>(now.tv_sec) * 1000000000ULL +
                      static_cast<uint64_t>(now.tv_nsec));
  size_t bytes = 0;
  for (pid_t pid : pids) {
    auto info = read_process_info(pid);
    if (!info) continue;
    bytes += info->ByteSizeLong() + 8;
    if (bytes > kMaxProcessListBytes) break;  // the lowest pids fit
    *list.add_processes() = std::move(*info);
  }
  return list;
}

grpc::Status AgentService::WatchProcesses(grpc::ServerContext* context,
                                          const v1::ContainerRef* request,
                                          grpc::ServerWriter<v1::ListProcessesResponse>* writer) {
  return guarded([&] {
    v1::ProcessRef init;
    init.set_container_id(request->container_id());
    auto process = process_for(init);
    std::optional<v1::ListProcessesResponse> sent;
    auto interval = kFirstLook;
    for (;;) {
      if (context->IsCancelled() || process->exit_status()) return;
      v1::ListProcessesResponse now;
      try {
        now = process_list(request->container_id());
      } catch (const NotFound&) {
        return;  // deleted
      }
      if (!sent || !same_list(*sent, now)) {
        if (!writer->Write(now)) return;
        sent = std::move(now);
        interval = kFirstLook;
      } else {
        interval = std::min<std::chrono::milliseconds>(interval * 2, kSlowestLook);
      }
      // One wake-up per look: the init's exit ends the stream at the next
      // one (the monitor does not wait for that: it ends the stand-ins itself).
      std::this_thread::sleep_for(interval);
    }
  });
}

void AgentService::signal_member(const v1::SignalProcessRequest& request) {
  const std::string& id = request.process().container_id();
  const pid_t pid = request.pid();
  // Held before the checks, so the signal cannot reach a process that took
  // the pid over in between.
  UniqueFd pidfd(static_cast<int>(::syscall(SYS_pidfd_open, pid, 0)));
  std::vector<pid_t> pids;
  {
    std::lock_guard lock(mutex_);
    pids = container_for(id).pids();
  }
  auto info = read_process_info(pid);
  if (std::find(pids.begin(), pids.end(), pid) == pids.end() || !info ||
      (request.start_time_ticks() != 0 && info->start_time_ticks() != request.start_time_ticks()))
    throw NotFound("process " + std::to_string(pid) + " is not in container \"" + id + "\"");
  int rc = pidfd ? static_cast<int>(
                       ::syscall(SYS_pidfd_send_signal, pidfd.get(), request.signal(), nullptr, 0))
                 : ::kill(pid, request.signal());
  if (rc != 0 && errno != ESRCH) throw_errno("kill " + std::to_string(pid));
}

}  // namespace chrunc::agent
