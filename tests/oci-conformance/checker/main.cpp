// oci-checker: runs inside the container under test (as process.args[0]),
// reads /config.json and prints TAP comparing it with the live container.
// Exit status 0 when every check passed, 1 when one failed, 2 when the
// config could not be read.

#include <cstdio>
#include <exception>

#include "oci/spec_parser.hpp"
#include "tests/oci-conformance/checker/checks.hpp"
#include "tests/oci-conformance/checker/proc_files.hpp"

int main() {
  conformance::Tap tap;
  chrunc::oci::Spec spec;
  try {
    auto text = conformance::read_file("/config.json");
    if (!text) {
      std::printf("not ok 1 - read /config.json\n1..1\n");
      return 2;
    }
    spec = chrunc::oci::parse_spec(*text, "/config.json");
  } catch (const std::exception& e) {
    std::printf("not ok 1 - parse /config.json\n# %s\n1..1\n", e.what());
    return 2;
  }
  conformance::check_process(spec, tap);
  conformance::check_mounts(spec, tap);
  conformance::check_linux(spec, tap);
  return tap.finish();
}
