#pragma once
// Test helper: a one-thread HTTP/1.1 server on a unix socket (test side only).

#include <filesystem>
#include <functional>
#include <map>
#include <mutex>
#include <string>
#include <thread>
#include <vector>

#include "common/unique_fd.hpp"

namespace chrunc::vmm::test {

struct HttpRequest {
  std::string method, target, version;
  std::map<std::string, std::string> headers;  // lower-case names
  std::string body;
  bool chunked = false;
  // Identity (st_dev:st_ino) of each fd that came with the request (SCM_RIGHTS).
  std::vector<std::string> received_fds;
};

struct HttpReply {
  int status = 204;
  std::string body;
};

class HttpTestServer {
 public:
  using Handler = std::function<HttpReply(const HttpRequest&)>;
  HttpTestServer(std::filesystem::path socket, Handler handler);
  ~HttpTestServer();

  std::vector<HttpRequest> requests() const;

 private:
  void serve();
  void handle(int fd);

  std::filesystem::path socket_;
  Handler handler_;
  UniqueFd listen_fd_;
  UniqueFd stop_read_, stop_write_;
  mutable std::mutex mutex_;
  std::vector<HttpRequest> requests_;
  std::thread thread_;
};

}  // namespace chrunc::vmm::test
