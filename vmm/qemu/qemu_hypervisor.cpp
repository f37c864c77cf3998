#include "vmm/qemu/qemu_hypervisor.hpp"

#include <sys/stat.h>

#include <thread>

#include "common/error.hpp"
#include "vmm/host_tsc.hpp"
#include "vmm/log_tail.hpp"
#include "vmm/qemu/command_line.hpp"
#include "vmm/unix_socket.hpp"

namespace chrunc::vmm::qemu {

namespace fs = std::filesystem;

QemuHypervisor::QemuHypervisor(QemuSettings settings) : settings_(std::move(settings)) {}

QemuHypervisor::~QemuHypervisor() {
  cleanup();
}

void QemuHypervisor::fail(const std::string& what) {
  // Give QEMU a moment to finish writing its complaint when it is exiting.
  if (process_.pid() > 0) process_.wait_for(std::chrono::milliseconds(200));
  std::string said = last_line(log_file_);
  cleanup();
  throw Error("qemu: " + what + (said.empty() ? "" : ": " + said));
}

void QemuHypervisor::cleanup() noexcept {
  qmp_.reset();
  process_.kill_and_wait();
  stop_console_log();
  std::error_code ec;
  if (!qmp_socket_.empty()) fs::remove(qmp_socket_, ec);
  if (!agent_socket_.empty()) fs::remove(agent_socket_, ec);
}

void QemuHypervisor::boot(const VmConfig& config) {
  check_boot_request(config, "qemu");
  config_ = config;
  qmp_socket_ = config.work_dir / "qmp.sock";
  agent_socket_ = config.work_dir / "agent.sock";
  log_file_ = config.work_dir / "qemu.log";
  std::error_code ec;
  fs::remove(qmp_socket_, ec);
  fs::remove(agent_socket_, ec);
  fs::remove(log_file_, ec);

  VmConfig given;
  try {
    given = with_capped_console(config);
  } catch (const Error& e) {
    cleanup();
    throw Error(std::string("qemu: ") + e.what(), e.sys_errno());
  }
  QemuCommand cmd = build_command_line(settings_.binary, settings_.kvm, host_tsc_khz(),
                                       settings_.sandbox, given, {qmp_socket_, agent_socket_});
  SpawnOptions spawn;
  spawn.argv = cmd.argv;
  spawn.fds = cmd.fds;
  spawn.stderr_file = log_file_;
  spawn.stdout_file = log_file_;
  spawn.umask = 077;
  spawn.cwd = config.work_dir;
  try {
    process_ = ChildProcess::spawn(spawn);
  } catch (const Error& e) {
    cleanup();
    throw Error(std::string("qemu: ") + e.what(), e.sys_errno());
  }
  try {
    qmp_.emplace(QmpClient::connect(qmp_socket_, settings_.start_timeout,
                                    [this] { return process_.running(); }));
    for (const auto& socket : {qmp_socket_, agent_socket_}) ::chmod(socket.c_str(), 0600);
    std::string status = qmp_->query_status();
    if (status != "running" && status != "prelaunch") fail("VM is " + status + " after start");
  } catch (const Error& e) {
    // QEMU dying mid-handshake shows up as a QMP error first: prefer its own words.
    if (process_.wait_for(std::chrono::milliseconds(500))) fail("exited during start");
    fail(e.what());
  }
}

UniqueFd QemuHypervisor::connect_agent(std::chrono::milliseconds timeout) {
  if (process_.pid() <= 0) throw Error("qemu: connect_agent before boot");
  const auto deadline = std::chrono::steady_clock::now() + timeout;
  for (;;) {
    if (!process_.running()) {
      std::string said = last_line(log_file_);
      throw Error("qemu: exited before the agent connected" + (said.empty() ? "" : ": " + said));
    }
    UniqueFd fd = try_connect_unix(agent_socket_);
    if (fd) return fd;
    if (std::chrono::steady_clock::now() > deadline)
      throw Error("qemu: agent socket " + agent_socket_.string() + " not reachable in time");
    std::this_thread::sleep_for(std::chrono::milliseconds(10));
  }
}

QmpClient& QemuHypervisor::qmp() {
  if (!qmp_) throw Error("qemu: not running");
  return *qmp_;
}

void QemuHypervisor::pause() {
  qmp().stop();
}
void QemuHypervisor::resume() {
  qmp().cont();
}

VmInfo QemuHypervisor::info() {
  VmInfo info;
  info.vcpus = config_.vcpus;
  info.memory_mib = config_.memory_mib;
  if (!process_.running()) {
    info.state = "Shutdown";
    return info;
  }
  std::string status = qmp().query_status();
  if (status == "running") {
    info.state = "Running";
  } else if (status == "paused") {
    info.state = "Paused";
  } else if (status == "shutdown") {
    info.state = "Shutdown";
  } else if (status == "prelaunch") {
    info.state = "Created";
  } else {
    info.state = status;
    if (!info.state.empty()) info.state[0] = static_cast<char>(std::toupper(info.state[0]));
  }
  return info;
}

bool QemuHypervisor::request_exit(std::chrono::milliseconds grace) {
  if (!qmp_) return false;
  qmp_->set_timeout(grace);
  qmp_->quit();
  return true;
}

}  // namespace chrunc::vmm::qemu
