#include "vmm/cloudhypervisor/api_client.hpp"

#include <curl/curl.h>

#include <memory>
#include <mutex>

#include "common/error.hpp"
#include "vmm/cloudhypervisor/api_json.hpp"
#include "vmm/cloudhypervisor/fd_request.hpp"

namespace chrunc::vmm::ch {
namespace {

void global_init() {
  static std::once_flag once;
  std::call_once(once, [] { curl_global_init(CURL_GLOBAL_DEFAULT); });
}

size_t collect(char* data, size_t size, size_t count, void* out) {
  static_cast<std::string*>(out)->append(data, size * count);
  return size * count;
}

// The body as one line (cloud-hypervisor's error bodies may span lines).
std::string one_line(std::string text) {
  for (char& c : text)
    if (c == '\n' || c == '\r') c = ' ';
  while (!text.empty() && text.back() == ' ') text.pop_back();
  return text;
}

struct CurlDeleter {
  void operator()(CURL* c) const { curl_easy_cleanup(c); }
};
struct SlistDeleter {
  void operator()(curl_slist* l) const { curl_slist_free_all(l); }
};

}  // namespace

ApiClient::ApiClient(std::filesystem::path api_socket, std::chrono::milliseconds timeout)
    : socket_(std::move(api_socket)), timeout_(timeout) {
  global_init();
}

ApiClient::Response ApiClient::request(const std::string& method, const std::string& endpoint,
                                       const std::string* body) {
  const std::string what = "cloud-hypervisor " + endpoint;
  std::unique_ptr<CURL, CurlDeleter> curl(curl_easy_init());
  if (!curl) throw Error(what + ": curl_easy_init failed");
  CURL* c = curl.get();
  const std::string url = "http://localhost/api/v1/" + endpoint;
  const std::string socket = socket_.string();
  Response response;
  char error[CURL_ERROR_SIZE] = "";

  std::unique_ptr<curl_slist, SlistDeleter> headers;
  auto add_header = [&](const char* h) { headers.reset(curl_slist_append(headers.release(), h)); };
  add_header("Accept: application/json");
  // An empty Expect: avoids libcurl's 1 s wait for "100 Continue".
  add_header("Expect:");

  curl_easy_setopt(c, CURLOPT_UNIX_SOCKET_PATH, socket.c_str());
  curl_easy_setopt(c, CURLOPT_URL, url.c_str());
  curl_easy_setopt(c, CURLOPT_NOSIGNAL, 1L);
  curl_easy_setopt(c, CURLOPT_TIMEOUT_MS, static_cast<long>(timeout_.count()));
  curl_easy_setopt(c, CURLOPT_ERRORBUFFER, error);
  curl_easy_setopt(c, CURLOPT_WRITEFUNCTION, collect);
  curl_easy_setopt(c, CURLOPT_WRITEDATA, &response.body);
  curl_easy_setopt(c, CURLOPT_PROTOCOLS_STR, "http");
  if (method == "PUT") {
    curl_easy_setopt(c, CURLOPT_CUSTOMREQUEST, "PUT");
    if (body != nullptr) {
      add_header("Content-Type: application/json");
      curl_easy_setopt(c, CURLOPT_POSTFIELDS, body->c_str());
      curl_easy_setopt(c, CURLOPT_POSTFIELDSIZE_LARGE, static_cast<curl_off_t>(body->size()));
    } else {
      curl_easy_setopt(c, CURLOPT_POSTFIELDS, "");
      curl_easy_setopt(c, CURLOPT_POSTFIELDSIZE_LARGE, curl_off_t{0});
    }
  } else if (method == "GET") {
    curl_easy_setopt(c, CURLOPT_HTTPGET, 1L);
  } else {
    throw Error(what + ": unsupported method " + method);
  }
  curl_easy_setopt(c, CURLOPT_HTTPHEADER, headers.get());

  CURLcode rc = curl_easy_perform(c);
  if (rc != CURLE_OK)
    throw Error(what + ": " + (error[0] ? std::string(error) : curl_easy_strerror(rc)));
  curl_easy_getinfo(c, CURLINFO_RESPONSE_CODE, &response.status);
  if (response.status < 200 || response.status >= 300) {
    std::string text = one_line(response.body);
    throw Error(what + ": HTTP " + std::to_string(response.status) +
                (text.empty() ? "" : ": " + text));
  }
  return response;
}

PingReply ApiClient::ping() {
  return parse_ping(request("GET", "vmm.ping", nullptr).body, "vmm.ping");
}
void ApiClient::shutdown_vmm() {
  request("PUT", "vmm.shutdown", nullptr);
}

void ApiClient::create(const VmCreateConfig& config) {
  const std::string body = to_json(config);
  request("PUT", "vm.create", &body);
}

void ApiClient::boot() {
  request("PUT", "vm.boot", nullptr);
}
VmInfoReply ApiClient::info() {
  return parse_vm_info(request("GET", "vm.info", nullptr).body, "vm.info");
}
void ApiClient::pause() {
  request("PUT", "vm.pause", nullptr);
}
void ApiClient::resume() {
  request("PUT", "vm.resume", nullptr);
}
void ApiClient::shutdown_vm() {
  request("PUT", "vm.shutdown", nullptr);
}

std::optional<PciDeviceInfo> ApiClient::add_device(const std::string& endpoint,
                                                   const std::string& body) {
  Response response = request("PUT", endpoint, &body);
  if (response.status == 204 || response.body.empty()) return std::nullopt;
  return parse_pci_device_info(response.body, endpoint);
}

std::optional<PciDeviceInfo> ApiClient::add_fs(const FsConfig& fs) {
  return add_device("vm.add-fs", to_json(fs));
}
std::optional<PciDeviceInfo> ApiClient::add_disk(const DiskConfig& disk) {
  return add_device("vm.add-disk", to_json(disk));
}
std::optional<PciDeviceInfo> ApiClient::add_net(const NetConfig& net) {
  return add_device("vm.add-net", to_json(net));
}
std::optional<PciDeviceInfo> ApiClient::add_net_with_fds(const NetConfig& net,
                                                         const std::vector<int>& fds) {
  FdResponse response = put_with_fds(socket_, "vm.add-net", to_json(net), fds, timeout_);
  if (response.status == 204 || response.body.empty()) return std::nullopt;
  return parse_pci_device_info(response.body, "vm.add-net");
}

void ApiClient::remove_device(const std::string& id) {
  const std::string body = remove_device_json(id);
  request("PUT", "vm.remove-device", &body);
}

void ApiClient::resize(const VmResize& resize) {
  const std::string body = to_json(resize);
  request("PUT", "vm.resize", &body);
}

void ApiClient::snapshot(const std::string& destination_url) {
  const std::string body = snapshot_json(destination_url);
  request("PUT", "vm.snapshot", &body);
}

void ApiClient::restore(const RestoreConfig& restore) {
  const std::string body = to_json(restore);
  request("PUT", "vm.restore", &body);
}

}  // namespace chrunc::vmm::ch
