#include "runtime/relays/guest_process_watch.hpp"

#include "common/log.hpp"

namespace chrunc::runtime {

std::vector<GuestProcess> guest_processes(const agent::v1::ListProcessesResponse& list) {
  std::vector<GuestProcess> processes;
  for (const auto& p : list.processes()) {
    GuestProcess g;
    g.pid = p.pid();
    g.start_time_ticks = p.start_time_ticks();
    g.uid = p.uid();
    g.gid = p.gid();
    g.comm = p.comm().substr(0, kMaxCommBytes);
    // Whole arguments only while within the bound: a hostile list must not
    // be copied in full first.
    size_t bytes = 0;
    for (const auto& arg : p.argv()) {
      if (bytes > kMaxStandInArgvBytes) break;
      g.argv.push_back(arg.substr(0, kMaxStandInArgvBytes));
      bytes += g.argv.back().size() + 1;
    }
    bound_guest_process(g);
    processes.push_back(std::move(g));
  }
  return processes;
}

GuestProcessWatch::GuestProcessWatch(agent::AgentClient& agent, std::string container_id,
                                     std::filesystem::path helper, HostIdentity identity)
    : agent_(agent),
      id_(std::move(container_id)),
      stand_ins_(std::move(helper), identity, [this](const GuestProcess& process, int signo) {
        try {
          agent_.signal_guest_pid(id_, process.pid, process.start_time_ticks, signo);
        } catch (const std::exception& e) {
          log_debug("stand-in signal " + std::to_string(signo) + " for guest process " +
                    std::to_string(process.pid) + ": " + e.what());
        }
      }) {}

GuestProcessWatch::~GuestProcessWatch() {
  stop();
}

void GuestProcessWatch::apply(const agent::v1::ListProcessesResponse& list) {
  std::lock_guard lock(apply_mutex_);
  // 0: the end of the watch (an empty list), or an agent that does not say.
  if (list.read_at_ns() != 0) {
    if (list.read_at_ns() < applied_read_at_ns_) return;
    applied_read_at_ns_ = list.read_at_ns();
  }
  stand_ins_.reconcile(guest_processes(list));
}

void GuestProcessWatch::start() {
  {
    std::lock_guard lock(mutex_);
    if (started_ || stopped_) return;
    started_ = true;
    context_ = std::make_unique<grpc::ClientContext>();
  }
  // No refresh first: the stream's first list is the guest's list of now,
  // and `start` need not wait for it (a ListProcesses and the stand-ins'
  // spawns were a third of a warm start under TCG).
  thread_ = std::thread([this] { follow(); });
}

void GuestProcessWatch::refresh() {
  {
    std::lock_guard lock(mutex_);
    if (!started_ || stopped_) return;
  }
  try {
    apply(agent_.list_processes(id_));
  } catch (const std::exception& e) {
    log_debug(std::string("stand-ins: ") + e.what());
  }
}

void GuestProcessWatch::follow() {
  agent::v1::ContainerRef ref;
  ref.set_container_id(id_);
  auto reader = agent_.stub().WatchProcesses(context_.get(), ref);
  agent::v1::ListProcessesResponse list;
  while (reader->Read(&list)) apply(list);
  grpc::Status status = reader->Finish();
  if (!status.ok() && status.error_code() != grpc::StatusCode::CANCELLED)
    log_debug("stand-ins: WatchProcesses: " + status.error_message());
  // The init exited (or the VM is gone): no process is left to stand for.
  apply({});
}

void GuestProcessWatch::stop() {
  {
    std::lock_guard lock(mutex_);
    if (stopped_) return;
    stopped_ = true;
    if (context_) context_->TryCancel();
  }
  if (thread_.joinable()) thread_.join();
  stand_ins_.end_all();
}

}  // namespace chrunc::runtime
