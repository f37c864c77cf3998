#include "runtime/monitor/monitor_boot.hpp"

#include <fcntl.h>
#include <sys/mount.h>
#include <sys/random.h>
#include <sys/syscall.h>
#include <unistd.h>

#include <iostream>
#include <thread>

#include "agent/network/interface_messages.hpp"
#include "build_config.hpp"
#include "common/error.hpp"
#include "common/log.hpp"
#include "oci/spec_writer.hpp"
#include "runtime/monitor/boot_slots.hpp"
#include "runtime/monitor/vm_backend.hpp"
#include "runtime/monitor/vm_sizing.hpp"
#include "runtime/store/socket_dir.hpp"
#include "runtime/store/timing_log.hpp"
#include "vmm/boot_image_pageout.hpp"
#include "vmm/console_tail.hpp"

namespace chrunc::runtime {
namespace {

namespace fs = std::filesystem;
using namespace std::chrono_literals;

// The guest needs a cgroup for pause, stats and limits even when the spec
// names none: the same default path the host cgroup gets.
void give_guest_a_cgroup(GuestSpec& guest, const std::string& id) {
  if (!guest.spec.linux) guest.spec.linux.emplace();
  if (guest.spec.linux->cgroups_path.empty()) guest.spec.linux->cgroups_path = "/" + id;
}

// The boot's deadline, phase by phase: a guest that never answers fails the
// boot naming the phase it was stuck in and its last console line.
class BootDeadline {
 public:
  BootDeadline(std::chrono::seconds limit, fs::path console_log)
      : limit_(limit), until_(Clock::now() + limit), console_log_(std::move(console_log)) {}

  std::chrono::milliseconds left() const {
    auto ms = std::chrono::duration_cast<std::chrono::milliseconds>(until_ - Clock::now());
    return ms.count() > 0 ? ms : 1ms;
  }

  // Runs `step`; past the deadline its error becomes the boot's timeout.
  template <typename Step>
  auto phase(const char* name, Step&& step) -> decltype(step()) {
    try {
      return step();
    } catch (const Error& e) {
      if (Clock::now() < until_) throw;
      const std::string last = vmm::console_tail(console_log_);
      throw Error(
          "boot: the guest did not answer within " + std::to_string(limit_.count()) +
          " s (boot_timeout), phase " + name + "; " +
          (last.empty() ? std::string("the console stayed silent") : "last console line: " + last));
    }
  }

 private:
  using Clock = std::chrono::steady_clock;
  std::chrono::seconds limit_;
  Clock::time_point until_;
  fs::path console_log_;
};

// How long a boot waits for a slot: within create's own 600 s wait for its
// monitor, with room for the boot itself.
constexpr std::chrono::milliseconds kBootSlotWait = std::chrono::seconds(400);

}  // namespace

vmm::VmConfig base_vm_config(const VmHost& host, const VmSize& size) {
  const vmm::HostConfig& config = host.config;
  vmm::VmConfig vm;
  vm.kernel = host.image.kernel;
  vm.initramfs = host.image.initramfs;
  vm.kernel_params = host.image.kernel_params;
  vm.vcpus = size.vcpus;
  vm.memory_mib = size.memory_mib;
  vm.tcg_tb_mib = size.tcg_tb_mib;
  // The host config's cache size, or the smaller one a memory limit asks.
  if (config.tcg_translation_cache_mib > 0)
    vm.tcg_tb_mib = vm.tcg_tb_mib > 0 ? std::min(vm.tcg_tb_mib, config.tcg_translation_cache_mib)
                                      : config.tcg_translation_cache_mib;
  return vm;
}

int create_in_guest(agent::AgentClient& agent, const BootRequest& request, const GuestSpec& guest) {
  agent::v1::CreateContainerRequest create;
  create.set_container_id(request.id);
  create.set_spec_json(oci::write_spec(guest.spec));
  create.set_state_json(request.state_json);
  // Mounted writable in the guest: the rootfs is; read-only entries are
  // read-only mounts on the host, whatever the guest does.
  auto* share = create.add_shares();
  share->set_tag(guest.tag);
  share->set_guest_path(guest.guest_path);
  share->set_read_only(false);
  if (request.disks)
    for (const auto& disk : *request.disks) {
      auto* block = create.add_block_devices();
      block->set_serial(disk.serial);
      block->set_host_major(disk.major);
      block->set_host_minor(disk.minor);
      block->set_read_only(disk.read_only);
    }
  return agent.create_container(create, 60s);
}

std::unique_ptr<VmSession> VmSession::boot(const BootRequest& request) {
  auto session = std::make_unique<VmSession>();
  try {
    if (!request.host) throw Error("boot: the host's VMM was not resolved");
    const vmm::HostConfig& config = request.host->config;
    vmm::VirtiofsOptions fs_options;
    fs_options.binary = config.virtiofsd_binary;
    fs_options.extra_args = config.virtiofsd_extra_args;
    const fs::path socket_dir = make_socket_dir(request.state_dir);
    GuestSpec guest = rewrite_for_guest(request.spec, request.bundle);
    // One share directory and one virtiofsd for the whole container: the
    // rootfs and every bind source are mounts inside it (container_share.hpp).
    session->share_ = ContainerShare::create(request.state_dir, guest.entries);
    session->virtiofsd_ = vmm::VirtiofsDaemon::start(
        session->share_.dir(), socket_dir / ("virtiofs-" + guest.tag + ".sock"), false, fs_options);
    give_guest_a_cgroup(guest, request.id);
    timing_mark(request.state_dir, "virtiofsd-ready");

    unsigned host_cpus = std::max(1u, std::thread::hardware_concurrency());
    VmSize size = size_vm(request.spec, config.default_vcpus, config.default_memory_mib, host_cpus);
    vmm::VmConfig vm = base_vm_config(*request.host, size);
    session->vcpus_ = size.vcpus;
    session->memory_mib_ = size.memory_mib;
    // The host cgroup keeps the spec's cpuset; the guest's names the VM's CPUs.
    fit_cpuset_to_vm(guest.spec, size.vcpus);
    vm.filesystems = {{guest.tag, session->virtiofsd_.socket_path()}};
    if (request.network) vm.nics = request.network->nics();
    if (request.disks)
      for (const auto& disk : *request.disks)
        vm.disks.push_back(
            {disk.serial, disk.host_node, disk.read_only, disk.read_fd.get(), disk.write_fd.get()});
    vm.work_dir = socket_dir;
    vm.console_log = request.state_dir / "console.log";
    if (request.debug) vm.kernel_cmdline_extra = "chrunc.debug=1";

    const vmm::BackendChoice& backend = request.host->backend;
    if (backend.kind == vmm::BackendChoice::Kind::QemuTcg &&
        !(backend.kvm && backend.kvm->probed_now))
      std::cerr << "ch-runc: warning: "
                << (backend.kvm ? "QEMU with TCG software emulation (slow): KVM cannot run the "
                                  "guest here (`ch-runc check` says why)"
                                : backend.reason)
                << "\n";
    session->hypervisor_ = vmm::make_hypervisor(backend, config);
    // Under TCG, at most as many boots at once as host CPUs (boot_slots.hpp).
    BootSlot slot;
    if (backend.kind == vmm::BackendChoice::Kind::QemuTcg) {
      slot = BootSlot::acquire(host_cpus, kBootSlotWait);
      timing_mark(request.state_dir, "boot-slot");
    }
    BootDeadline deadline(std::chrono::seconds(config.boot_timeout_s), vm.console_log);
    // Taken before the VMM opens them: the files it maps (boot_image_pageout.hpp).
    const std::vector<vmm::MappedImage> boot_images = {vmm::mapped_image_of(vm.kernel),
                                                       vmm::mapped_image_of(vm.initramfs)};
    timing_mark(request.state_dir, "vmm-spawn");
    deadline.phase("vmm-start", [&] { session->hypervisor_->boot(vm); });
    timing_mark(request.state_dir, "vmm-booting");
    session->agent_ = deadline.phase("agent-connect", [&] {
      return std::make_unique<agent::AgentClient>(
          session->hypervisor_->connect_agent(deadline.left()));
    });
    timing_mark(request.state_dir, "agent-connected");
    auto health =
        deadline.phase("agent-ready", [&] { return session->agent_->wait_ready(deadline.left()); });
    timing_mark(request.state_dir, "agent-ready");
    slot.release();
    const size_t paged_out = vmm::page_out_mapped_images(session->hypervisor_->pid(), boot_images);
    log_debug("boot images paged out of the VMM: " + std::to_string(paged_out >> 10) + " KiB");
    session->boot_images_ = boot_images;
    session->booted_at_ = std::chrono::steady_clock::now();
    log_debug("agent " + health.version() + " ready, guest kernel " + health.kernel_release());
    if (request.network && !request.network->interfaces().empty()) {
      session->agent_->configure_interfaces(
          agent::interfaces_request(request.network->interfaces()), 30s);
      timing_mark(request.state_dir, "interfaces-configured");
    }

    session->init_pid_ = create_in_guest(*session->agent_, request, guest);
    timing_mark(request.state_dir, "container-created");
  } catch (...) {
    session->teardown();
    throw;
  }
  return session;
}

std::unique_ptr<VmSession> VmSession::adopt(const BootRequest& request,
                                            std::unique_ptr<pool::ClaimedStandby> standby,
                                            bool& standby_failed) {
  auto session = std::make_unique<VmSession>();
  standby_failed = false;
  try {
    if (!request.host) throw Error("boot: the host's VMM was not resolved");
    GuestSpec guest = rewrite_for_guest(request.spec, request.bundle, pool::kStandbyShareSubdir);
    session->share_ = ContainerShare::create(request.state_dir, guest.entries);
    give_guest_a_cgroup(guest, request.id);
    standby_failed = true;
    // A detached copy of the share and everything mounted in it, for the
    // standby to mount where its virtiofsd serves.
    UniqueFd tree(static_cast<int>(
        ::syscall(SYS_open_tree, AT_FDCWD, session->share_.dir().c_str(),
                  OPEN_TREE_CLONE | OPEN_TREE_CLOEXEC | AT_RECURSIVE | AT_SYMLINK_NOFOLLOW)));
    if (!tree) throw_errno("open_tree " + session->share_.dir().string());
    UniqueFd agent_fd = standby->hand_over(request.id, tree.get(), request.cgroup_path);
    tree.reset();
    const pool::StandbyShape shape = standby->record().shape;
    session->standby_ = std::move(standby);
    timing_mark(request.state_dir, "standby-claimed");
    session->vcpus_ = shape.vcpus;
    session->memory_mib_ = shape.memory_mib;
    fit_cpuset_to_vm(guest.spec, shape.vcpus);
    session->agent_ = std::make_unique<agent::AgentClient>(std::move(agent_fd));
    auto health =
        session->agent_->wait_ready(std::chrono::seconds(request.host->config.boot_timeout_s));
    timing_mark(request.state_dir, "agent-ready");
    log_debug("agent " + health.version() + " ready (warm), guest kernel " +
              health.kernel_release());
    // The guest booted a while ago: its clock is set from the host's now,
    // and its random pool gets fresh bytes from the host's.
    std::string seed(64, '\0');
    if (::getrandom(seed.data(), seed.size(), 0) != static_cast<ssize_t>(seed.size()))
      throw_errno("getrandom");
    session->agent_->set_time(std::chrono::system_clock::now(), agent::kControlCallTimeout, seed);
    standby_failed = false;
    session->init_pid_ = create_in_guest(*session->agent_, request, guest);
    timing_mark(request.state_dir, "container-created");
  } catch (...) {
    session->teardown();
    throw;
  }
  return session;
}

void VmSession::teardown(bool guest_synced) noexcept {
  if (agent_ && vmm_alive() && !guest_synced) {
    try {
      agent_->shutdown(2s);
    } catch (const std::exception& e) {
      log_debug(std::string("agent shutdown: ") + e.what());
    }
  }
  if (hypervisor_) {
    try {
      hypervisor_->shutdown(3s);
    } catch (const std::exception& e) {
      log_debug(std::string("vmm shutdown: ") + e.what());
    }
  }
  agent_.reset();
  // A standby stops its VMM and virtiofsd; it is waited for (bounded).
  standby_.reset();
  virtiofsd_.stop();
  share_.release();
}

VmSession::~VmSession() {
  teardown();
}

void VmSession::page_out_boot_images_again() {
  static constexpr std::chrono::seconds kRetries[] = {
      std::chrono::seconds(2), std::chrono::seconds(10), std::chrono::seconds(60)};
  if (page_out_retries_done_ >= std::size(kRetries) || boot_images_.empty() || !hypervisor_) return;
  if (std::chrono::steady_clock::now() - booted_at_ < kRetries[page_out_retries_done_]) return;
  ++page_out_retries_done_;
  if (hypervisor_->pid() > 0) vmm::page_out_mapped_images(hypervisor_->pid(), boot_images_);
}

}  // namespace chrunc::runtime
