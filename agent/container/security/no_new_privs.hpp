#pragma once
// process.noNewPrivileges.

namespace chrunc::container {

// PR_SET_NO_NEW_PRIVS when `enable`; nothing otherwise (the bit cannot be
// cleared). Throws `prctl PR_SET_NO_NEW_PRIVS: <strerror>`.
void apply_no_new_privileges(bool enable);

}  // namespace chrunc::container
