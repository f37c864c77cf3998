#include "agent/container/security/rlimits.hpp"

#include <sys/resource.h>

#include <array>
#include <string_view>
#include <utility>

#include "common/error.hpp"

namespace chrunc::container {
namespace {

constexpr std::array<std::pair<std::string_view, int>, 16> kRlimits{{
    {"RLIMIT_AS", RLIMIT_AS},
    {"RLIMIT_CORE", RLIMIT_CORE},
    {"RLIMIT_CPU", RLIMIT_CPU},
    {"RLIMIT_DATA", RLIMIT_DATA},
    {"RLIMIT_FSIZE", RLIMIT_FSIZE},
    {"RLIMIT_LOCKS", RLIMIT_LOCKS},
    {"RLIMIT_MEMLOCK", RLIMIT_MEMLOCK},
    {"RLIMIT_MSGQUEUE", RLIMIT_MSGQUEUE},
    {"RLIMIT_NICE", RLIMIT_NICE},
    {"RLIMIT_NOFILE", RLIMIT_NOFILE},
    {"RLIMIT_NPROC", RLIMIT_NPROC},
    {"RLIMIT_RSS", RLIMIT_RSS},
    {"RLIMIT_RTPRIO", RLIMIT_RTPRIO},
    {"RLIMIT_RTTIME", RLIMIT_RTTIME},
    {"RLIMIT_SIGPENDING", RLIMIT_SIGPENDING},
    {"RLIMIT_STACK", RLIMIT_STACK},
}};

std::string format_value(uint64_t value) {
  return value == RLIM_INFINITY ? std::string("unlimited") : std::to_string(value);
}

}  // namespace

void apply_rlimits(const std::vector<oci::Rlimit>& rlimits) {
  for (const auto& rlimit : rlimits) {
    int resource = -1;
    for (const auto& [name, value] : kRlimits)
      if (name == rlimit.type) resource = value;
    if (resource < 0) throw Error("unknown rlimit \"" + rlimit.type + "\"");
    struct rlimit64 limit {};
    limit.rlim_cur = rlimit.soft;
    limit.rlim_max = rlimit.hard;
    if (::prlimit64(0, static_cast<__rlimit_resource>(resource), &limit, nullptr) != 0)
      throw_errno("setrlimit " + rlimit.type + " soft=" + format_value(rlimit.soft) +
                  " hard=" + format_value(rlimit.hard));
  }
}

}  // namespace chrunc::container
