// Whole-VM RPCs of AgentService (see agent_service.hpp).
#include <sys/utsname.h>
#include <time.h>
#include <unistd.h>

#include <chrono>
#include <thread>

#include "agent/network/guest_network.hpp"
#include "agent/server/agent_service.hpp"
#include "build_config.hpp"
#include "common/error.hpp"

namespace chrunc::agent {

grpc::Status AgentService::Health(grpc::ServerContext*, const v1::HealthRequest*,
                                  v1::HealthResponse* response) {
  response->set_version(build::kVersion);
  utsname names{};
  if (::uname(&names) == 0) response->set_kernel_release(names.release);
  return grpc::Status::OK;
}

grpc::Status AgentService::SetTime(grpc::ServerContext*, const v1::SetTimeRequest* request,
                                   v1::Empty*) {
  return guarded([&] {
    if (request->nanoseconds() < 0 || request->nanoseconds() >= 1000000000)
      throw Error("SetTime: nanoseconds out of range");
    timespec now{static_cast<time_t>(request->seconds()),
                 static_cast<long>(request->nanoseconds())};
    check_syscall(::clock_settime(CLOCK_REALTIME, &now), "clock_settime");
  });
}

grpc::Status AgentService::Shutdown(grpc::ServerContext*, const v1::Empty*, v1::Empty*) {
  ::sync();
  if (options_.power_off) {
    // Give gRPC time to send the reply before the VM goes away.
    std::thread([power_off = options_.power_off] {
      std::this_thread::sleep_for(std::chrono::milliseconds(200));
      power_off();
    }).detach();
  }
  return grpc::Status::OK;
}

grpc::Status AgentService::ConfigureInterfaces(grpc::ServerContext*,
                                               const v1::ConfigureInterfacesRequest* request,
                                               v1::Empty*) {
  return guarded([&] { configure_guest_network(*request); });
}

}  // namespace chrunc::agent
