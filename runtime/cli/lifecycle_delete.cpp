// `delete`: a stopped or created container is removed (a created one is
// killed first, as runc and containerd's shim expect); a running or paused
// one needs --force. Everything goes: monitor, VMM, virtiofsd, cgroup, state
// dir; poststop hooks run (failures warn).
#include <cerrno>
#include <optional>

#include "common/error.hpp"
#include "runtime/cli/control_client.hpp"
#include "runtime/cli/lifecycle_common.hpp"
#include "runtime/store/container_status.hpp"

namespace chrunc::runtime {

using namespace std::chrono_literals;

void delete_container(const GlobalOptions& global, const std::string& id, bool force) {
  StateStore store = open_store(global);
  validate_container_id(id);
  std::optional<ContainerLock> lock;
  try {
    lock.emplace(store.lock(id));
  } catch (const Error& e) {
    // runc: `delete --force` of a container that does not exist succeeds
    // (containerd's shim and engines clean up with it after failed creates).
    if (force && e.sys_errno() == ENOENT) return;
    throw;
  }
  ContainerRecord record = store.load(id);
  Status status = effective_status(store, record);
  if ((status == Status::kRunning || status == Status::kPaused) && !force)
    throw Error("cannot delete container " + id + " that is not stopped: " + status_name(status));
  if (record.monitor_pid > 0 && monitor_alive(record.monitor_pid, record.monitor_start_time)) {
    try {
      // Answered at once by a working monitor, whatever its guest does.
      call_monitor(store.dir(id), "shutdown", 10s);
    } catch (const Error&) {
      // Already tearing down (socket gone) or wedged: remove_container waits, then kills it.
    }
  }
  remove_container(store, record, 15s);
}

}  // namespace chrunc::runtime
