#pragma once

namespace chrunc::agent {

// sync(), then reboot(RB_POWER_OFF); never returns (PID 1 must not exit).
[[noreturn]] void power_off();

}  // namespace chrunc::agent
