#include "agent/container/security/no_new_privs.hpp"

#include <sys/prctl.h>

#include "common/error.hpp"

namespace chrunc::container {

void apply_no_new_privileges(bool enable) {
  if (!enable) return;
  check_syscall(::prctl(PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0), "prctl PR_SET_NO_NEW_PRIVS");
}

}  // namespace chrunc::container
