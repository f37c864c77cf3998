#pragma once
// The virtiofs shares of one container, mounted (shared) at their guest paths and
// unmounted (lazily, in reverse order) when this object goes away.

#include <optional>
#include <string>
#include <vector>

#include "agent/agent.pb.h"

namespace chrunc::agent {

// A share mounted before any container asked for it (a standby's, see
// agent/transport_names.hpp): shared, writable, at `guest_path`.
struct Premount {
  std::string tag, guest_path;
  // Mounts it as ShareMounts would; throws "mount virtiofs <tag> on <path>: <cause>".
  static Premount mount(std::string tag, std::string guest_path);
};

class ShareMounts {
 public:
  // Mounts every share (mkdir -p of its guest_path first); a writable share
  // with the tag and path of `premount` is taken as it is, not mounted again.
  // `premount` is owned from the start: unmounted at once when no share takes
  // it, and with the others on failure or destruction. On failure, unmounts
  // and throws "mount virtiofs <tag> on <path>: <cause>".
  explicit ShareMounts(const google::protobuf::RepeatedPtrField<v1::SharedDirectory>& shares,
                       const std::optional<Premount>& premount = std::nullopt);
  ~ShareMounts();
  ShareMounts(const ShareMounts&) = delete;
  ShareMounts& operator=(const ShareMounts&) = delete;

 private:
  void unmount_all() noexcept;
  std::vector<std::string> mounted_;
};

}  // namespace chrunc::agent
