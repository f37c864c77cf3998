#include "vmm/cloudhypervisor/ch_hypervisor.hpp"

#include <sys/stat.h>

#include <thread>

#include "common/error.hpp"
#include "vmm/cloudhypervisor/hybrid_vsock.hpp"
#include "vmm/log_tail.hpp"

namespace chrunc::vmm::ch {

namespace fs = std::filesystem;

VmCreateConfig make_create_config(const VmConfig& config, const fs::path& vsock_socket) {
  VmCreateConfig c;
  c.payload.kernel = config.kernel.string();
  c.payload.initramfs = config.initramfs.string();
  c.payload.cmdline = "console=ttyS0 quiet panic=-1";
  if (!config.kernel_cmdline_extra.empty()) c.payload.cmdline += " " + config.kernel_cmdline_extra;
  c.cpus.boot_vcpus = config.vcpus;
  c.cpus.max_vcpus = config.vcpus;
  c.memory.size = config.memory_mib << 20;
  // vhost-user devices (virtiofsd) must be able to map guest memory.
  c.memory.shared = !config.filesystems.empty();
  c.serial = config.console_log.empty() ? ConsoleConfig{"Null", "", ""}
                                        : ConsoleConfig{"File", config.console_log.string(), ""};
  c.console = {"Off", "", ""};
  for (const auto& f : config.filesystems)
    c.fs.push_back({f.tag, f.socket_path.string(), 1, 1024, ""});
  for (size_t i = 0; i < config.nics.size(); ++i) {
    // A tap we hold an fd of is added by fd (net_fd_configs); others by name.
    if (config.nics[i].tap_fd >= 0) continue;
    c.net.push_back(
        {config.nics[i].tap_name, config.nics[i].mac, "net" + std::to_string(i), std::nullopt});
  }
  c.vsock = VsockConfig{3, vsock_socket.string()};
  return c;
}

std::vector<std::pair<NetConfig, int>> net_fd_configs(const VmConfig& config) {
  std::vector<std::pair<NetConfig, int>> out;
  for (size_t i = 0; i < config.nics.size(); ++i) {
    const NetDevice& nic = config.nics[i];
    if (nic.tap_fd < 0) continue;
    out.push_back({NetConfig{"", nic.mac, "net" + std::to_string(i), std::nullopt}, nic.tap_fd});
  }
  return out;
}

// Host block devices, cold-plugged with vm.add-disk between vm.create and
// vm.boot. cloud-hypervisor opens the node itself (its API takes a path);
// readonly is its own flag, enforced by the VMM on the host.
std::vector<DiskConfig> disk_configs(const VmConfig& config) {
  std::vector<DiskConfig> out;
  for (size_t i = 0; i < config.disks.size(); ++i) {
    const DiskDevice& disk = config.disks[i];
    DiskConfig c;
    c.path = disk.host_node.string();
    c.readonly = disk.read_only;
    c.direct = true;
    c.id = "disk" + std::to_string(i);
    c.serial = disk.serial;
    out.push_back(std::move(c));
  }
  return out;
}

ChHypervisor::ChHypervisor(ChSettings settings) : settings_(std::move(settings)) {}

ChHypervisor::~ChHypervisor() {
  cleanup();
}

void ChHypervisor::fail(const std::string& what) {
  if (process_.pid() > 0) process_.wait_for(std::chrono::milliseconds(200));
  std::string said = process_.running() ? "" : last_line(log_file_);
  cleanup();
  throw Error(what + (said.empty() ? "" : " (cloud-hypervisor: " + said + ")"));
}

void ChHypervisor::cleanup() noexcept {
  api_.reset();
  process_.kill_and_wait();
  stop_console_log();
  std::error_code ec;
  if (!api_socket_.empty()) fs::remove(api_socket_, ec);
  if (!vsock_socket_.empty()) fs::remove(vsock_socket_, ec);
}

void ChHypervisor::boot(const VmConfig& config) {
  check_boot_request(config, "cloud-hypervisor");
  api_socket_ = config.work_dir / "ch-api.sock";
  vsock_socket_ = config.work_dir / "vsock.sock";
  log_file_ = config.work_dir / "cloud-hypervisor.log";
  std::error_code ec;
  for (const auto& p : {api_socket_, vsock_socket_, log_file_}) fs::remove(p, ec);

  SpawnOptions spawn;
  spawn.argv = {settings_.binary,
                "--api-socket",
                "path=" + api_socket_.string(),
                "--seccomp",
                settings_.seccomp ? "true" : "false",
                "--log-file",
                log_file_.string()};
  if (settings_.debug_log) spawn.argv.push_back("-v");
  spawn.stderr_file = log_file_;
  spawn.stdout_file = log_file_;
  spawn.umask = 077;
  spawn.cwd = config.work_dir;
  try {
    process_ = ChildProcess::spawn(spawn);
  } catch (const Error& e) {
    cleanup();
    throw Error(std::string("cloud-hypervisor: ") + e.what(), e.sys_errno());
  }
  api_.emplace(api_socket_, std::chrono::milliseconds(5000));

  // vmm.ping until the API server answers.
  const auto deadline = std::chrono::steady_clock::now() + settings_.start_timeout;
  for (;;) {
    if (!process_.running()) fail("cloud-hypervisor exited during start");
    std::error_code exists_ec;
    if (fs::exists(api_socket_, exists_ec)) {
      try {
        api_->ping();
        break;
      } catch (const Error&) {
      }
    }
    if (std::chrono::steady_clock::now() > deadline)
      fail("cloud-hypervisor: API socket not up in time");
    std::this_thread::sleep_for(std::chrono::milliseconds(10));
  }
  ::chmod(api_socket_.c_str(), 0600);
  try {
    // The serial console goes to a FIFO whose reader caps the log.
    api_->create(make_create_config(with_capped_console(config), vsock_socket_));
    // Cold-plugged before boot; the tap fd travels with the request.
    for (const auto& [net, fd] : net_fd_configs(config)) api_->add_net_with_fds(net, {fd});
    for (const auto& disk : disk_configs(config)) api_->add_disk(disk);
    api_->boot();
    VmInfoReply info = api_->info();
    if (info.state != "Running") fail("cloud-hypervisor: VM is " + info.state + " after vm.boot");
    ::chmod(vsock_socket_.c_str(), 0600);
  } catch (const Error& e) {
    if (process_.wait_for(std::chrono::milliseconds(200)))
      fail(std::string(e.what()) + "; cloud-hypervisor exited");
    fail(e.what());
  }
}

UniqueFd ChHypervisor::connect_agent(std::chrono::milliseconds timeout) {
  if (process_.pid() <= 0) throw Error("cloud-hypervisor: connect_agent before boot");
  try {
    return connect_hybrid_vsock(vsock_socket_, kAgentVsockPort, timeout,
                                [this] { return process_.running(); });
  } catch (const Error& e) {
    std::string said = process_.running() ? "" : last_line(log_file_);
    throw Error(std::string("cloud-hypervisor: ") + e.what() + (said.empty() ? "" : ": " + said));
  }
}

ApiClient& ChHypervisor::api() {
  if (!api_) throw Error("cloud-hypervisor: not running");
  return *api_;
}

void ChHypervisor::pause() {
  api().pause();
}
void ChHypervisor::resume() {
  api().resume();
}

VmInfo ChHypervisor::info() {
  VmInfo info;
  if (!process_.running()) {
    info.state = "Shutdown";
    return info;
  }
  VmInfoReply reply = api().info();
  info.state = reply.state;
  info.vcpus = reply.boot_vcpus;
  info.memory_mib = reply.memory_size >> 20;
  return info;
}

bool ChHypervisor::request_exit(std::chrono::milliseconds grace) {
  if (!api_) return false;
  api_->set_timeout(grace);
  api_->shutdown_vmm();
  return true;
}

}  // namespace chrunc::vmm::ch
