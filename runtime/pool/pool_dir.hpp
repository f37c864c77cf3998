#pragma once
// The warm pool's directory (docs/warm-pool.md), 0700, root's:
//
//   lock                 flock(2) held by whoever changes the slots below
//   booting-<name>/      a standby booting: `standby` (its record), claim.sock
//   ready-<name>/        booted, waiting for one container
//   claimed-<name>/      taken by a container (its VM is that container's)
//   vm-<name>/           the standby's own files: share, sockets, logs
//
// A standby is claimed by renaming ready-<name> to claimed-<name> under the
// lock: two `create`s never take the same one. A standby whose process is
// gone (pid and start time, host_process.hpp) is reaped: its recorded
// processes killed, its directories removed.

#include <sys/types.h>

#include <chrono>
#include <cstdint>
#include <filesystem>
#include <optional>
#include <string>
#include <vector>

#include "common/unique_fd.hpp"
#include "runtime/host/host_process.hpp"

namespace chrunc::runtime::pool {

// The VM a standby booted, compared with the one a container needs.
struct StandbyShape {
  std::string hypervisor;  // "qemu" (the only one served warm)
  unsigned vcpus = 0;
  uint64_t memory_mib = 0;
  unsigned nics = 0;
  // QEMU under TCG: its translation cache (pool.tcg_translation_cache_mib
  // when it was started). Compared, so that a standby booted under another
  // config is not taken by a container the current config's rules admit.
  uint64_t tcg_cache_mib = 0;
  // Serves `wanted`: the same hypervisor, vCPUs, memory and translation
  // cache, at least its NICs.
  bool serves(const StandbyShape& wanted) const;
};

// The `standby` file of a slot.
struct StandbyRecord {
  ProcessIdentity standby;  // the __standby process
  StandbyShape shape;
  ProcessIdentity vmm, virtiofsd;  // 0 until booted
};
std::string format_standby_record(const StandbyRecord& record);
// Throws chrunc::Error on anything malformed.
StandbyRecord parse_standby_record(const std::string& text);

enum class SlotState { kBooting, kReady, kClaimed };
const char* slot_state_name(SlotState state);

struct Slot {
  std::string name;
  SlotState state = SlotState::kBooting;
  std::filesystem::path dir;            // <pool>/<state>-<name>
  std::optional<StandbyRecord> record;  // nullopt: missing or malformed
};

// The pool's lock, released on destruction.
class PoolLock {
 public:
  PoolLock() = default;
  explicit PoolLock(UniqueFd fd) : fd_(std::move(fd)) {}
  bool held() const { return static_cast<bool>(fd_); }

 private:
  UniqueFd fd_;
};

class PoolDir {
 public:
  // Creates the directory (0700) when missing; refuses one that is not a
  // directory owned by the caller with no access for others.
  explicit PoolDir(std::filesystem::path dir);
  const std::filesystem::path& path() const { return dir_; }

  // Waits at most `deadline` for the lock; throws chrunc::Error past it.
  PoolLock lock(std::chrono::milliseconds deadline) const;

  // Every slot, sorted by name (the lock need not be held).
  std::vector<Slot> slots() const;

  // A fresh random slot name (16 hex digits).
  static std::string new_slot_name();
  // Under the lock: a new booting-<name>/ (0700) holding `record`, and its
  // vm-<name>/ directory. Returns the slot.
  Slot add_booting(const PoolLock& lock, const std::string& name,
                   const StandbyRecord& record) const;
  // The slot named `name` in whatever state, if any.
  std::optional<Slot> find(const std::string& name) const;
  // Rewrites the slot's record (e.g. once the VMM runs).
  void update_record(const Slot& slot, const StandbyRecord& record) const;
  // booting-<name> -> ready-<name>, under the lock. Throws when it is gone
  // (reaped or drained meanwhile).
  Slot mark_ready(const PoolLock& lock, const Slot& slot) const;
  // Under the lock: the first ready standby (by name) that is alive and
  // serves `wanted`, renamed to claimed-<name>; dead ones met on the way are
  // reaped. nullopt when there is none.
  std::optional<Slot> claim(const PoolLock& lock, const StandbyShape& wanted) const;

  // Removes the slot's directories, killing nothing (a standby's own end).
  void forget(const PoolLock& lock, const Slot& slot) const;
  // Kills the slot's recorded processes and removes its directories.
  void reap(const PoolLock& lock, const Slot& slot) const;
  // Reaps every slot whose standby is gone (and vm- directories of no
  // slot); returns how many slots.
  size_t reap_dead(const PoolLock& lock) const;

  // <pool>/vm-<name>
  std::filesystem::path vm_dir(const std::string& name) const { return dir_ / ("vm-" + name); }

 private:
  std::filesystem::path dir_;
};

// Whether the slot's standby process is alive (pid and start time).
bool standby_alive(const Slot& slot);

}  // namespace chrunc::runtime::pool
