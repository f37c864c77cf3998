#include "cmd/version_text.hpp"

#include <seccomp.h>

#include "build_config.hpp"
#include "oci/version.hpp"

#ifndef CHRUNC_GIT_COMMIT
#define CHRUNC_GIT_COMMIT "unknown"
#endif

namespace chrunc::cmd {

std::string version_text() {
  std::string text = "ch-runc version ";
  text += build::kVersion;
  text += "\ncommit: ";
  text += CHRUNC_GIT_COMMIT;
  text += "\nspec: ";
  text += oci::kSpecVersion;
  text += "\nlibseccomp: ";
  const scmp_version* v = seccomp_version();
  text +=
      std::to_string(v->major) + "." + std::to_string(v->minor) + "." + std::to_string(v->micro);
  text += '\n';
  return text;
}

}  // namespace chrunc::cmd
