#pragma once
// Helpers shared by the lifecycle_*.cpp commands. Internal to runtime/.

#include <sys/types.h>

#include <chrono>
#include <string>

#include "oci/spec.hpp"
#include "oci/state.hpp"
#include "runtime/cli/lifecycle.hpp"
#include "runtime/store/state_store.hpp"

namespace chrunc::runtime {

StateStore open_store(const GlobalOptions& global);
// Applies --log/--log-format/--debug of the CLI invocation (no-op when unset).
void apply_logging(const GlobalOptions& global);

// The spec create saved in the state dir (config.json as given at create time).
oci::Spec load_saved_spec(const StateStore& store, const std::string& id);

// Waits until the monitor is gone (zombies count as gone), at most `timeout`.
bool wait_monitor_gone(const ContainerRecord& record, std::chrono::milliseconds timeout);

// Stops what is left of a container whose monitor was asked to shut down (or
// is gone): SIGKILLs a monitor that outlived `grace`, removes the host cgroup,
// runs poststop hooks (failures warn), removes the state dir.
void remove_container(const StateStore& store, const ContainerRecord& record,
                      std::chrono::milliseconds grace);

// create: returns the monitor's pid (a child of the caller). With
// `foreground` (run without --detach) a terminal without --console-socket
// uses the caller's own stdio.
pid_t create_with_monitor(const GlobalOptions& global, const CreateOptions& options,
                          bool foreground);

// --preserve-fds N and, for create/run (`socket_activation`), LISTEN_FDS
// meant for this process (LISTEN_PID is our pid, systemd's convention): runc
// hands those host fds to the container's process. A VM cannot receive host
// fds, so any of them is refused, naming why (docs/deviations.md), rather
// than dropped.
void refuse_passed_fds(unsigned preserve_fds, bool socket_activation);

// runc's wording for a status in errors ("running", "created", ...).
std::string status_name(Status status);

// Reads a whole file ("-" is stdin); throws naming it.
std::string read_text_file(const std::string& path);

// A short random hex string (exec ids).
std::string random_hex(size_t bytes);

}  // namespace chrunc::runtime
