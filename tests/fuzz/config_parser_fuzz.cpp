// libFuzzer target for the config.json parser, validator and writer.
// chrunc::Error is the expected outcome for bad input; a crash, a sanitizer
// report, any other exception, or a broken round trip is a bug.

#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>

#include "common/error.hpp"
#include "oci/spec_parser.hpp"
#include "oci/spec_validator.hpp"
#include "oci/spec_writer.hpp"
#include "oci/state.hpp"

using namespace chrunc::oci;

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  std::string_view text(reinterpret_cast<const char*>(data), size);
  try {
    Spec spec = parse_spec(text);
    (void)spec_violations(spec);
    std::string written = write_spec(spec);
    Spec again = parse_spec(written);
    if (!(again == spec)) __builtin_trap();              // parse(write(x)) == x
    if (write_spec(again) != written) __builtin_trap();  // writing is stable
  } catch (const chrunc::Error&) {
  }
  try {
    Process p = parse_process(text);
    if (!(parse_process(write_process(p)) == p)) __builtin_trap();
  } catch (const chrunc::Error&) {
  }
  try {
    Resources r = parse_resources(text);
    if (!(parse_resources(write_resources(r)) == r)) __builtin_trap();
  } catch (const chrunc::Error&) {
  }
  try {
    State st = parse_state(text);
    if (!(parse_state(write_state(st)) == st)) __builtin_trap();
    (void)write_state_compact(st);
  } catch (const chrunc::Error&) {
  }
  return 0;
}
