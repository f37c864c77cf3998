// `start`: the parked init runs (monitor -> agent StartContainer), then the
// poststart hooks (failures warn).
#include "common/error.hpp"
#include "runtime/cli/control_client.hpp"
#include "runtime/cli/hooks.hpp"
#include "runtime/cli/lifecycle_common.hpp"
#include "runtime/store/container_status.hpp"

namespace chrunc::runtime {

void start_container(const GlobalOptions& global, const std::string& id) {
  StateStore store = open_store(global);
  ContainerLock lock = store.lock(id);
  ContainerRecord record = store.load(id);
  switch (effective_status(store, record)) {
    case Status::kCreated:
      break;
    case Status::kStopped:
      throw Error("cannot start a container that has stopped");
    case Status::kRunning:
      throw Error("cannot start an already running container");
    case Status::kPaused:
      throw Error("cannot start a paused container");
    case Status::kCreating:
      throw Error("cannot start a container that is still being created");
  }
  oci::Spec spec = load_saved_spec(store, id);
  if (!spec.process)
    throw Error("cannot start container " + id + ": config.json has no \"process\"");
  call_monitor(store.dir(id), "start", kMonitorSlowAnswerTimeout);
  if (spec.hooks && !spec.hooks->poststart.empty()) {
    std::string state = oci::write_state_compact(record_state(record, Status::kRunning));
    run_hooks_warn(spec.hooks->poststart, state, "poststart");
  }
}

}  // namespace chrunc::runtime
