// Container lifecycle RPCs of AgentService (see agent_service.hpp).
#include <unistd.h>

#include <algorithm>
#include <chrono>
#include <csignal>
#include <future>
#include <memory>
#include <thread>
#include <utility>

#include "agent/server/agent_service.hpp"
#include "agent/server/guest_devices.hpp"
#include "agent/server/proc_list.hpp"
#include "common/error.hpp"
#include "oci/spec_parser.hpp"

namespace chrunc::agent {
namespace {

// A wedged device (or virtiofsd) must not hold the exit's report back: past
// the limit the exit is reported unsynced, and the host's Shutdown call
// (which syncs, with its own deadline) does the rest.
constexpr std::chrono::seconds kSyncAtExitLimit{2};

// sync(2) on a thread of its own; true when it returned within `limit`.
bool sync_within(std::chrono::milliseconds limit) {
  auto done = std::make_shared<std::promise<void>>();
  std::future<void> finished = done->get_future();
  std::thread([done] {
    ::sync();
    done->set_value();
  }).detach();
  return finished.wait_for(limit) == std::future_status::ready;
}

bool owns_pid_namespace(const oci::Spec& spec) {
  if (!spec.linux) return false;
  const auto& all = spec.linux->namespaces;
  return std::any_of(all.begin(), all.end(),
                     [](const oci::Namespace& ns) { return ns.type == "pid" && ns.path.empty(); });
}

}  // namespace

grpc::Status guarded(const std::function<void()>& body) {
  try {
    body();
    return grpc::Status::OK;
  } catch (const NotFound& e) {
    return grpc::Status(grpc::StatusCode::NOT_FOUND, e.what());
  } catch (const std::exception& e) {
    return grpc::Status(grpc::StatusCode::INTERNAL, e.what());
  }
}

AgentService::AgentService(ServiceOptions options, ChildReaper& reaper)
    : options_(std::move(options)), reaper_(reaper) {}

AgentService::~AgentService() {
  std::lock_guard lock(mutex_);
  if (container_) container_->destroy();
}

container::Container& AgentService::container_for(const std::string& id) {
  if (!container_ || container_->id() != id)
    throw NotFound("container \"" + id + "\" does not exist");
  return *container_;
}

std::shared_ptr<ManagedProcess> AgentService::process_for(const v1::ProcessRef& ref) {
  std::lock_guard lock(mutex_);
  container_for(ref.container_id());
  auto it = processes_.find(ref.exec_id());
  if (it == processes_.end())
    throw NotFound("process \"" + ref.exec_id() + "\" of container \"" + ref.container_id() +
                   "\" does not exist");
  return it->second;
}

std::shared_ptr<ManagedProcess> AgentService::track(const std::string& exec_id, pid_t pid,
                                                    container::ProcessStdio stdio,
                                                    bool sync_at_exit) {
  reaper_.watch(pid);
  auto process = std::make_shared<ManagedProcess>(pid, std::move(stdio));
  processes_[exec_id] = process;
  std::thread([process, &reaper = reaper_, sync_at_exit] {
    const int status = reaper.wait_status(process->pid());
    const bool synced = sync_at_exit && sync_within(kSyncAtExitLimit);
    process->set_exited(status, synced);
  }).detach();
  return process;
}

grpc::Status AgentService::CreateContainer(grpc::ServerContext*,
                                           const v1::CreateContainerRequest* request,
                                           v1::CreateContainerResponse* response) {
  return guarded([&] {
    std::lock_guard lock(mutex_);
    if (container_) throw Error("container \"" + container_->id() + "\" already exists in this VM");
    if (request->container_id().empty()) throw Error("CreateContainer: empty container_id");
    std::unique_ptr<ShareMounts> shares;
    // Taken once: a failed create unmounts it with the other shares.
    std::optional<Premount> premount = std::exchange(options_.premount, std::nullopt);
    if (options_.mount_shares) shares = std::make_unique<ShareMounts>(request->shares(), premount);
    container::CreateOptions create;
    create.id = request->container_id();
    create.spec = oci::parse_spec(request->spec_json());
    if (options_.place_devices) {
      std::vector<GuestDisk> disks;
      for (const auto& block : request->block_devices())
        disks.push_back({block.serial(), block.host_major(), block.host_minor()});
      place_devices(create.spec, disks);
    }
    create.state_json = request->state_json();
    create.cgroup_root = options_.cgroup_root;
    // With its own pid namespace, the init's end is the container's end.
    const bool sync_at_exit = options_.sync_after_container && owns_pid_namespace(create.spec);
    auto created = options_.create_container(std::move(create), reaper_);
    pid_t pid = created->init_pid();
    processes_.clear();
    track("", pid, created->take_init_stdio(), sync_at_exit);
    container_ = std::move(created);
    shares_ = std::move(shares);
    response->set_pid(pid);
  });
}

grpc::Status AgentService::StartContainer(grpc::ServerContext*, const v1::ContainerRef* request,
                                          v1::Empty*) {
  return guarded([&] {
    std::lock_guard lock(mutex_);
    container_for(request->container_id()).start();
  });
}

grpc::Status AgentService::DeleteContainer(grpc::ServerContext*, const v1::ContainerRef* request,
                                           v1::Empty*) {
  return guarded([&] {
    std::lock_guard lock(mutex_);
    container_for(request->container_id()).destroy();
    for (auto& [exec_id, process] : processes_) reaper_.forget(process->pid());
    processes_.clear();
    container_.reset();
    shares_.reset();
  });
}

grpc::Status AgentService::ExecProcess(grpc::ServerContext*, const v1::ExecProcessRequest* request,
                                       v1::ExecProcessResponse* response) {
  return guarded([&] {
    std::lock_guard lock(mutex_);
    auto& container = container_for(request->container_id());
    if (request->exec_id().empty()) throw Error("ExecProcess: empty exec_id");
    if (auto it = processes_.find(request->exec_id());
        it != processes_.end() && !it->second->exit_status())
      throw Error("exec id \"" + request->exec_id() + "\" is already running");
    oci::Process process = oci::parse_process(request->process_json());
    container::ProcessStdio stdio;
    pid_t pid = container.exec(process, stdio);
    track(request->exec_id(), pid, std::move(stdio));
    response->set_pid(pid);
  });
}

grpc::Status AgentService::SignalProcess(grpc::ServerContext*,
                                         const v1::SignalProcessRequest* request, v1::Empty*) {
  return guarded([&] {
    const auto& ref = request->process();
    if (request->pid() != 0) return signal_member(*request);
    if (ref.exec_id().empty()) {
      std::lock_guard lock(mutex_);
      container_for(ref.container_id()).signal(request->signal(), request->all());
      return;
    }
    auto process = process_for(ref);
    if (process->exit_status()) return;  // already gone: as kill(1) of a zombie
    check_syscall(::kill(process->pid(), request->signal()),
                  "kill " + std::to_string(process->pid()));
  });
}

grpc::Status AgentService::Pause(grpc::ServerContext*, const v1::ContainerRef* request,
                                 v1::Empty*) {
  return guarded([&] {
    std::lock_guard lock(mutex_);
    container_for(request->container_id()).pause();
  });
}

grpc::Status AgentService::Resume(grpc::ServerContext*, const v1::ContainerRef* request,
                                  v1::Empty*) {
  return guarded([&] {
    std::lock_guard lock(mutex_);
    container_for(request->container_id()).resume();
  });
}

grpc::Status AgentService::UpdateResources(grpc::ServerContext*,
                                           const v1::UpdateResourcesRequest* request, v1::Empty*) {
  return guarded([&] {
    std::lock_guard lock(mutex_);
    auto& container = container_for(request->container_id());
    container.update(oci::parse_resources(request->resources_json()));
  });
}

grpc::Status AgentService::Stats(grpc::ServerContext*, const v1::ContainerRef* request,
                                 v1::StatsResponse* response) {
  return guarded([&] {
    container::CgroupStats s;
    {
      std::lock_guard lock(mutex_);
      s = container_for(request->container_id()).stats();
    }
    response->set_cpu_usage_usec(s.cpu_usage_usec);
    response->set_cpu_user_usec(s.cpu_user_usec);
    response->set_cpu_system_usec(s.cpu_system_usec);
    response->set_cpu_throttled_periods(s.cpu_throttled_periods);
    response->set_cpu_throttled_usec(s.cpu_throttled_usec);
    response->set_memory_usage_bytes(s.memory_usage_bytes);
    response->set_memory_limit_bytes(s.memory_limit_bytes);
    response->set_memory_max_usage_bytes(s.memory_max_usage_bytes);
    response->set_memory_cache_bytes(s.memory_cache_bytes);
    response->set_pids_current(s.pids_current);
    response->set_pids_limit(s.pids_limit);
    response->set_io_read_bytes(s.io_read_bytes);
    response->set_io_write_bytes(s.io_write_bytes);
    response->set_memory_oom_kills(s.memory_oom_kills);
    for (const auto& [key, value] : s.memory_stat) (*response->mutable_memory_stat())[key] = value;
  });
}

grpc::Status AgentService::ListProcesses(grpc::ServerContext*, const v1::ContainerRef* request,
                                         v1::ListProcessesResponse* response) {
  return guarded([&] { *response = process_list(request->container_id()); });
}

}  // namespace chrunc::agent
