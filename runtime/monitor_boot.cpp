#include "runtime/monitor_boot.hpp"

#include <unistd.h>

#include <thread>

#include "agent/network/interface_messages.hpp"
#include "build_config.hpp"
#include "common/error.hpp"
#include "common/log.hpp"
#include "oci/spec_writer.hpp"
#include "runtime/socket_dir.hpp"
#include "runtime/timing_log.hpp"
#include "runtime/vm_sizing.hpp"

namespace chrunc::runtime {
namespace {

namespace fs = std::filesystem;
using namespace std::chrono_literals;

// A development tree: the guest image built beside the binaries.
fs::path image_file(const fs::path& configured, const char* name) {
  if (fs::exists(configured)) return configured;
  fs::path built = fs::path(build::kBinaryDir) / "guest" / name;
  if (configured == fs::path(build::kImageDir) / name && fs::exists(built)) return built;
  throw Error(std::string("guest image: ") + configured.string() +
              " does not exist (build the guest-image target "
              "or set it in " +
              vmm::default_host_config_path().string() + ")");
}

}  // namespace

std::unique_ptr<VmSession> VmSession::boot(const BootRequest& request) {
  auto session = std::make_unique<VmSession>();
  try {
    vmm::HostConfig config = vmm::load_host_config();
    vmm::VirtiofsOptions fs_options;
    fs_options.binary = config.virtiofsd_binary;
    fs_options.extra_args = config.virtiofsd_extra_args;
    const fs::path socket_dir = make_socket_dir(request.state_dir);
    session->shares_ = std::make_unique<vmm::SharedDirectories>(socket_dir, fs_options);
    auto* shares = session->shares_.get();
    GuestSpec guest = rewrite_for_guest(
        request.spec, request.bundle, [shares](const fs::path& dir, bool read_only, bool rootfs) {
          return rootfs ? shares->acquire_rootfs(dir) : shares->acquire(dir, read_only);
        });
    // The guest needs a cgroup for pause, stats and limits even when the
    // spec names none: the same default path the host cgroup gets.
    if (!guest.spec.linux) guest.spec.linux.emplace();
    if (guest.spec.linux->cgroups_path.empty()) guest.spec.linux->cgroups_path = "/" + request.id;
    timing_mark(request.state_dir, "virtiofsd-ready");

    unsigned host_cpus = std::max(1u, std::thread::hardware_concurrency());
    VmSize size = size_vm(request.spec, config.default_vcpus, config.default_memory_mib, host_cpus);
    vmm::VmConfig vm;
    vm.kernel = image_file(config.kernel, "vmlinux");
    vm.initramfs = image_file(config.initramfs, "initramfs.cpio");
    vm.vcpus = size.vcpus;
    vm.memory_mib = size.memory_mib;
    session->memory_mib_ = size.memory_mib;
    vm.tcg_tb_mib = size.tcg_tb_mib;
    vm.filesystems = shares->devices();
    if (request.network) vm.nics = request.network->nics();
    vm.work_dir = socket_dir;
    vm.console_log = request.state_dir / "console.log";
    if (request.debug) vm.kernel_cmdline_extra = "chrunc.debug=1";

    session->hypervisor_ = vmm::make_hypervisor(config);
    timing_mark(request.state_dir, "vmm-spawn");
    session->hypervisor_->boot(vm);
    timing_mark(request.state_dir, "vmm-booting");
    session->agent_ =
        std::make_unique<agent::AgentClient>(session->hypervisor_->connect_agent(60s));
    timing_mark(request.state_dir, "agent-connected");
    auto health = session->agent_->wait_ready(60s);
    timing_mark(request.state_dir, "agent-ready");
    log_debug("agent " + health.version() + " ready, guest kernel " + health.kernel_release());
    if (request.network && !request.network->interfaces().empty()) {
      session->agent_->configure_interfaces(
          agent::interfaces_request(request.network->interfaces()), 30s);
      timing_mark(request.state_dir, "interfaces-configured");
    }

    agent::v1::CreateContainerRequest create;
    create.set_container_id(request.id);
    create.set_spec_json(oci::write_spec(guest.spec));
    create.set_state_json(request.state_json);
    for (const auto& share : guest.shares) {
      auto* s = create.add_shares();
      s->set_tag(share.tag);
      s->set_guest_path(share.guest_path);
      s->set_read_only(share.read_only);
    }
    session->init_pid_ = session->agent_->create_container(create, 60s);
    timing_mark(request.state_dir, "container-created");
  } catch (...) {
    session->teardown();
    throw;
  }
  return session;
}

void VmSession::teardown() noexcept {
  if (agent_ && hypervisor_ && hypervisor_->alive()) {
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
  if (shares_) shares_->clear();
}

VmSession::~VmSession() {
  teardown();
}

}  // namespace chrunc::runtime
