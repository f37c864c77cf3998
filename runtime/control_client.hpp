#pragma once
// The CLI side of <state dir>/monitor.sock (see control_socket.hpp).

#include <rapidjson/document.h>

#include <filesystem>
#include <string>
#include <vector>

#include "common/unique_fd.hpp"

namespace chrunc::runtime {

// Compact JSON text of a RapidJSON value.
std::string json_text(const rapidjson::Value& value);
// Parses a response; throws "monitor: invalid response" when it is not an object.
rapidjson::Document parse_control_json(const std::string& text);

class MonitorClient {
 public:
  // Connects to <state_dir>/monitor.sock; throws when the monitor is not there.
  explicit MonitorClient(const std::filesystem::path& state_dir);

  // Sends one request (an object with "command") and returns the first answer.
  // An answer {"error": "..."} is thrown as chrunc::Error with that text.
  rapidjson::Document call(const rapidjson::Value& request, const std::vector<int>& fds = {});
  // The next answer on the same connection (exec's exit status).
  rapidjson::Document next();
  // A further message on the same connection, no answer (exec's "signal" and "resize").
  void send(const rapidjson::Value& message);
  int fd() const { return sock_.get(); }

 private:
  UniqueFd sock_;
};

// A request without arguments, e.g. {"command":"start"}; returns the answer.
rapidjson::Document call_monitor(const std::filesystem::path& state_dir, const char* command);

}  // namespace chrunc::runtime
