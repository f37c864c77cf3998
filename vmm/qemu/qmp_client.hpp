#pragma once
// A QMP (QEMU Machine Protocol) client over QEMU's -qmp unix socket.

#include <rapidjson/document.h>

#include <chrono>
#include <filesystem>
#include <functional>
#include <string>
#include <vector>

#include "common/unique_fd.hpp"

namespace chrunc::vmm::qemu {

class QmpClient {
 public:
  // Connects (retrying until `timeout` while `alive()` says QEMU runs),
  // reads the greeting and negotiates capabilities.
  static QmpClient connect(const std::filesystem::path& socket, std::chrono::milliseconds timeout,
                           const std::function<bool()>& alive = nullptr);

  // Sends {"execute": command[, "arguments": arguments]} and returns the
  // "return" member. Throws chrunc::Error "QMP <command>: <desc>" on an error
  // reply, EOF or timeout. Events that arrive meanwhile are kept in events().
  rapidjson::Document execute(const std::string& command,
                              const rapidjson::Value* arguments = nullptr);

  std::string query_status();  // "running", "paused", "shutdown", ...
  void stop();
  void cont();
  void system_powerdown();
  // Asks QEMU to exit; the connection closing before the reply counts as success.
  void quit();

  // Names of the asynchronous events seen so far ("STOP", "RESUME", "SHUTDOWN", ...).
  const std::vector<std::string>& events() const { return events_; }
  void set_timeout(std::chrono::milliseconds timeout) { timeout_ = timeout; }

 private:
  explicit QmpClient(UniqueFd fd) : fd_(std::move(fd)) {}
  rapidjson::Document read_message(const std::string& context);

  UniqueFd fd_;
  std::string buffer_;
  std::vector<std::string> events_;
  std::chrono::milliseconds timeout_{5000};
};

}  // namespace chrunc::vmm::qemu
