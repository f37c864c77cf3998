#include "runtime/cli/lifecycle_common.hpp"

#include <signal.h>
#include <sys/random.h>
#include <unistd.h>

#include <cstdlib>
#include <fstream>
#include <iostream>
#include <sstream>
#include <thread>

#include "common/error.hpp"
#include "common/log.hpp"
#include "oci/spec_parser.hpp"
#include "runtime/cli/hooks.hpp"
#include "runtime/host/host_cgroup.hpp"
#include "runtime/host/host_network.hpp"
#include "runtime/host/host_process.hpp"
#include "runtime/store/container_status.hpp"

namespace chrunc::runtime {

using namespace std::chrono_literals;

StateStore open_store(const GlobalOptions& global) {
  return StateStore(global.root.empty() ? std::filesystem::path("/run/containerization")
                                        : global.root);
}

void apply_logging(const GlobalOptions&) {}

oci::Spec load_saved_spec(const StateStore& store, const std::string& id) {
  return oci::load_spec(store.dir(id) / "config.json");
}

bool wait_monitor_gone(const ContainerRecord& record, std::chrono::milliseconds timeout) {
  auto deadline = std::chrono::steady_clock::now() + timeout;
  while (record.monitor_pid > 0 && monitor_alive(record.monitor_pid, record.monitor_start_time)) {
    if (std::chrono::steady_clock::now() >= deadline) return false;
    std::this_thread::sleep_for(20ms);
  }
  return true;
}

void remove_container(const StateStore& store, const ContainerRecord& record,
                      std::chrono::milliseconds grace) {
  const ProcessIdentity monitor{record.monitor_pid, record.monitor_start_time};
  const ProcessIdentity vmm{record.vmm_pid, record.vmm_start_time};
  if (!wait_monitor_gone(record, grace)) {
    // The monitor did not finish in time (its guest not answering, or itself
    // wedged): it is ended from here, checked against its recorded start
    // time so that a recycled pid is left alone.
    log_warn("container " + record.id + ": its monitor (pid " + std::to_string(monitor.pid) +
             ") did not exit within " + std::to_string(grace.count() / 1000) + " s: killing it");
    signal_if_same(monitor, SIGKILL);
  }
  // Its VMM goes with it (PR_SET_PDEATHSIG); one that outlived it (stopped,
  // say) is killed here, the same way.
  if (signal_if_same(vmm, SIGKILL))
    log_warn("container " + record.id + ": killed its VMM (pid " + std::to_string(vmm.pid) + ")");
  wait_process_gone(monitor, 5s);
  wait_process_gone(vmm, 5s);
  // Taps and redirects a killed monitor could not remove.
  clean_host_network(store.dir(record.id));
  if (!record.cgroups_path.empty() && !HostCgroup::destroy(record.cgroups_path))
    log_warn("container " + record.id + ": could not remove cgroup " + record.cgroups_path);
  try {
    oci::Spec spec = load_saved_spec(store, record.id);
    if (spec.hooks && !spec.hooks->poststop.empty()) {
      std::string state = oci::write_state_compact(record_state(record, Status::kStopped));
      run_hooks_warn(spec.hooks->poststop, state, "poststop");
    }
  } catch (const Error& e) {
    log_warn(e.what());
  }
  store.remove(record.id);
}

std::string status_name(Status status) {
  return to_string(status);
}

std::string read_text_file(const std::string& path) {
  std::stringstream ss;
  if (path == "-") {
    ss << std::cin.rdbuf();
    return ss.str();
  }
  std::ifstream in(path);
  if (!in) throw_errno("open " + path);
  ss << in.rdbuf();
  return ss.str();
}

std::string random_hex(size_t bytes) {
  std::string raw(bytes, '\0');
  if (::getrandom(raw.data(), bytes, 0) != static_cast<ssize_t>(bytes)) throw_errno("getrandom");
  static const char* digits = "0123456789abcdef";
  std::string out;
  for (unsigned char c : raw) {
    out += digits[c >> 4];
    out += digits[c & 15];
  }
  return out;
}

void refuse_passed_fds(unsigned preserve_fds, bool socket_activation) {
  constexpr const char* why =
      ": host file descriptors cannot be passed into the container's VM (see "
      "docs/deviations.md)";
  if (preserve_fds > 0) throw Error("--preserve-fds " + std::to_string(preserve_fds) + why);
  if (!socket_activation) return;
  const char* fds = std::getenv("LISTEN_FDS");
  const char* pid = std::getenv("LISTEN_PID");
  if (fds == nullptr || pid == nullptr || std::string(pid) != std::to_string(::getpid())) return;
  if (std::string(fds).empty() || std::string(fds) == "0") return;
  throw Error(std::string("LISTEN_FDS=") + fds + " (socket activation)" + why);
}

std::filesystem::path monitor_binary() {
  std::error_code ec;
  const auto self = std::filesystem::read_symlink("/proc/self/exe", ec);
  if (ec) throw Error("read /proc/self/exe: " + ec.message());
  const auto path = self.parent_path() / kMonitorBinary;
  if (::access(path.c_str(), X_OK) != 0)
    throw Error("the container monitor " + path.string() + " is missing (" + kMonitorBinary +
                " is installed beside ch-runc)");
  return path;
}

}  // namespace chrunc::runtime
