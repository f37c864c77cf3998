#include "runtime/relays/stdio_relay.hpp"

#include <poll.h>
#include <sys/eventfd.h>
#include <unistd.h>

#include <condition_variable>
#include <mutex>

#include "common/error.hpp"
#include "common/log.hpp"

namespace chrunc::runtime {

bool write_fully(int fd, const char* data, size_t size) {
  while (size > 0) {
    ssize_t n = ::write(fd, data, size);
    if (n < 0) {
      if (errno == EINTR) continue;
      if (errno == EAGAIN) {
        pollfd p{fd, POLLOUT, 0};
        ::poll(&p, 1, 1000);
        continue;
      }
      return false;
    }
    data += n;
    size -= static_cast<size_t>(n);
  }
  return true;
}

struct OutputRelay::Shared {
  std::mutex mutex;
  std::condition_variable done_cv;
  bool done = false;
  grpc::ClientContext context;
};

OutputRelay::OutputRelay(agent::AgentClient& agent, const std::string& container_id,
                         const std::string& exec_id, int out_fd, int err_fd)
    : shared_(std::make_shared<Shared>()) {
  agent::v1::ProcessRef ref;
  ref.set_container_id(container_id);
  ref.set_exec_id(exec_id);
  auto shared = shared_;
  auto* stub = &agent.stub();
  thread_ = std::thread([shared, stub, ref, out_fd, err_fd] {
    bool out_ok = out_fd >= 0, err_ok = err_fd >= 0;
    auto reader = stub->ReadOutput(&shared->context, ref);
    agent::v1::OutputChunk chunk;
    while (reader->Read(&chunk)) {
      const std::string& data = chunk.data();
      if (chunk.stream() == agent::v1::OutputChunk::STDERR) {
        if (err_ok) err_ok = write_fully(err_fd, data.data(), data.size());
      } else if (out_ok) {
        out_ok = write_fully(out_fd, data.data(), data.size());
      }
    }
    grpc::Status status = reader->Finish();
    if (!status.ok() && status.error_code() != grpc::StatusCode::CANCELLED)
      log_debug("ReadOutput ended: " + status.error_message());
    std::lock_guard lock(shared->mutex);
    shared->done = true;
    shared->done_cv.notify_all();
  });
}

bool OutputRelay::finish(std::chrono::milliseconds timeout) {
  bool ended;
  {
    std::unique_lock lock(shared_->mutex);
    ended = shared_->done_cv.wait_for(lock, timeout, [&] { return shared_->done; });
  }
  if (!ended) shared_->context.TryCancel();
  if (thread_.joinable()) thread_.join();
  return ended;
}

OutputRelay::~OutputRelay() {
  if (thread_.joinable()) {
    shared_->context.TryCancel();
    thread_.join();
  }
}

StdinRelay::StdinRelay(agent::AgentClient& agent, const std::string& container_id,
                       const std::string& exec_id, int in_fd)
    : stop_(::eventfd(0, EFD_CLOEXEC)), context_(std::make_unique<grpc::ClientContext>()) {
  if (!stop_) throw_errno("eventfd");
  agent::v1::ProcessRef ref;
  ref.set_container_id(container_id);
  ref.set_exec_id(exec_id);
  auto* stub = &agent.stub();
  auto* context = context_.get();
  int stop_fd = stop_.get();
  thread_ = std::thread([stub, context, ref, in_fd, stop_fd] {
    agent::v1::Empty reply;
    auto writer = stub->WriteStdin(context, &reply);
    agent::v1::StdinChunk first;
    *first.mutable_process() = ref;
    bool ok = writer->Write(first);
    char buf[16384];
    while (ok) {
      pollfd fds[2] = {{in_fd, POLLIN, 0}, {stop_fd, POLLIN, 0}};
      int n = ::poll(fds, 2, -1);
      if (n < 0) {
        if (errno == EINTR) continue;
        break;
      }
      if (fds[1].revents) {
        context->TryCancel();
        return (void)writer->Finish();
      }
      if (fds[0].revents == 0) continue;
      ssize_t r = ::read(in_fd, buf, sizeof buf);
      if (r < 0 && (errno == EINTR || errno == EAGAIN)) continue;
      if (r <= 0) break;  // end-of-file (or a broken fd): close the process's stdin
      agent::v1::StdinChunk chunk;
      chunk.set_data(buf, static_cast<size_t>(r));
      ok = writer->Write(chunk);
    }
    writer->WritesDone();
    grpc::Status status = writer->Finish();
    if (!status.ok()) log_debug("WriteStdin ended: " + status.error_message());
  });
}

StdinRelay::~StdinRelay() {
  uint64_t one = 1;
  ssize_t ignored = ::write(stop_.get(), &one, sizeof one);
  (void)ignored;
  if (thread_.joinable()) thread_.join();
}

}  // namespace chrunc::runtime
