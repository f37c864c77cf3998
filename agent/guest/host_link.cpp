#include "agent/guest/host_link.hpp"

#include <fcntl.h>
#include <poll.h>
#include <sys/ioctl.h>
#include <sys/socket.h>
#include <unistd.h>
// clang-format off
#include <linux/vm_sockets.h>
// clang-format on

#include <string>
#include <thread>

#include "agent/guest/stream_bridge.hpp"
#include "agent/guest/virtio_port.hpp"
#include "agent/transport_names.hpp"
#include "common/error.hpp"

namespace chrunc::agent {

namespace {
using Clock = std::chrono::steady_clock;

void log(const HostLinkOptions& options, const std::string& line) {
  if (options.debug) options.debug(line.c_str());
}

// The gRPC side of the host's next connection, made before the host comes:
// a socketpair, one end given to the server (which sets up its HTTP/2
// transport, tens of ms of guest CPU under TCG, off the first call's path),
// the other kept for the bridge. Made again if the server has closed it by
// the time the host connects.
class NextConnection {
 public:
  explicit NextConnection(FdServer& server) : server_(server) { prepare(); }

  // Bridges `host` to the prepared connection until either side ends, then
  // prepares the next one.
  void serve(int host, const std::string& initial) {
    pollfd pfd{bridge_end_.get(), POLLRDHUP, 0};
    if (::poll(&pfd, 1, 0) > 0 && (pfd.revents & (POLLRDHUP | POLLHUP | POLLERR))) prepare();
    run_bridge(host, std::move(bridge_end_), initial);
    prepare();
  }

 private:
  void prepare() {
    int pair[2];
    check_syscall(::socketpair(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0, pair), "socketpair");
    bridge_end_ = UniqueFd(pair[0]);
    server_.add_connection(UniqueFd(pair[1]));
  }

  FdServer& server_;
  UniqueFd bridge_end_;
};

[[noreturn]] void serve_virtio_port(FdServer& server, const std::string& device,
                                    const HostLinkOptions& options) {
  UniqueFd port(::open(device.c_str(), O_RDWR | O_CLOEXEC | O_NOCTTY));
  if (!port) throw_errno("open " + device);
  NextConnection next(server);
  log(options, "serving on " + device);
  if (options.serving) options.serving();
  std::optional<Clock::time_point> disconnected_at;
  std::string first(64 * 1024, '\0');
  while (true) {
    // The port reads EOF (and polls POLLHUP) until the host connects.
    ssize_t n = ::read(port.get(), first.data(), first.size());
    if (n > 0) {
      log(options, "host connected");
      next.serve(port.get(), first.substr(0, static_cast<size_t>(n)));
      log(options, "host disconnected");
      disconnected_at = Clock::now();
      continue;
    }
    if (n < 0 && errno != EINTR && errno != EAGAIN) throw_errno("read " + device);
    if (disconnected_at && Clock::now() - *disconnected_at > options.reconnect_grace &&
        options.gone)
      options.gone();
    std::this_thread::sleep_for(std::chrono::milliseconds(10));
  }
}

[[noreturn]] void serve_vsock(FdServer& server, const HostLinkOptions& options) {
  UniqueFd listener(
      check_syscall(::socket(AF_VSOCK, SOCK_STREAM | SOCK_CLOEXEC, 0), "socket AF_VSOCK"));
  sockaddr_vm address{};
  address.svm_family = AF_VSOCK;
  address.svm_cid = VMADDR_CID_ANY;
  address.svm_port = kVsockPort;
  check_syscall(::bind(listener.get(), reinterpret_cast<sockaddr*>(&address), sizeof address),
                "bind vsock port " + std::to_string(kVsockPort));
  check_syscall(::listen(listener.get(), 4), "listen vsock");
  NextConnection next(server);
  log(options, "listening on vsock port " + std::to_string(kVsockPort));
  if (options.serving) options.serving();
  std::optional<Clock::time_point> disconnected_at;
  while (true) {
    pollfd pfd{listener.get(), POLLIN, 0};
    int ready = ::poll(&pfd, 1, 500);
    if (ready <= 0) {
      if (disconnected_at && Clock::now() - *disconnected_at > options.reconnect_grace &&
          options.gone)
        options.gone();
      continue;
    }
    sockaddr_vm peer{};
    socklen_t length = sizeof peer;
    UniqueFd connection(
        ::accept4(listener.get(), reinterpret_cast<sockaddr*>(&peer), &length, SOCK_CLOEXEC));
    if (!connection) continue;
    if (peer.svm_cid != kVsockHostCid) {
      log(options, "refused vsock peer cid " + std::to_string(peer.svm_cid));
      continue;
    }
    log(options, "host connected");
    next.serve(connection.get(), "");
    log(options, "host disconnected");
    disconnected_at = Clock::now();
  }
}

// /dev/vsock exists whenever the vsock module is loaded; only a guest
// transport (a virtio vsock device) gives this VM a CID.
bool have_vsock_transport() {
  UniqueFd dev(::open("/dev/vsock", O_RDONLY | O_CLOEXEC));
  if (!dev) return false;
  unsigned int cid = VMADDR_CID_ANY;
  if (::ioctl(dev.get(), IOCTL_VM_SOCKETS_GET_LOCAL_CID, &cid) != 0) return false;
  return cid != VMADDR_CID_ANY && cid > VMADDR_CID_HOST;
}
}  // namespace

void serve_host(FdServer& server, const HostLinkOptions& options) {
  if (have_vsock_transport()) serve_vsock(server, options);
  auto device = find_virtio_port(kVirtioSerialPortName, options.device_timeout);
  if (!device)
    throw Error(std::string("no host transport: no /dev/vsock and no virtio-serial port named ") +
                kVirtioSerialPortName);
  serve_virtio_port(server, *device, options);
}

}  // namespace chrunc::agent
