#include "vmm/console_log.hpp"

#include <fcntl.h>
#include <poll.h>
#include <sys/eventfd.h>
#include <sys/stat.h>

#include <algorithm>
#include <cerrno>
#include <cstring>
#include <string>
#include <vector>

#include "common/error.hpp"
#include "common/log.hpp"

namespace chrunc::vmm {
namespace {

UniqueFd open_log(const std::filesystem::path& path, int extra_flags) {
  UniqueFd fd(::open(path.c_str(),
                     O_WRONLY | O_CREAT | O_APPEND | O_CLOEXEC | O_NOFOLLOW | extra_flags, 0600));
  if (!fd) throw_errno("console log: open " + path.string());
  return fd;
}

bool write_all(int fd, const char* data, size_t size) {
  while (size > 0) {
    ssize_t n = ::write(fd, data, size);
    if (n < 0 && errno == EINTR) continue;
    if (n <= 0) return false;
    data += n;
    size -= static_cast<size_t>(n);
  }
  return true;
}

}  // namespace

ConsoleLog::ConsoleLog(std::filesystem::path fifo, std::filesystem::path log, size_t max_bytes)
    : fifo_(std::move(fifo)), log_(std::move(log)), max_bytes_(std::max<size_t>(max_bytes, 4096)) {
  std::error_code ec;
  std::filesystem::remove(fifo_, ec);
  if (::mkfifo(fifo_.c_str(), 0600) != 0) throw_errno("console log: mkfifo " + fifo_.string());
  pipe_ = UniqueFd(::open(fifo_.c_str(), O_RDWR | O_NONBLOCK | O_CLOEXEC | O_NOFOLLOW));
  if (!pipe_) {
    int saved = errno;
    std::filesystem::remove(fifo_, ec);
    errno = saved;
    throw_errno("console log: open " + fifo_.string());
  }
  // A larger pipe: the VMM's writes stall its vCPU less while this thread
  // catches up (best effort: pipe-max-size may forbid it).
  (void)::fcntl(pipe_.get(), F_SETPIPE_SZ, 1 << 20);
  stop_ = UniqueFd(::eventfd(0, EFD_CLOEXEC | EFD_NONBLOCK));
  if (!stop_) throw_errno("console log: eventfd");
  file_ = open_log(log_, 0);
  struct stat st {};
  if (::fstat(file_.get(), &st) == 0) size_ = static_cast<size_t>(st.st_size);
  thread_ = std::thread([this] { run(); });
}

ConsoleLog::~ConsoleLog() {
  close();
}

void ConsoleLog::close() noexcept {
  if (thread_.joinable()) {
    uint64_t one = 1;
    ssize_t ignored = ::write(stop_.get(), &one, sizeof one);
    (void)ignored;
    thread_.join();
  }
  if (pipe_) {
    pipe_.reset();
    std::error_code ec;
    std::filesystem::remove(fifo_, ec);
  }
}

void ConsoleLog::run() {
  // A quarter of the cap at most per read, so one read always fits after a compaction.
  std::vector<char> buffer(std::min<size_t>(64 * 1024, max_bytes_ / 4));
  bool stopping = false;
  for (;;) {
    pollfd fds[2] = {{pipe_.get(), POLLIN, 0}, {stop_.get(), POLLIN, 0}};
    if (!stopping && ::poll(fds, 2, -1) < 0) {
      if (errno == EINTR) continue;
      return;
    }
    if (fds[1].revents != 0) stopping = true;
    // Everything there is now (when stopping: until the FIFO is empty).
    for (;;) {
      ssize_t n = ::read(pipe_.get(), buffer.data(), buffer.size());
      if (n < 0 && errno == EINTR) continue;
      if (n <= 0) break;
      append(buffer.data(), static_cast<size_t>(n));
    }
    if (stopping) return;
  }
}

void ConsoleLog::append(const char* data, size_t size) {
  if (size_ + size > max_bytes_) compact();
  if (!file_ || !write_all(file_.get(), data, size)) {
    if (!write_failed_) log_warn("console log " + log_.string() + ": " + std::strerror(errno));
    write_failed_ = true;
    return;
  }
  size_ += size;
}

void ConsoleLog::compact() {
  // The last part of the log, from the first line start in it.
  const size_t keep = max_bytes_ / 2 - std::strlen(kDroppedLine);
  std::string tail(std::min(keep, size_), '\0');
  UniqueFd in(::open(log_.c_str(), O_RDONLY | O_CLOEXEC | O_NOFOLLOW));
  ssize_t got =
      in ? ::pread(in.get(), tail.data(), tail.size(), static_cast<off_t>(size_ - tail.size()))
         : -1;
  tail.resize(got > 0 ? static_cast<size_t>(got) : 0);
  if (auto newline = tail.find('\n'); newline != std::string::npos && newline + 1 < tail.size())
    tail.erase(0, newline + 1);
  const std::filesystem::path temporary = log_.string() + ".tmp";
  std::error_code ec;
  std::filesystem::remove(temporary, ec);
  try {
    UniqueFd out = open_log(temporary, O_EXCL | O_TRUNC);
    const std::string head = kDroppedLine;
    if (!write_all(out.get(), head.data(), head.size()) ||
        !write_all(out.get(), tail.data(), tail.size()))
      throw_errno("console log: write " + temporary.string());
    if (::rename(temporary.c_str(), log_.c_str()) != 0)
      throw_errno("console log: rename to " + log_.string());
    file_ = std::move(out);
    size_ = head.size() + tail.size();
  } catch (const Error& e) {
    std::filesystem::remove(temporary, ec);
    // Rather nothing than an unbounded log: start it again, empty.
    if (!write_failed_) log_warn(e.what());
    write_failed_ = true;
    file_ = UniqueFd(::open(log_.c_str(), O_WRONLY | O_TRUNC | O_APPEND | O_CLOEXEC | O_NOFOLLOW));
    size_ = 0;
  }
}

}  // namespace chrunc::vmm
