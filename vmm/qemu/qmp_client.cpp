#include "vmm/qemu/qmp_client.hpp"

#include <rapidjson/stringbuffer.h>
#include <rapidjson/writer.h>
#include <unistd.h>

#include <thread>

#include "common/error.hpp"
#include "vmm/unix_socket.hpp"

namespace chrunc::vmm::qemu {

QmpClient QmpClient::connect(const std::filesystem::path& socket, std::chrono::milliseconds timeout,
                             const std::function<bool()>& alive) {
  const auto deadline = std::chrono::steady_clock::now() + timeout;
  UniqueFd fd;
  for (;;) {
    fd = try_connect_unix(socket);
    if (fd) break;
    if (alive && !alive())
      throw Error("QMP: QEMU exited before its socket " + socket.string() + " accepted");
    if (std::chrono::steady_clock::now() > deadline)
      throw Error("QMP: cannot connect to " + socket.string() + " in time");
    std::this_thread::sleep_for(std::chrono::milliseconds(5));
  }
  QmpClient client(std::move(fd));
  client.timeout_ = std::max(timeout, std::chrono::milliseconds(1000));
  rapidjson::Document greeting = client.read_message("greeting");
  if (!greeting.IsObject() || !greeting.HasMember("QMP"))
    throw Error("QMP: unexpected greeting from " + socket.string());
  client.execute("qmp_capabilities");
  client.timeout_ = std::chrono::milliseconds(5000);
  return client;
}

rapidjson::Document QmpClient::read_message(const std::string& context) {
  const auto deadline = std::chrono::steady_clock::now() + timeout_;
  for (;;) {
    size_t newline = buffer_.find('\n');
    if (newline != std::string::npos) {
      std::string line = buffer_.substr(0, newline);
      buffer_.erase(0, newline + 1);
      if (line.find_first_not_of(" \r\t") == std::string::npos) continue;
      rapidjson::Document doc;
      doc.Parse(line.c_str(), line.size());
      if (doc.HasParseError() || !doc.IsObject())
        throw Error("QMP " + context + ": malformed reply: " + line);
      return doc;
    }
    auto left = std::chrono::duration_cast<std::chrono::milliseconds>(
        deadline - std::chrono::steady_clock::now());
    if (left.count() <= 0 || !wait_readable(fd_.get(), left))
      throw Error("QMP " + context + ": no reply in time");
    char chunk[4096];
    ssize_t n = ::read(fd_.get(), chunk, sizeof chunk);
    if (n < 0 && errno == EINTR) continue;
    if (n < 0) throw_errno("QMP " + context + ": read");
    if (n == 0) throw Error("QMP " + context + ": QEMU closed the connection");
    buffer_.append(chunk, static_cast<size_t>(n));
  }
}

rapidjson::Document QmpClient::execute(const std::string& command,
                                       const rapidjson::Value* arguments) {
  rapidjson::StringBuffer out;
  rapidjson::Writer<rapidjson::StringBuffer> writer(out);
  writer.StartObject();
  writer.Key("execute");
  writer.String(command.c_str(), static_cast<rapidjson::SizeType>(command.size()));
  if (arguments != nullptr) {
    writer.Key("arguments");
    arguments->Accept(writer);
  }
  writer.EndObject();
  send_all(fd_.get(), std::string(out.GetString(), out.GetSize()) + "\n",
           "QMP " + command + ": write");
  for (;;) {
    rapidjson::Document reply = read_message(command);
    if (reply.HasMember("event") && reply["event"].IsString()) {
      events_.push_back(reply["event"].GetString());
      continue;
    }
    if (reply.HasMember("error")) {
      const auto& error = reply["error"];
      std::string desc = error.IsObject() && error.HasMember("desc") && error["desc"].IsString()
                             ? error["desc"].GetString()
                             : "unknown error";
      throw Error("QMP " + command + ": " + desc);
    }
    if (reply.HasMember("return")) {
      rapidjson::Document result;
      result.CopyFrom(reply["return"], result.GetAllocator());
      return result;
    }
  }
}

std::string QmpClient::query_status() {
  rapidjson::Document status = execute("query-status");
  if (!status.IsObject() || !status.HasMember("status") || !status["status"].IsString())
    throw Error("QMP query-status: reply without a status");
  return status["status"].GetString();
}

void QmpClient::stop() {
  execute("stop");
}
void QmpClient::cont() {
  execute("cont");
}
void QmpClient::system_powerdown() {
  execute("system_powerdown");
}

void QmpClient::quit() {
  try {
    execute("quit");
  } catch (const Error& e) {
    if (std::string(e.what()).find("closed the connection") == std::string::npos) throw;
  }
}

}  // namespace chrunc::vmm::qemu
