#include "runtime/pool/claim.hpp"

#include <poll.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <unistd.h>

#include <algorithm>
#include <cstring>
#include <sstream>
#include <thread>

#include "common/error.hpp"
#include "common/fd_passing.hpp"
#include "common/log.hpp"
#include "runtime/monitor/monitor_boot.hpp"
#include "runtime/monitor/vm_sizing.hpp"
#include "runtime/pool/standby_wire.hpp"
#include "runtime/store/state_store.hpp"

namespace chrunc::runtime::pool {
namespace {

namespace fs = std::filesystem;
using namespace std::chrono_literals;

// How long a claim waits for the pool's lock before booting cold.
constexpr auto kClaimLockWait = 2s;
// How long the standby has to answer a hand-over (it mounts, joins the
// cgroup, connects to the agent).
constexpr int kAnswerMs = 15000;
// How long release() waits for the standby to stop the VM.
constexpr int kReleaseMs = 10000;

UniqueFd connect_seqpacket(const fs::path& path) {
  UniqueFd fd(::socket(AF_UNIX, SOCK_SEQPACKET | SOCK_CLOEXEC, 0));
  if (!fd) throw_errno("socket");
  sockaddr_un address{};
  address.sun_family = AF_UNIX;
  if (path.string().size() >= sizeof address.sun_path)
    throw Error("pool: socket path too long: " + path.string());
  std::strncpy(address.sun_path, path.c_str(), sizeof address.sun_path - 1);
  if (::connect(fd.get(), reinterpret_cast<sockaddr*>(&address), sizeof address) != 0)
    throw_errno("pool: connect " + path.string());
  return fd;
}

// One message within `timeout_ms`; empty at end of file.
ReceivedData receive(int fd, std::string& text, int timeout_ms, size_t max_fds) {
  pollfd p{fd, POLLIN, 0};
  int ready;
  do {
    ready = ::poll(&p, 1, timeout_ms);
  } while (ready < 0 && errno == EINTR);
  if (ready == 0)
    throw Error("the standby did not answer within " + std::to_string(timeout_ms / 1000) + " s");
  text.assign(kWireMax, '\0');
  ReceivedData got = receive_with_fds(fd, text, max_fds, "pool: receive from the standby");
  text.resize(got.bytes);
  return got;
}

bool joins_or_makes(const oci::Spec& spec, const std::string& type, bool with_path) {
  if (!spec.linux) return false;
  for (const auto& ns : spec.linux->namespaces)
    if (ns.type == type && (!with_path || !ns.path.empty())) return true;
  return false;
}

ProcessIdentity identity_field(const std::string& text, const std::string& key) {
  std::istringstream in(text);
  std::string line;
  while (std::getline(in, line)) {
    std::istringstream fields(line);
    std::string k;
    long long pid = 0;
    unsigned long long start = 0;
    if (fields >> k && k == key && fields >> pid >> start && pid > 0)
      return {static_cast<pid_t>(pid), start};
  }
  return {};
}

}  // namespace

std::string shape_hypervisor(const VmHost& host) {
  switch (host.backend.kind) {
    case vmm::BackendChoice::Kind::QemuTcg:
      return "qemu-tcg";
    case vmm::BackendChoice::Kind::QemuKvm:
      return "qemu-kvm";
    case vmm::BackendChoice::Kind::CloudHypervisor:
      return "cloud-hypervisor";
  }
  return "unknown";
}

WarmFit warm_fit(const oci::Spec& spec, const VmHost& host, bool debug, bool has_disks) {
  WarmFit fit;
  const vmm::HostConfig& config = host.config;
  if (config.pool.size == 0) {
    fit.reason = "no pool configured";
    return fit;
  }
  unsigned host_cpus = std::max(1u, std::thread::hardware_concurrency());
  // The translation cache a cold VM of this spec gets; 0: QEMU's default,
  // no smaller than any standby's.
  uint64_t cold_cache_mib = 0;
  try {
    VmSize size = size_vm(spec, config.default_vcpus, config.default_memory_mib, host_cpus);
    fit.shape = {shape_hypervisor(host), size.vcpus, size.memory_mib, 0,
                 config.pool.tcg_translation_cache_mib};
    cold_cache_mib = base_vm_config(host, size).tcg_tb_mib;
  } catch (const std::exception& e) {
    // The cold boot says what is wrong with the spec, at its usual step.
    fit.reason = e.what();
    return fit;
  }
  if (host.backend.kind == vmm::BackendChoice::Kind::CloudHypervisor)
    fit.reason = "standbys run QEMU only";
  else if (debug)
    fit.reason = "--debug boots cold (the guest's verbose log is a boot flag)";
  else if (has_disks)
    fit.reason = "block devices are attached at boot";
  else if (joins_or_makes(spec, "user", false))
    fit.reason = "a user namespace";
  else if (joins_or_makes(spec, "network", true))
    fit.reason = "a network namespace to join (its interfaces need NICs at boot)";
  else if (fit.shape.vcpus != config.pool.vcpus || fit.shape.memory_mib != config.pool.memory_mib)
    fit.reason = "the VM's size differs from the pool's";
  else if (host.backend.kind == vmm::BackendChoice::Kind::QemuTcg &&
           spec_memory_limit_bytes(spec).has_value() && cold_cache_mib > 0 &&
           (config.pool.tcg_translation_cache_mib == 0 ||
            config.pool.tcg_translation_cache_mib > cold_cache_mib))
    // The host cgroup's limit (vm_sizing.hpp) leaves room for the cold VM's cache only.
    fit.reason = "a memory limit: the standbys' translation cache would not fit within it";
  return fit;
}

std::unique_ptr<ClaimedStandby> ClaimedStandby::take(const vmm::PoolConfig& config,
                                                     const StandbyShape& shape) {
  PoolDir pool(config.dir);
  std::optional<Slot> slot;
  {
    PoolLock lock = pool.lock(kClaimLockWait);
    slot = pool.claim(lock, shape);
  }
  if (!slot) return nullptr;
  std::unique_ptr<ClaimedStandby> claimed(new ClaimedStandby());
  claimed->record_ = *slot->record;
  try {
    claimed->connection_ = connect_seqpacket(slot->dir / kClaimSocket);
  } catch (const Error&) {
    try {
      PoolLock lock = pool.lock(kClaimLockWait);
      pool.reap(lock, *slot);
    } catch (const Error& e) {
      log_warn(e.what());
    }
    throw;
  }
  return claimed;
}

UniqueFd ClaimedStandby::hand_over(const std::string& id, int share_tree,
                                   const std::string& cgroup_path) {
  const std::string request = "claim\nid " + id + "\ncgroup " + cgroup_path + "\n";
  if (request.size() > kWireMax) throw Error("pool: claim request too long");
  const int fds[] = {share_tree};
  send_with_fds(connection_.get(), request, fds, "pool: send the claim");
  std::string answer;
  ReceivedData got = receive(connection_.get(), answer, kAnswerMs, 1);
  if (got.bytes == 0) throw Error("the standby hung up");
  if (!answer.starts_with("ok\n")) {
    std::string why = answer.starts_with("error ") ? answer.substr(6) : answer;
    while (!why.empty() && why.back() == '\n') why.pop_back();
    throw Error("the standby refused: " + why.substr(0, 300));
  }
  if (got.fds.size() != 1) throw Error("the standby sent no agent connection");
  vmm_ = identity_field(answer, "vmm");
  virtiofsd_ = identity_field(answer, "virtiofsd");
  return std::move(got.fds[0]);
}

bool ClaimedStandby::alive() {
  if (!connection_) return false;
  pollfd p{connection_.get(), POLLIN, 0};
  if (::poll(&p, 1, 0) <= 0) return true;
  // Anything from the standby now (it says nothing until "done") or a hang-up: gone.
  return false;
}

void ClaimedStandby::release() noexcept {
  if (!connection_) return;
  try {
    const std::string end = "end\n";
    if (::send(connection_.get(), end.data(), end.size(), MSG_NOSIGNAL) >= 0) {
      std::string answer;
      (void)receive(connection_.get(), answer, kReleaseMs, 0);
    }
  } catch (const std::exception& e) {
    log_warn(std::string("pool: releasing the standby: ") + e.what());
  }
  connection_.reset();
}

}  // namespace chrunc::runtime::pool
