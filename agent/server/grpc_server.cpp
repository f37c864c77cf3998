#include "agent/server/grpc_server.hpp"

#include <fcntl.h>
#include <grpcpp/server_posix.h>

#include "common/error.hpp"

namespace chrunc::agent {

FdServer::FdServer(grpc::Service& service) {
  grpc::ServerBuilder builder;
  builder.RegisterService(&service);
  // Large writes of container output arrive as one chunk each; allow them.
  builder.SetMaxReceiveMessageSize(64 * 1024 * 1024);
  server_ = builder.BuildAndStart();
  if (!server_) throw Error("agent: cannot start the gRPC server");
}

FdServer::~FdServer() {
  server_->Shutdown(std::chrono::system_clock::now() + std::chrono::milliseconds(100));
}

void FdServer::add_connection(UniqueFd connected_socket) {
  int fd = connected_socket.get();
  int flags = check_syscall(::fcntl(fd, F_GETFL), "fcntl F_GETFL");
  check_syscall(::fcntl(fd, F_SETFL, flags | O_NONBLOCK), "fcntl O_NONBLOCK");
  grpc::AddInsecureChannelFromFd(server_.get(), connected_socket.release());
}

}  // namespace chrunc::agent
