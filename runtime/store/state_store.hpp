#pragma once
// The state store: <root>/<id>/ (mode 0700) per container, holding
// container.json (the record below, written atomically: write + rename), the
// monitor's control socket monitor.sock (0600) and the VMM's sockets and logs.
// Every mutating command holds the container's exclusive lock (flock on
// <root>/<id>/lock) for its whole duration.

#include <sys/types.h>

#include <cstdint>
#include <filesystem>
#include <map>
#include <optional>
#include <string>
#include <vector>

#include "common/unique_fd.hpp"

namespace chrunc::runtime {

// Throws chrunc::Error unless id matches runc's rule ^[\w+\-\.]+$ and is not "." or "..".
void validate_container_id(const std::string& id);

// Statuses as the OCI state knows them, plus "creating" while create runs.
enum class Status { kCreating, kCreated, kRunning, kPaused, kStopped };
const char* to_string(Status status);
Status status_from_string(const std::string& text);

struct ContainerRecord {
  std::string id;
  std::filesystem::path bundle;  // absolute
  std::filesystem::path rootfs;  // absolute
  Status status = Status::kCreating;
  pid_t monitor_pid = 0;            // state.pid
  uint64_t monitor_start_time = 0;  // field 22 of /proc/<pid>/stat, against pid reuse
  // The VMM, a child of the monitor (host pid and start time): `delete` ends
  // it from the host when the monitor does not.
  pid_t vmm_pid = 0;
  uint64_t vmm_start_time = 0;
  std::string created;  // RFC 3339 with nanoseconds, UTC
  std::string owner;    // "" as runc prints for root
  std::map<std::string, std::string> annotations;
  std::optional<int> exit_code;  // set by the monitor when init exited
  std::string cgroups_path;      // host cgroup the monitor created (for delete)
};

// An exclusive lock on one container id; released on destruction.
class ContainerLock {
 public:
  explicit ContainerLock(UniqueFd fd) : fd_(std::move(fd)) {}

 private:
  UniqueFd fd_;
};

class StateStore {
 public:
  explicit StateStore(std::filesystem::path root);

  const std::filesystem::path& root() const { return root_; }
  std::filesystem::path dir(const std::string& id) const;

  // Creates <root>/<id> (0700) exclusively and returns its lock.
  // Throws `container with id exists: <id>` if it exists.
  ContainerLock reserve(const std::string& id);
  // Locks an existing container; throws `container "<id>" does not exist`.
  ContainerLock lock(const std::string& id);

  ContainerRecord load(const std::string& id) const;  // throws when missing or unreadable
  void save(const ContainerRecord& record) const;     // atomic
  void remove(const std::string& id) const;           // the whole directory
  std::vector<std::string> list_ids() const;

 private:
  std::filesystem::path root_;
};

// Whether the process with this pid and start time is still the monitor (not a reused pid).
bool monitor_alive(pid_t pid, uint64_t start_time);
// Field 22 (starttime) of /proc/<pid>/stat, 0 when the process is gone.
uint64_t process_start_time(pid_t pid);

}  // namespace chrunc::runtime
