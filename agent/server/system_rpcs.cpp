// Whole-VM RPCs of AgentService (see agent_service.hpp).
#include <fcntl.h>
#include <linux/random.h>
#include <sys/ioctl.h>
#include <sys/utsname.h>
#include <time.h>
#include <unistd.h>

#include <chrono>
#include <cstring>
#include <thread>
#include <vector>

#include "agent/network/guest_network.hpp"
#include "agent/server/agent_service.hpp"
#include "build_config.hpp"
#include "common/error.hpp"
#include "common/unique_fd.hpp"

namespace chrunc::agent {

grpc::Status AgentService::Health(grpc::ServerContext*, const v1::HealthRequest*,
                                  v1::HealthResponse* response) {
  response->set_version(build::kVersion);
  utsname names{};
  if (::uname(&names) == 0) response->set_kernel_release(names.release);
  return grpc::Status::OK;
}

namespace {

constexpr size_t kMaxEntropyBytes = 512;

// Mixes `bytes` into the kernel's pool and credits them (RNDADDENTROPY).
void add_entropy(const std::string& bytes) {
  if (bytes.empty()) return;
  if (bytes.size() > kMaxEntropyBytes) throw Error("SetTime: more than 512 bytes of entropy");
  // rand_pool_info ends in a flexible array: header and bytes in one buffer.
  std::vector<unsigned char> buffer(sizeof(rand_pool_info) + bytes.size());
  auto* info = reinterpret_cast<rand_pool_info*>(buffer.data());
  info->entropy_count = static_cast<int>(bytes.size() * 8);
  info->buf_size = static_cast<int>(bytes.size());
  std::memcpy(buffer.data() + sizeof(rand_pool_info), bytes.data(), bytes.size());
  UniqueFd random(::open("/dev/urandom", O_WRONLY | O_CLOEXEC));
  if (!random) throw_errno("SetTime: open /dev/urandom");
  check_syscall(::ioctl(random.get(), RNDADDENTROPY, info), "RNDADDENTROPY");
}

}  // namespace

grpc::Status AgentService::SetTime(grpc::ServerContext*, const v1::SetTimeRequest* request,
                                   v1::Empty*) {
  return guarded([&] {
    if (request->nanoseconds() < 0 || request->nanoseconds() >= 1000000000)
      throw Error("SetTime: nanoseconds out of range");
    if (request->entropy().size() > kMaxEntropyBytes)
      throw Error("SetTime: more than 512 bytes of entropy");
    timespec now{static_cast<time_t>(request->seconds()),
                 static_cast<long>(request->nanoseconds())};
    check_syscall(::clock_settime(CLOCK_REALTIME, &now), "clock_settime");
    add_entropy(request->entropy());
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
