#pragma once

namespace chrunc::agent {

// Brings `lo` up (the kernel then gives it 127.0.0.1/8 and ::1).
void bring_up_loopback();

}  // namespace chrunc::agent
