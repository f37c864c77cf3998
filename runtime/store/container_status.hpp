#pragma once
// What `state` and `list` report: the stored record corrected by liveness.
// A record whose monitor is gone (dead, or its pid reused) is `stopped`, with
// pid 0, as runc reports a container whose init is gone.

#include <string>
#include <vector>

#include "oci/state.hpp"
#include "runtime/store/state_store.hpp"

namespace chrunc::runtime {

// The status the container really has now: the record's, or kStopped when its
// monitor is dead; a `creating` record whose creator died (lock free, no monitor) is stopped too.
Status effective_status(const StateStore& store, const ContainerRecord& record);

// The OCI state of a record with the given status (pid 0 once stopped);
// `state` and `list` give it with the effective status, hooks read it on stdin.
oci::State record_state(const ContainerRecord& record, Status status);

// The OCI state of one container; throws `container "<id>" does not exist`.
oci::State container_state(const StateStore& store, const std::string& id);

// Every container under the store's root, sorted by id; ids whose record
// cannot be read (being created, corrupt, removed meanwhile) are skipped, as runc does.
// An empty owner is filled in as runc list does: the state directory's owner ("root").
std::vector<oci::State> list_states(const StateStore& store);

}  // namespace chrunc::runtime
