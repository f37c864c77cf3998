#pragma once
// One HTTP/1.1 PUT over cloud-hypervisor's API socket with file descriptors
// attached (SCM_RIGHTS on the first bytes of the request), which libcurl
// cannot do. cloud-hypervisor takes the fds of a vm.add-net request as the
// tap's (one per queue pair) instead of opening a tap by name.

#include <chrono>
#include <filesystem>
#include <string>
#include <vector>

namespace chrunc::vmm::ch {

struct FdResponse {
  long status = 0;
  std::string body;
};

// Throws chrunc::Error "cloud-hypervisor <endpoint>: ..." on transport errors
// and on HTTP status >= 300 (with the body's text).
FdResponse put_with_fds(const std::filesystem::path& api_socket, const std::string& endpoint,
                        const std::string& json_body, const std::vector<int>& fds,
                        std::chrono::milliseconds timeout);

}  // namespace chrunc::vmm::ch
