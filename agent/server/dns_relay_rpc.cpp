// RelayDns of AgentService (see agent_service.hpp and docs/networking.md,
// "Name resolution"): the listeners live as long as the stream.
#include <memory>
#include <mutex>

#include "agent/network/dns_listener.hpp"
#include "agent/server/agent_service.hpp"
#include "common/error.hpp"

namespace chrunc::agent {

grpc::Status AgentService::RelayDns(grpc::ServerContext*,
                                    grpc::ServerReaderWriter<v1::DnsQuery, v1::DnsAnswer>* stream) {
  v1::DnsAnswer message;
  if (!stream->Read(&message)) return grpc::Status::OK;  // closed before it began
  DnsListenerOptions options;
  options.addresses.assign(message.listen_addresses().begin(), message.listen_addresses().end());
  options.port = options_.dns_port;
  std::mutex write_mutex;  // Write: the first message here, then the listener's thread
  std::unique_ptr<DnsListener> listener;
  if (auto status = guarded([&] {
        listener = std::make_unique<DnsListener>(options, [stream, &write_mutex](const auto& q) {
          std::lock_guard lock(write_mutex);
          stream->Write(q);
        });
      });
      !status.ok())
    return status;
  {
    std::lock_guard lock(write_mutex);
    stream->Write(v1::DnsQuery{});  // query_id 0: bound
  }
  while (stream->Read(&message))
    if (message.query_id() != 0) listener->answer(message.query_id(), message.message());
  return grpc::Status::OK;  // the listener closes its sockets here
}

}  // namespace chrunc::agent
