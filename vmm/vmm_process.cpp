#include "vmm/vmm_process.hpp"

#include <filesystem>
#include <utility>

#include "common/error.hpp"

namespace chrunc::vmm {

void VmmProcessHypervisor::shutdown(std::chrono::milliseconds grace) {
  if (process_.running()) {
    bool asked = false;
    try {
      asked = request_exit(grace);
    } catch (const Error&) {
      // killed below
    }
    if (asked) process_.wait_for(grace);
  }
  cleanup();
}

pid_t VmmProcessHypervisor::pid() const {
  return process_.exit_status() ? 0 : process_.pid();
}

bool VmmProcessHypervisor::alive() {
  return process_.running();
}

void VmmProcessHypervisor::check_boot_request(const VmConfig& config,
                                              const std::string& backend) const {
  if (process_.pid() > 0) throw Error(backend + ": boot called twice");
  if (config.work_dir.empty()) throw Error(backend + ": VmConfig.work_dir is empty");
  for (const auto& [what, path] :
       {std::pair{"kernel", config.kernel}, std::pair{"initramfs", config.initramfs}}) {
    std::error_code ec;
    if (!std::filesystem::is_regular_file(path, ec))
      throw Error(backend + ": " + what + " " + path.string() + " not found");
  }
}

VmConfig VmmProcessHypervisor::with_capped_console(const VmConfig& config) {
  VmConfig given = config;
  if (config.console_log.empty()) return given;
  // Beside the log, in the container's state dir (0700): tools find the
  // container's VMM by that dir in its command line.
  console_log_ = std::make_unique<ConsoleLog>(config.console_log.parent_path() / "console.pipe",
                                              config.console_log, config.console_log_max_bytes);
  given.console_log = console_log_->fifo();
  return given;
}

void VmmProcessHypervisor::stop_console_log() noexcept {
  console_log_.reset();
}

}  // namespace chrunc::vmm
