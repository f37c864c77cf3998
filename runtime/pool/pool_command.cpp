#include "runtime/pool/pool_command.hpp"

#include <fcntl.h>

#include <cstdio>
#include <filesystem>
#include <string>
#include <thread>
#include <vector>

#include "common/error.hpp"
#include "common/unique_fd.hpp"
#include "runtime/cli/lifecycle.hpp"
#include "runtime/monitor/vm_backend.hpp"
#include "runtime/pool/claim.hpp"
#include "runtime/pool/detached_spawn.hpp"
#include "runtime/pool/pool_dir.hpp"
#include "runtime/pool/standby.hpp"
#include "runtime/store/state_store.hpp"
#include "vmm/host_config.hpp"

namespace chrunc::runtime::pool {
namespace {

using namespace std::chrono_literals;

constexpr auto kLockWait = 30s;
// Written by drain, removed by an explicit fill: while it is there, the
// refills create starts (`fill --refill`) do nothing, so that a drain is not
// undone by a create that finished just before it.
constexpr const char* kDrainedMarker = "drained";

struct Counts {
  size_t ready = 0, booting = 0, claimed = 0;
};

Counts count(const std::vector<Slot>& slots) {
  Counts c;
  for (const Slot& slot : slots) {
    if (slot.state == SlotState::kReady) ++c.ready;
    if (slot.state == SlotState::kBooting) ++c.booting;
    if (slot.state == SlotState::kClaimed) ++c.claimed;
  }
  return c;
}

std::string shape_text(const StandbyShape& s) {
  std::string text = s.hypervisor + " " + std::to_string(s.vcpus) + " vCPU " +
                     std::to_string(s.memory_mib) + " MiB " + std::to_string(s.nics) + " NICs";
  // Only TCG translates code (with KVM the setting has no effect).
  if (s.hypervisor == "qemu-tcg")
    text += " " + std::to_string(s.tcg_cache_mib) + " MiB translation cache";
  return text;
}

int status(const vmm::HostConfig& config) {
  PoolDir pool(config.pool.dir);
  size_t reaped;
  std::vector<Slot> slots;
  {
    PoolLock lock = pool.lock(kLockWait);
    reaped = pool.reap_dead(lock);
    slots = pool.slots();
  }
  Counts c = count(slots);
  std::printf(
      "pool: %s\nsize: %u\nshape: %u vCPU %llu MiB %u NICs, %llu MiB translation cache under "
      "TCG\n",
      config.pool.dir.c_str(), config.pool.size, config.pool.vcpus,
      static_cast<unsigned long long>(config.pool.memory_mib), config.pool.nics,
      static_cast<unsigned long long>(config.pool.tcg_translation_cache_mib));
  std::printf("ready: %zu\nbooting: %zu\nclaimed: %zu\nreaped: %zu\n", c.ready, c.booting,
              c.claimed, reaped);
  for (const Slot& slot : slots)
    std::printf("standby %s %s pid %d %s\n", slot.name.c_str(), slot_state_name(slot.state),
                slot.record ? slot.record->standby.pid : 0,
                slot.record ? shape_text(slot.record->shape).c_str() : "?");
  return 0;
}

// Starts the standbys the pool lacks; returns how many.
size_t fill(const vmm::HostConfig& config, bool refill) {
  if (config.pool.size == 0) return 0;
  const VmHost host = resolve_vm_host();
  if (host.backend.kind == vmm::BackendChoice::Kind::CloudHypervisor)
    throw Error("pool: standbys run QEMU only; this host's backend is cloud-hypervisor");
  const StandbyShape shape{shape_hypervisor(host), config.pool.vcpus, config.pool.memory_mib,
                           config.pool.nics, config.pool.tcg_translation_cache_mib};
  PoolDir pool(config.pool.dir);
  PoolLock lock = pool.lock(kLockWait);
  const auto marker = pool.path() / kDrainedMarker;
  if (refill && std::filesystem::exists(marker)) return 0;
  std::filesystem::remove(marker);
  pool.reap_dead(lock);
  Counts c = count(pool.slots());
  size_t have = c.ready + c.booting, started = 0;
  const std::string program = monitor_binary().string();
  for (; have + started < config.pool.size; ++started) {
    const std::string name = PoolDir::new_slot_name();
    std::vector<std::string> args = {kMonitorBinary,           kStandbyCommand, "--pool",
                                     config.pool.dir.string(), "--slot",        name};
    // A refill boots beside the container that claimed: it gives way
    // (cpu_priority.hpp). `pool fill` is asked for, and waited on.
    if (refill) args.push_back("--background");
    pid_t pid = spawn_detached(program, std::move(args), helper_environment());
    StandbyRecord record;
    record.standby = {pid, process_start_time(pid)};
    record.shape = shape;
    pool.add_booting(lock, name, record);
  }
  return started;
}

// Waits until no standby is booting (each ends ready or dead).
void wait_booted(const vmm::HostConfig& config) {
  PoolDir pool(config.pool.dir);
  const auto until =
      std::chrono::steady_clock::now() + std::chrono::seconds(config.boot_timeout_s + 600);
  for (;;) {
    bool booting = false;
    for (const Slot& slot : pool.slots())
      if (slot.state == SlotState::kBooting && standby_alive(slot)) booting = true;
    if (!booting) return;
    if (std::chrono::steady_clock::now() > until)
      throw Error("pool fill --wait: standbys still booting");
    std::this_thread::sleep_for(200ms);
  }
}

int drain(const vmm::HostConfig& config) {
  PoolDir pool(config.pool.dir);
  PoolLock lock = pool.lock(kLockWait);
  if (UniqueFd marker(::open((pool.path() / kDrainedMarker).c_str(),
                             O_WRONLY | O_CREAT | O_CLOEXEC | O_NOFOLLOW, 0600));
      !marker)
    throw_errno("pool: create " + (pool.path() / kDrainedMarker).string());
  size_t drained = 0;
  for (const Slot& slot : pool.slots()) {
    if (slot.state == SlotState::kClaimed) continue;  // a container's VM
    pool.reap(lock, slot);
    ++drained;
  }
  pool.reap_dead(lock);
  std::printf("drained: %zu\n", drained);
  return 0;
}

}  // namespace

int pool_main(int argc, char** argv) {
  std::vector<std::string> args(argv + 2, argv + argc);
  const std::string verb = args.empty() ? "" : args[0];
  bool wait = false, quiet = false, refill = false;
  for (size_t i = 1; i < args.size(); ++i) {
    if (args[i] == "--wait" && verb == "fill") {
      wait = true;
    } else if (args[i] == "--quiet" && verb == "fill") {
      quiet = true;
    } else if (args[i] == "--refill" && verb == "fill") {
      refill = true;
    } else {
      std::fprintf(stderr, "ch-runc pool: unknown argument %s\n", args[i].c_str());
      return 2;
    }
  }
  try {
    const vmm::HostConfig config = vmm::load_host_config();
    if (verb == "status") return status(config);
    if (verb == "drain") return drain(config);
    if (verb == "fill") {
      if (config.pool.size == 0) {
        if (!quiet) std::printf("started: 0 (no pool configured: pool.size is 0)\n");
        return 0;
      }
      size_t started = fill(config, refill);
      if (!quiet) std::printf("started: %zu\n", started);
      if (wait) {
        std::fflush(stdout);
        wait_booted(config);
        return status(config);
      }
      return 0;
    }
    std::fprintf(stderr, "usage: ch-runc pool status|fill [--wait]|drain\n");
    return 2;
  } catch (const std::exception& e) {
    if (!quiet) std::fprintf(stderr, "ch-runc pool: %s\n", e.what());
    return 1;
  }
}

}  // namespace chrunc::runtime::pool
