#pragma once
// The waiting side of `exec` (the foreground CLI, or the --detach relay
// process whose pid stands for the exec'd process): as runc's signal
// handler, every signal it receives goes to the exec'd process and, with a
// terminal, SIGWINCH sends the terminal's size; it exits with the process's
// exit code.

#include <signal.h>
#include <termios.h>

#include "runtime/cli/control_client.hpp"

namespace chrunc::runtime {

// Blocks the forwarded signals for the object's life, so that those that
// arrive before the process runs wait for it instead of killing the waiter.
class ForwardedSignals {
 public:
  ForwardedSignals();
  ~ForwardedSignals();
  ForwardedSignals(const ForwardedSignals&) = delete;
  ForwardedSignals& operator=(const ForwardedSignals&) = delete;
  const sigset_t& set() const { return set_; }

 private:
  sigset_t set_, old_;
};

// A terminal put in raw mode (as runc does with the caller's console), its
// settings restored when the object goes.
class RawTerminal {
 public:
  explicit RawTerminal(int fd);
  ~RawTerminal();
  RawTerminal(const RawTerminal&) = delete;
  RawTerminal& operator=(const RawTerminal&) = delete;

 private:
  int fd_;
  bool saved_ = false;
  termios old_{};
};

// The first of fds 0-2 that is a terminal, or -1.
int caller_terminal();

// Waits for the exec'd process on `client` (its start already answered):
// forwards the signals of `signals` and, when `tty` >= 0, the size of `tty`
// on SIGWINCH (and once at the start when `send_size`). Returns the exit
// code (128+N when killed by signal N).
int wait_exec_forwarding(MonitorClient& client, const ForwardedSignals& signals, int tty,
                         bool send_size);

}  // namespace chrunc::runtime
