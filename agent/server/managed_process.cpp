#include "agent/server/managed_process.hpp"

#include <poll.h>
#include <sched.h>
#include <sys/ioctl.h>
#include <termios.h>
#include <unistd.h>

#include <cerrno>

#include "common/error.hpp"

namespace chrunc::agent {

namespace {
constexpr int kPollMs = 100;
// Up to a whole stdout pipe (1 MiB, container_impl.cpp) per chunk.
constexpr size_t kChunk = size_t{1024} * 1024;

// The reading thread runs as SCHED_BATCH while it relays: on the guest's one
// vCPU a normal thread woken by every write of the container preempts the
// writer and reads what that one write put in the pipe (4 KiB from busybox's
// head or cat), so a stream went out in 4 KiB gRPC messages. A batch thread
// does not preempt on wake-up: it reads when the writer blocks on a full pipe
// or its time slice ends, up to the pipe's 1 MiB at once. When the vCPU is
// otherwise idle (a shell echoing one key) it runs at once, as before.
class BatchScheduling {
 public:
  BatchScheduling() {
    sched_param param{};
    previous_ = ::sched_getscheduler(0);
    changed_ = previous_ == SCHED_OTHER && ::sched_setscheduler(0, SCHED_BATCH, &param) == 0;
  }
  ~BatchScheduling() {
    sched_param param{};
    if (changed_) ::sched_setscheduler(0, previous_, &param);
  }
  BatchScheduling(const BatchScheduling&) = delete;
  BatchScheduling& operator=(const BatchScheduling&) = delete;

 private:
  int previous_ = SCHED_OTHER;
  bool changed_ = false;
};
}  // namespace

ManagedProcess::ManagedProcess(pid_t pid, container::ProcessStdio stdio)
    : pid_(pid), stdio_(std::move(stdio)) {
  if (terminal()) {
    stdout_eof_ = false;
    stderr_eof_ = true;
  } else {
    stdout_eof_ = !stdio_.stdout_read.valid();
    stderr_eof_ = !stdio_.stderr_read.valid();
  }
}

void ManagedProcess::set_exited(int wait_status, bool container_synced) {
  std::lock_guard lock(mutex_);
  status_ = wait_status;
  container_synced_ = container_synced;
  changed_.notify_all();
}

bool ManagedProcess::container_synced() {
  std::lock_guard lock(mutex_);
  return container_synced_;
}

std::optional<int> ManagedProcess::exit_status() {
  std::lock_guard lock(mutex_);
  return status_;
}

bool ManagedProcess::read_output(const std::function<bool(const OutputData&)>& emit,
                                 const std::function<bool()>& cancelled) {
  {
    std::lock_guard lock(mutex_);
    if (reader_attached_) throw Error("another ReadOutput stream is attached to this process");
    reader_attached_ = true;
    reader_ever_attached_ = true;
  }
  struct Detach {
    ManagedProcess* self;
    ~Detach() {
      std::lock_guard lock(self->mutex_);
      self->reader_attached_ = false;
      self->changed_.notify_all();
    }
  } detach{this};

  int out_fd = terminal() ? stdio_.pty_master.get() : stdio_.stdout_read.get();
  int err_fd = stdio_.stderr_read.get();
  std::string buffer(kChunk, '\0');
  BatchScheduling batch;
  while (true) {
    bool out_eof, err_eof;
    {
      std::lock_guard lock(mutex_);
      out_eof = stdout_eof_;
      err_eof = stderr_eof_;
    }
    if (out_eof && err_eof) return true;
    if (cancelled()) return false;
    pollfd pfds[2];
    nfds_t n = 0;
    if (!out_eof) pfds[n++] = {out_fd, POLLIN, 0};
    if (!err_eof) pfds[n++] = {err_fd, POLLIN, 0};
    int ready = ::poll(pfds, n, kPollMs);
    if (ready < 0 && errno != EINTR) throw_errno("poll process output");
    if (ready <= 0) continue;
    for (nfds_t i = 0; i < n; ++i) {
      if (!pfds[i].revents) continue;
      bool is_stderr = pfds[i].fd == err_fd && !terminal();
      ssize_t got = ::read(pfds[i].fd, buffer.data(), buffer.size());
      if (got < 0 && (errno == EINTR || errno == EAGAIN)) continue;
      // EIO: the pty's other side is closed, the terminal's end-of-file.
      if (got == 0 || (got < 0 && errno == EIO)) {
        std::lock_guard lock(mutex_);
        (is_stderr ? stderr_eof_ : stdout_eof_) = true;
        changed_.notify_all();
        continue;
      }
      if (got < 0) throw_errno(is_stderr ? "read stderr" : "read stdout");
      OutputData chunk{is_stderr, std::string_view(buffer.data(), static_cast<size_t>(got))};
      if (!emit(chunk)) return false;
    }
  }
}

int ManagedProcess::stdin_fd() const {
  return terminal() ? stdio_.pty_master.get() : stdio_.stdin_write.get();
}

void ManagedProcess::write_stdin(std::string_view data, const std::function<bool()>& cancelled) {
  std::lock_guard lock(stdin_mutex_);
  int fd = stdin_fd();
  if (fd < 0) throw Error("stdin is closed");
  while (!data.empty()) {
    pollfd pfd{fd, POLLOUT, 0};
    int ready = ::poll(&pfd, 1, kPollMs);
    if (ready < 0 && errno != EINTR) throw_errno("poll stdin");
    if (ready <= 0) {
      if (cancelled()) return;
      continue;
    }
    ssize_t put = ::write(fd, data.data(), data.size());
    if (put < 0 && (errno == EINTR || errno == EAGAIN)) continue;
    if (put < 0) throw_errno("write stdin");
    data.remove_prefix(static_cast<size_t>(put));
  }
}

void ManagedProcess::close_stdin() {
  std::lock_guard lock(stdin_mutex_);
  if (!terminal()) stdio_.stdin_write.reset();
}

void ManagedProcess::resize(unsigned rows, unsigned cols) {
  if (!terminal()) throw Error("the process has no terminal");
  winsize size{};
  size.ws_row = static_cast<unsigned short>(rows);
  size.ws_col = static_cast<unsigned short>(cols);
  check_syscall(::ioctl(stdio_.pty_master.get(), TIOCSWINSZ, &size), "ioctl TIOCSWINSZ");
}

std::optional<int> ManagedProcess::wait(const std::function<bool()>& cancelled) {
  std::unique_lock lock(mutex_);
  while (true) {
    bool drained = (stdout_eof_ && stderr_eof_) || !reader_ever_attached_;
    if (status_ && drained) return status_;
    if (cancelled()) return std::nullopt;
    changed_.wait_for(lock, std::chrono::milliseconds(kPollMs));
  }
}

}  // namespace chrunc::agent
