#pragma once
// The guest's serial console on the host, bounded. The guest writes to its
// console as fast and as long as it likes; a VMM writing that straight into
// a file (QEMU's file chardev, cloud-hypervisor's "File" serial) fills the
// state directory, which lives in /run, in host RAM. So the VMM writes into a
// FIFO instead, and this object reads it in a thread and keeps the log file
// under `max_bytes`: when a write would pass the cap, the log is rewritten
// with its last part (about half the cap, from a line start) after one line
// saying that earlier output was dropped, then appended to again. The
// rewrite goes to a temporary that is renamed over the log, so a reader
// (console_tail.hpp, for boot errors) never sees a half-written file.
//
// The FIFO is opened read-write here, so the VMM's open never blocks and its
// writes never fail for want of a reader; the thread reads whatever arrives
// even when the log cannot be written (a full disk), so the VMM never blocks
// on a full pipe for long.

#include <cstddef>
#include <filesystem>
#include <thread>

#include "common/unique_fd.hpp"

namespace chrunc::vmm {

inline constexpr size_t kConsoleLogMaxBytes = 1 << 20;  // 1 MiB

class ConsoleLog {
 public:
  // Makes the FIFO `fifo` (0600; whatever was at that path is replaced),
  // opens or creates `log` (0600, appended to, capped from the first write)
  // and starts reading. Throws chrunc::Error. `max_bytes` is at least 4 KiB.
  ConsoleLog(std::filesystem::path fifo, std::filesystem::path log,
             size_t max_bytes = kConsoleLogMaxBytes);
  // close().
  ~ConsoleLog();
  ConsoleLog(const ConsoleLog&) = delete;
  ConsoleLog& operator=(const ConsoleLog&) = delete;

  // The path the VMM is to write the console to.
  const std::filesystem::path& fifo() const { return fifo_; }

  // Reads what is left in the FIFO into the log, stops the thread and
  // removes the FIFO. Call once the VMM has exited. Idempotent.
  void close() noexcept;

  // The marker line that starts a log whose beginning was dropped.
  static constexpr const char* kDroppedLine = "[ch-runc: earlier console output dropped]\n";

 private:
  void run();
  // Appends `size` bytes to the log, keeping it under the cap.
  void append(const char* data, size_t size);
  // Rewrites the log as its last part (kDroppedLine first).
  void compact();

  const std::filesystem::path fifo_, log_;
  const size_t max_bytes_;
  UniqueFd pipe_, stop_, file_;
  size_t size_ = 0;  // the log's size now
  bool write_failed_ = false;
  std::thread thread_;
};

}  // namespace chrunc::vmm
