#include "runtime/store/timing_log.hpp"

#include <fcntl.h>
#include <time.h>
#include <unistd.h>

#include <cstdio>
#include <string>

namespace chrunc::runtime {

void timing_mark(const std::filesystem::path& state_dir, std::string_view phase) {
  timespec real{}, mono{};
  ::clock_gettime(CLOCK_REALTIME, &real);
  ::clock_gettime(CLOCK_MONOTONIC, &mono);
  char buf[160];
  int n =
      std::snprintf(buf, sizeof buf, "%.*s %lld.%09ld %lld.%09ld\n", static_cast<int>(phase.size()),
                    phase.data(), static_cast<long long>(real.tv_sec), real.tv_nsec,
                    static_cast<long long>(mono.tv_sec), mono.tv_nsec);
  if (n <= 0) return;
  std::string path = (state_dir / "timing.log").string();
  int fd = ::open(path.c_str(), O_WRONLY | O_CREAT | O_APPEND | O_CLOEXEC, 0600);
  if (fd < 0) return;
  ssize_t ignored = ::write(fd, buf, static_cast<size_t>(n));
  (void)ignored;
  ::close(fd);
}

}  // namespace chrunc::runtime
