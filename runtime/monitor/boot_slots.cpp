#include "runtime/monitor/boot_slots.hpp"

#include <fcntl.h>
#include <sys/file.h>

#include <string>
#include <thread>

#include "common/error.hpp"
#include "common/private_dir.hpp"

namespace chrunc::runtime {

BootSlot BootSlot::acquire(unsigned slots, std::chrono::milliseconds wait,
                           const std::filesystem::path& dir) {
  if (slots == 0) slots = 1;
  make_owned_dir(dir.parent_path(), 0711, false);
  make_owned_dir(dir, 0700, true);
  const auto until = std::chrono::steady_clock::now() + wait;
  for (;;) {
    for (unsigned i = 0; i < slots; ++i) {
      const auto file = dir / ("slot-" + std::to_string(i));
      UniqueFd fd(::open(file.c_str(), O_RDWR | O_CREAT | O_NOFOLLOW | O_CLOEXEC, 0600));
      if (!fd) throw_errno("boot slot " + file.string());
      if (::flock(fd.get(), LOCK_EX | LOCK_NB) == 0) {
        BootSlot slot;
        slot.lock_ = std::move(fd);
        return slot;
      }
      if (errno != EWOULDBLOCK && errno != EINTR) throw_errno("boot slot " + file.string());
    }
    if (std::chrono::steady_clock::now() >= until)
      throw Error("boot: " + std::to_string(slots) +
                  " other VMs were booting on this host (TCG) for all of " +
                  std::to_string(wait.count() / 1000) + " s; no boot slot came free");
    std::this_thread::sleep_for(std::chrono::milliseconds(50));
  }
}

}  // namespace chrunc::runtime
