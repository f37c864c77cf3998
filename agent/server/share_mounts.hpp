#pragma once
// The virtiofs shares of one container, mounted (shared) at their guest paths and
// unmounted (lazily, in reverse order) when this object goes away.

#include <string>
#include <vector>

#include "agent/agent.pb.h"

namespace chrunc::agent {

class ShareMounts {
 public:
  // Mounts every share (mkdir -p of its guest_path first). On failure,
  // unmounts what it mounted and throws "mount virtiofs <tag> on <path>: <cause>".
  explicit ShareMounts(const google::protobuf::RepeatedPtrField<v1::SharedDirectory>& shares);
  ~ShareMounts();
  ShareMounts(const ShareMounts&) = delete;
  ShareMounts& operator=(const ShareMounts&) = delete;

 private:
  void unmount_all() noexcept;
  std::vector<std::string> mounted_;
};

}  // namespace chrunc::agent
