#pragma once
// The agent's gRPC service (agent/agent.proto): one container per VM, created
// with the container library; its init and exec processes by exec_id ("" is
// init). The RPCs are spread over a file per group:
//   container_rpcs.cpp  CreateContainer, StartContainer, DeleteContainer, ExecProcess,
//                       SignalProcess, Pause, Resume, UpdateResources, Stats, ListProcesses
//   process_watch_rpcs.cpp WatchProcesses, SignalProcess by guest pid
//   process_io_rpcs.cpp WaitProcess, WriteStdin, CloseStdin, ReadOutput, ResizeTty
//   system_rpcs.cpp     Health, SetTime, Shutdown, ConfigureInterfaces
//   dns_relay_rpc.cpp   RelayDns

#include <functional>
#include <map>
#include <memory>
#include <mutex>
#include <optional>
#include <string>

#include "agent/agent.grpc.pb.h"
#include "agent/container/container.hpp"
#include "agent/server/child_reaper.hpp"
#include "agent/server/managed_process.hpp"
#include "agent/server/share_mounts.hpp"

namespace chrunc::agent {

struct ServiceOptions {
  // Container::create in the guest; tests inject their own.
  std::function<std::unique_ptr<container::Container>(container::CreateOptions,
                                                      container::ProcessReaper&)>
      create_container;
  // Mounts virtiofs shares (the guest); tests leave it off.
  bool mount_shares = true;
  // A share mounted before the first container (a standby's): the first
  // CreateContainer takes it over when it asks for that share.
  std::optional<Premount> premount;
  // Places the spec's devices on this VM's (guest_devices.hpp); tests leave it off.
  bool place_devices = true;
  // Called (from its own thread) shortly after Shutdown has been answered.
  std::function<void()> power_off;
  // When a container's init with its own pid namespace ends, the guest's
  // file systems are synced before its exit is reported (container_synced in
  // agent.proto): the guest; tests leave it off.
  bool sync_after_container = false;
  // Where the container's cgroup tree lives.
  std::string cgroup_root = "/sys/fs/cgroup";
  // The port RelayDns listens on (tests use another).
  uint16_t dns_port = 53;
};

class AgentService final : public v1::Agent::Service {
 public:
  AgentService(ServiceOptions options, ChildReaper& reaper);
  ~AgentService() override;

  grpc::Status Health(grpc::ServerContext*, const v1::HealthRequest*, v1::HealthResponse*) override;
  grpc::Status CreateContainer(grpc::ServerContext*, const v1::CreateContainerRequest*,
                               v1::CreateContainerResponse*) override;
  grpc::Status StartContainer(grpc::ServerContext*, const v1::ContainerRef*, v1::Empty*) override;
  grpc::Status DeleteContainer(grpc::ServerContext*, const v1::ContainerRef*, v1::Empty*) override;
  grpc::Status ExecProcess(grpc::ServerContext*, const v1::ExecProcessRequest*,
                           v1::ExecProcessResponse*) override;
  grpc::Status SignalProcess(grpc::ServerContext*, const v1::SignalProcessRequest*,
                             v1::Empty*) override;
  grpc::Status WaitProcess(grpc::ServerContext*, const v1::ProcessRef*,
                           v1::WaitProcessResponse*) override;
  grpc::Status WriteStdin(grpc::ServerContext*, grpc::ServerReader<v1::StdinChunk>*,
                          v1::Empty*) override;
  grpc::Status CloseStdin(grpc::ServerContext*, const v1::ProcessRef*, v1::Empty*) override;
  grpc::Status ReadOutput(grpc::ServerContext*, const v1::ProcessRef*,
                          grpc::ServerWriter<v1::OutputChunk>*) override;
  grpc::Status ResizeTty(grpc::ServerContext*, const v1::ResizeTtyRequest*, v1::Empty*) override;
  grpc::Status ListProcesses(grpc::ServerContext*, const v1::ContainerRef*,
                             v1::ListProcessesResponse*) override;
  grpc::Status WatchProcesses(grpc::ServerContext*, const v1::ContainerRef*,
                              grpc::ServerWriter<v1::ListProcessesResponse>*) override;
  grpc::Status Stats(grpc::ServerContext*, const v1::ContainerRef*, v1::StatsResponse*) override;
  grpc::Status Pause(grpc::ServerContext*, const v1::ContainerRef*, v1::Empty*) override;
  grpc::Status Resume(grpc::ServerContext*, const v1::ContainerRef*, v1::Empty*) override;
  grpc::Status UpdateResources(grpc::ServerContext*, const v1::UpdateResourcesRequest*,
                               v1::Empty*) override;
  grpc::Status ConfigureInterfaces(grpc::ServerContext*, const v1::ConfigureInterfacesRequest*,
                                   v1::Empty*) override;
  grpc::Status RelayDns(grpc::ServerContext*,
                        grpc::ServerReaderWriter<v1::DnsQuery, v1::DnsAnswer>*) override;
  grpc::Status SetTime(grpc::ServerContext*, const v1::SetTimeRequest*, v1::Empty*) override;
  grpc::Status Shutdown(grpc::ServerContext*, const v1::Empty*, v1::Empty*) override;

 private:
  // The container, or throws NOT_FOUND-style errors naming the id.
  container::Container& container_for(const std::string& id);
  std::shared_ptr<ManagedProcess> process_for(const v1::ProcessRef& ref);
  // The container's processes, by pid (NotFound when it does not exist).
  v1::ListProcessesResponse process_list(const std::string& container_id);
  // SignalProcess with a guest pid (process_watch_rpcs.cpp).
  void signal_member(const v1::SignalProcessRequest& request);
  // Registers a started process and a thread that records its exit (after a
  // sync of the guest's file systems when `sync_at_exit`).
  std::shared_ptr<ManagedProcess> track(const std::string& exec_id, pid_t pid,
                                        container::ProcessStdio stdio, bool sync_at_exit = false);

  ServiceOptions options_;
  ChildReaper& reaper_;
  std::mutex mutex_;
  std::unique_ptr<container::Container> container_;
  std::unique_ptr<ShareMounts> shares_;
  std::map<std::string, std::shared_ptr<ManagedProcess>> processes_;
};

// Runs `body`; a thrown chrunc::Error (or any exception) becomes a non-OK
// status whose message is "<what>"; NotFound becomes NOT_FOUND.
struct NotFound : std::runtime_error {
  using std::runtime_error::runtime_error;
};
grpc::Status guarded(const std::function<void()>& body);

}  // namespace chrunc::agent
