#pragma once
// A gRPC server without listening ports: connections are handed to it as
// connected stream sockets (the guest's transports produce them).

#include <grpcpp/grpcpp.h>

#include <memory>

#include "common/unique_fd.hpp"

namespace chrunc::agent {

class FdServer {
 public:
  explicit FdServer(grpc::Service& service);
  ~FdServer();
  // Serves one connection (the fd is set O_NONBLOCK; gRPC owns it from now on).
  void add_connection(UniqueFd connected_socket);

 private:
  std::unique_ptr<grpc::Server> server_;
};

}  // namespace chrunc::agent
