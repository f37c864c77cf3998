#include "runtime/store/container_status.hpp"

#include <fcntl.h>
#include <pwd.h>
#include <sys/file.h>
#include <sys/stat.h>

#include "common/error.hpp"
#include "common/unique_fd.hpp"
#include "oci/version.hpp"

namespace chrunc::runtime {
namespace {

// True when nobody holds the container's exclusive lock (its creator is gone).
bool lock_is_free(const StateStore& store, const std::string& id) {
  UniqueFd fd(::open((store.dir(id) / "lock").c_str(), O_RDONLY | O_CLOEXEC));
  if (!fd) return true;
  return ::flock(fd.get(), LOCK_SH | LOCK_NB) == 0;  // released when fd closes
}

// runc list's OWNER: the user owning the container's state directory ("#<uid>" when unnamed).
std::string directory_owner(const StateStore& store, const std::string& id) {
  struct stat st {};
  if (::stat(store.dir(id).c_str(), &st) != 0) return "";
  struct passwd pw {};
  struct passwd* found = nullptr;
  char buffer[4096];
  if (::getpwuid_r(st.st_uid, &pw, buffer, sizeof buffer, &found) == 0 && found != nullptr) {
    return found->pw_name;
  }
  return "#" + std::to_string(st.st_uid);
}

}  // namespace

Status effective_status(const StateStore& store, const ContainerRecord& record) {
  if (record.status == Status::kStopped) return Status::kStopped;
  if (record.monitor_pid > 0) {
    return monitor_alive(record.monitor_pid, record.monitor_start_time) ? record.status
                                                                        : Status::kStopped;
  }
  // No monitor yet: only `creating` is legitimate, and only while create holds the lock.
  if (record.status == Status::kCreating && !lock_is_free(store, record.id)) {
    return Status::kCreating;
  }
  return Status::kStopped;
}

oci::State record_state(const ContainerRecord& record, Status status) {
  oci::State state;
  state.oci_version = oci::kSpecVersion;
  state.id = record.id;
  state.status = to_string(status);
  state.pid = status == Status::kStopped ? 0 : record.monitor_pid;
  state.bundle = record.bundle.string();
  state.rootfs = record.rootfs.string();
  state.created = record.created;
  state.owner = record.owner;
  state.annotations = record.annotations;
  return state;
}

oci::State container_state(const StateStore& store, const std::string& id) {
  const ContainerRecord record = store.load(id);
  return record_state(record, effective_status(store, record));
}

std::vector<oci::State> list_states(const StateStore& store) {
  std::vector<oci::State> states;
  for (const std::string& id : store.list_ids()) {
    try {
      oci::State state = container_state(store, id);
      if (state.owner.empty()) state.owner = directory_owner(store, id);
      states.push_back(std::move(state));
    } catch (const Error&) {
      // Being created, removed meanwhile or unreadable: runc skips such entries too.
    }
  }
  return states;
}

}  // namespace chrunc::runtime
