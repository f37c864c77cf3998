// Test double of the cloud-hypervisor binary: serves the REST API on
// --api-socket, checks every request against the OpenAPI contract (HTTP 400
// with the problems otherwise), answers hybrid vsock CONNECTs after vm.boot,
// and exits on vmm.shutdown. Records its argv and environment in
// <api socket>.argv / .env. A kernel path containing "fail-boot" makes
// vm.boot fail with HTTP 500.
#include <rapidjson/document.h>
#include <rapidjson/stringbuffer.h>
#include <rapidjson/writer.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <unistd.h>

#include <condition_variable>
#include <cstring>
#include <fstream>
#include <iostream>
#include <memory>
#include <mutex>
#include <thread>

#include "http_test_server.hpp"
#include "openapi_checker.hpp"

extern char** environ;

namespace {

using namespace chrunc::vmm::test;

std::mutex mutex;
std::condition_variable cv;
bool quit = false;
std::string state = "NotCreated";
std::string config_json;
std::string vsock_path;
std::thread vsock_thread;
int vsock_fd = -1;

void serve_vsock() {
  for (;;) {
    int c = ::accept(vsock_fd, nullptr, nullptr);
    if (c < 0) return;
    char buf[64] = {};
    ssize_t n = ::read(c, buf, sizeof buf - 1);
    if (n > 0 && std::strcmp(buf, "CONNECT 1024\n") == 0) {
      const char reply[] = "OK 1073741824\nHELLO\n";
      (void)!::write(c, reply, sizeof reply - 1);
    }
    ::close(c);
  }
}

void start_vsock() {
  vsock_fd = ::socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
  sockaddr_un addr{};
  addr.sun_family = AF_UNIX;
  std::strncpy(addr.sun_path, vsock_path.c_str(), sizeof addr.sun_path - 1);
  ::bind(vsock_fd, reinterpret_cast<sockaddr*>(&addr), sizeof addr);
  ::listen(vsock_fd, 8);
  vsock_thread = std::thread(serve_vsock);
  vsock_thread.detach();
}

HttpReply handle(const OpenApiChecker& checker, const HttpRequest& r) {
  auto problems = checker.check(r.method, r.target, r.body);
  if (!problems.empty()) {
    std::string text;
    for (const auto& p : problems) text += p + "; ";
    return {400, "contract violation: " + text};
  }
  const std::string ep = r.target.substr(r.target.rfind('/') + 1);
  std::lock_guard lock(mutex);
  if (ep == "vmm.ping")
    return {200, R"({"version":"fake-40.0","pid":)" + std::to_string(::getpid()) + "}"};
  if (ep == "vmm.shutdown") {
    quit = true;
    cv.notify_all();
    return {204, ""};
  }
  if (ep == "vm.create") {
    if (state != "NotCreated") return {400, "VM already created"};
    rapidjson::Document doc;
    doc.Parse(r.body.c_str());
    vsock_path = doc["vsock"]["socket"].GetString();
    config_json = r.body;
    state = "Created";
    return {204, ""};
  }
  if (state == "NotCreated") return {404, "Error: VM is not created"};
  if (ep == "vm.boot") {
    if (config_json.find("fail-boot") != std::string::npos)
      return {500, "Error booting VM: VmBoot(KernelLoad(\"bad kernel\"))"};
    state = "Running";
    start_vsock();
    return {204, ""};
  }
  if (ep == "vm.info")
    return {200, R"({"config":)" + config_json + R"(,"state":")" + state + "\"}"};
  if (ep == "vm.pause") {
    if (state != "Running") return {405, "VM not running"};
    state = "Paused";
    return {204, ""};
  }
  if (ep == "vm.resume") {
    if (state != "Paused") return {405, "VM not paused"};
    state = "Running";
    return {204, ""};
  }
  if (ep == "vm.shutdown") {
    state = "Shutdown";
    return {204, ""};
  }
  return {204, ""};
}

}  // namespace

int main(int argc, char** argv) {
  std::string api_socket;
  for (int i = 1; i + 1 < argc; ++i) {
    std::string arg = argv[i];
    if (arg == "--api-socket") api_socket = std::string(argv[i + 1]).substr(std::strlen("path="));
  }
  if (api_socket.empty()) {
    std::cerr << "fake cloud-hypervisor: --api-socket path=... missing" << std::endl;
    return 2;
  }
  {
    std::ofstream args(api_socket + ".argv");
    for (int i = 0; i < argc; ++i) args << argv[i] << "\n";
    std::ofstream env(api_socket + ".env");
    for (char** e = environ; *e; ++e) env << *e << "\n";
  }
  OpenApiChecker checker(openapi_contract_path());
  HttpTestServer server(api_socket, [&](const HttpRequest& r) { return handle(checker, r); });
  std::unique_lock lock(mutex);
  cv.wait(lock, [] { return quit; });
  lock.unlock();
  std::this_thread::sleep_for(std::chrono::milliseconds(50));  // let the reply go out
  if (!vsock_path.empty()) ::unlink(vsock_path.c_str());
  ::_exit(0);
}
