#pragma once
// Flag values in the forms runc accepts. Each throws chrunc::Error naming the
// flag and the bad value: `invalid value "x" for --memory: ...`.

#include <chrono>
#include <cstdint>
#include <string>

namespace chrunc::cmd {

uint64_t parse_uint64(const std::string& text, const std::string& flag);
int64_t parse_int64(const std::string& text, const std::string& flag);

// Byte sizes as docker's units.RAMInBytes (what runc update uses): a number,
// optionally with a fraction, then an optional binary unit k, m, g, t, p
// (any case, optional "i" and "b": 512m, 1.5G, 64KiB, 100b). "-1" means unlimited.
int64_t parse_memory_bytes(const std::string& text, const std::string& flag);

// Go durations (time.ParseDuration): "5s", "1m30s", "250ms", "1.5h", "0".
std::chrono::nanoseconds parse_go_duration(const std::string& text, const std::string& flag);

}  // namespace chrunc::cmd
