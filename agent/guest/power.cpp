#include "agent/guest/power.hpp"

#include <sys/reboot.h>
#include <unistd.h>

#include <cstdio>

namespace chrunc::agent {

void power_off() {
  ::sync();
  ::reboot(RB_POWER_OFF);
  std::perror("chrunc-agent: reboot(RB_POWER_OFF)");
  while (true) ::pause();
}

}  // namespace chrunc::agent
