#pragma once
// What both VMM backends share: each owns one VMM child process, stops it in
// order through its control channel (QMP `quit`, the REST API's
// vmm.shutdown), and kills it when that fails or outlasts the grace period.

#include <chrono>
#include <memory>
#include <string>

#include "common/child_process.hpp"
#include "vmm/console_log.hpp"
#include "vmm/hypervisor.hpp"

namespace chrunc::vmm {

class VmmProcessHypervisor : public Hypervisor {
 public:
  void shutdown(std::chrono::milliseconds grace) final;
  pid_t pid() const final;
  bool alive() final;

 protected:
  // The checks every boot starts with, errors prefixed with `backend`: not
  // booted yet, a work dir, and the kernel and initramfs files exist.
  void check_boot_request(const VmConfig& config, const std::string& backend) const;

  // Asks the VMM to exit through its control channel within `grace`; false
  // when there is no channel (never booted). May throw: shutdown then kills.
  virtual bool request_exit(std::chrono::milliseconds grace) = 0;
  // Drops the control channel, kills and reaps the VMM, removes its sockets,
  // then stop_console_log().
  virtual void cleanup() noexcept = 0;

  // `config` as the VMM is to get it: its console_log, when set, replaced by
  // the FIFO of a ConsoleLog (console_log.hpp) that keeps that file capped.
  VmConfig with_capped_console(const VmConfig& config);
  // Drains and ends the ConsoleLog: once the VMM is gone.
  void stop_console_log() noexcept;

  ChildProcess process_;
  std::unique_ptr<ConsoleLog> console_log_;
};

}  // namespace chrunc::vmm
