#include "runtime/relays/dns_relay.hpp"

#include <sys/eventfd.h>
#include <unistd.h>

#include <algorithm>
#include <atomic>
#include <fstream>
#include <future>
#include <mutex>
#include <sstream>

#include "agent/network/dns_wire.hpp"
#include "common/error.hpp"
#include "common/log.hpp"
#include "common/unique_fd.hpp"
#include "runtime/monitor/in_flight_limit.hpp"
#include "runtime/monitor/spec_rewrite.hpp"
#include "runtime/relays/dns_exchange.hpp"

namespace chrunc::runtime {

namespace fs = std::filesystem;
using namespace std::chrono_literals;

namespace {

constexpr std::streamsize kMaxResolvConf = std::streamsize{64} * 1024;

std::string join(const std::vector<std::string>& words) {
  std::string out;
  for (const auto& w : words) out += (out.empty() ? "" : " ") + w;
  return out;
}

}  // namespace

std::vector<std::string> relayed_nameservers(const oci::Spec& spec, const fs::path& bundle) {
  const oci::Mount* resolv = nullptr;
  for (const auto& m : spec.mounts)
    if (is_bind_mount(m) && fs::path(m.destination).lexically_normal() == "/etc/resolv.conf")
      resolv = &m;
  if (!resolv || resolv->source.empty()) return {};
  fs::path source = resolv->source;
  if (source.is_relative()) source = bundle / source;
  std::ifstream in(source, std::ios::binary);
  if (!in) {
    log_debug("DNS relay: cannot read " + source.string());
    return {};
  }
  std::string text(static_cast<std::size_t>(kMaxResolvConf), '\0');
  in.read(text.data(), kMaxResolvConf);
  text.resize(static_cast<std::size_t>(in.gcount()));
  return agent::loopback_nameservers(text);
}

struct DnsRelay::Shared {
  explicit Shared(std::size_t capacity) : limit(capacity) {}
  DnsRelayOptions options;
  std::vector<std::string> addresses;
  grpc::ClientContext context;
  std::unique_ptr<grpc::ClientReaderWriter<agent::v1::DnsAnswer, agent::v1::DnsQuery>> stream;
  std::mutex write_mutex;
  bool stopped = false;  // under write_mutex: no more Writes
  UniqueFd stop;         // eventfd, readable once stopping: cuts exchanges short
  InFlightLimit limit;
  std::atomic<uint64_t> dropped{0};
  std::promise<bool> ready;
};

DnsRelay::DnsRelay(agent::v1::Agent::Stub& stub, std::vector<std::string> addresses,
                   DnsRelayOptions options)
    : shared_(std::make_shared<Shared>(options.max_in_flight)) {
  shared_->options = options;
  shared_->addresses = std::move(addresses);
  shared_->stop = UniqueFd(::eventfd(0, EFD_CLOEXEC | EFD_NONBLOCK));
  if (!shared_->stop) throw_errno("DNS relay: eventfd");
  shared_->stream = stub.RelayDns(&shared_->context);
  agent::v1::DnsAnswer hello;
  for (const auto& a : shared_->addresses) hello.add_listen_addresses(a);
  auto ready = shared_->ready.get_future();
  shared_->stream->Write(hello);
  reader_ = std::thread([this] { read_queries(); });
  bool answered = ready.wait_for(options.ready_timeout) == std::future_status::ready;
  if (answered && ready.get()) return;
  if (!answered) shared_->context.TryCancel();
  reader_.join();
  grpc::Status status = shared_->stream->Finish();
  throw Error("DNS relay: the agent did not serve " + join(shared_->addresses) + ": " +
              (answered ? status.error_message()
                        : "no answer in " + std::to_string(options.ready_timeout.count()) + " ms"));
}

DnsRelay::~DnsRelay() {
  {
    std::lock_guard lock(shared_->write_mutex);
    shared_->stopped = true;
  }
  uint64_t one = 1;
  ssize_t ignored = ::write(shared_->stop.get(), &one, sizeof one);
  (void)ignored;
  shared_->context.TryCancel();
  if (reader_.joinable()) reader_.join();
  // Every exchange polls the stop eventfd: they end at once.
  if (!shared_->limit.wait_idle(2s))
    log_warn("DNS relay: queries still running at teardown");
  else
    shared_->stream->Finish();
}

uint64_t DnsRelay::dropped() const {
  return shared_->dropped.load();
}

void DnsRelay::read_queries() {
  auto shared = shared_;
  agent::v1::DnsQuery query;
  bool first = shared->stream->Read(&query);
  shared->ready.set_value(first && query.query_id() == 0);
  if (!first || query.query_id() != 0) return;
  while (shared->stream->Read(&query)) {
    const auto& servers = shared->addresses;
    bool valid = query.query_id() != 0 &&
                 std::find(servers.begin(), servers.end(), query.server()) != servers.end() &&
                 query.message().size() >= agent::kDnsHeaderSize &&
                 query.message().size() <= agent::kDnsMaxMessage;
    if (!valid || !shared->limit.try_acquire()) {
      ++shared->dropped;
      continue;
    }
    try {
      std::thread([shared, query] {
        const auto& o = shared->options;
        agent::v1::DnsAnswer answer;
        answer.set_query_id(query.query_id());
        try {
          answer.set_message(dns_exchange(query.server(), o.port, query.tcp(), query.message(),
                                          query.tcp() ? o.tcp_timeout : o.udp_timeout,
                                          shared->stop.get()));
        } catch (const std::exception& e) {
          log_debug(std::string("DNS relay: ") + e.what());
        }
        {
          std::lock_guard lock(shared->write_mutex);
          if (!shared->stopped) shared->stream->Write(answer);
        }
        shared->limit.release();
      }).detach();
    } catch (const std::system_error&) {
      shared->limit.release();  // no thread: dropped
      ++shared->dropped;
    }
  }
}

std::unique_ptr<DnsRelay> start_dns_relay(const oci::Spec& spec, const fs::path& bundle,
                                          agent::AgentClient& agent) {
  auto addresses = relayed_nameservers(spec, bundle);
  if (addresses.empty()) return nullptr;
  try {
    auto relay = std::make_unique<DnsRelay>(agent.stub(), addresses);
    log_debug("DNS relay: serving " + join(addresses) + " in the VM");
    return relay;
  } catch (const std::exception& e) {
    log_warn(e.what());
    return nullptr;
  }
}

}  // namespace chrunc::runtime
