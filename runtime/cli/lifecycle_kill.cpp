// `kill`: a signal to the container's init (or all its processes) through the monitor.
#include "common/error.hpp"
#include "runtime/cli/control_client.hpp"
#include "runtime/cli/lifecycle_common.hpp"
#include "runtime/store/container_status.hpp"

namespace chrunc::runtime {

void kill_container(const GlobalOptions& global, const std::string& id, int signal, bool all) {
  StateStore store = open_store(global);
  ContainerRecord record = store.load(id);
  Status status = effective_status(store, record);
  if (status == Status::kStopped || status == Status::kCreating)
    throw Error("container not running");
  rapidjson::Document request(rapidjson::kObjectType);
  auto& a = request.GetAllocator();
  request.AddMember("command", "kill", a);
  request.AddMember("signal", signal, a);
  request.AddMember("all", all, a);
  MonitorClient client(store.dir(id));
  client.call(request);
}

}  // namespace chrunc::runtime
