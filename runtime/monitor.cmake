# chrunc_runtime: what each runc command does (lifecycle_*.cpp), the
# per-container monitor (monitor_*.cpp) and its host-side helpers.
add_library(chrunc_runtime STATIC
  ${CMAKE_CURRENT_LIST_DIR}/lifecycle_create.cpp
  ${CMAKE_CURRENT_LIST_DIR}/lifecycle_start.cpp
  ${CMAKE_CURRENT_LIST_DIR}/lifecycle_run.cpp
  ${CMAKE_CURRENT_LIST_DIR}/lifecycle_kill.cpp
  ${CMAKE_CURRENT_LIST_DIR}/lifecycle_delete.cpp
  ${CMAKE_CURRENT_LIST_DIR}/lifecycle_exec.cpp
  ${CMAKE_CURRENT_LIST_DIR}/exec_forwarding.cpp
  ${CMAKE_CURRENT_LIST_DIR}/lifecycle_query.cpp
  ${CMAKE_CURRENT_LIST_DIR}/ps_table.cpp
  ${CMAKE_CURRENT_LIST_DIR}/lifecycle_common.cpp
  ${CMAKE_CURRENT_LIST_DIR}/monitor_main.cpp
  ${CMAKE_CURRENT_LIST_DIR}/monitor_boot.cpp
  ${CMAKE_CURRENT_LIST_DIR}/boot_slots.cpp
  ${CMAKE_CURRENT_LIST_DIR}/monitor_server.cpp
  ${CMAKE_CURRENT_LIST_DIR}/bounded_worker.cpp
  ${CMAKE_CURRENT_LIST_DIR}/host_process.cpp
  ${CMAKE_CURRENT_LIST_DIR}/guest_process_watch.cpp
  ${CMAKE_CURRENT_LIST_DIR}/stand_ins.cpp
  ${CMAKE_CURRENT_LIST_DIR}/stand_in_plan.cpp
  ${CMAKE_CURRENT_LIST_DIR}/stand_in_user.cpp
  ${CMAKE_CURRENT_LIST_DIR}/control_socket.cpp
  ${CMAKE_CURRENT_LIST_DIR}/control_client.cpp
  ${CMAKE_CURRENT_LIST_DIR}/stdio_relay.cpp
  ${CMAKE_CURRENT_LIST_DIR}/console_socket.cpp
  ${CMAKE_CURRENT_LIST_DIR}/host_namespaces.cpp
  ${CMAKE_CURRENT_LIST_DIR}/host_network.cpp
  ${CMAKE_CURRENT_LIST_DIR}/host_block_devices.cpp
  ${CMAKE_CURRENT_LIST_DIR}/dns_relay.cpp
  ${CMAKE_CURRENT_LIST_DIR}/dns_exchange.cpp
  ${CMAKE_CURRENT_LIST_DIR}/host_cgroup.cpp
  ${CMAKE_CURRENT_LIST_DIR}/hooks.cpp
  ${CMAKE_CURRENT_LIST_DIR}/pid_file.cpp
  ${CMAKE_CURRENT_LIST_DIR}/timing_log.cpp
  ${CMAKE_CURRENT_LIST_DIR}/vm_sizing.cpp
  ${CMAKE_CURRENT_LIST_DIR}/vm_backend.cpp
  ${CMAKE_CURRENT_LIST_DIR}/host_check.cpp
  ${CMAKE_CURRENT_LIST_DIR}/update_limits.cpp
  ${CMAKE_CURRENT_LIST_DIR}/spec_rewrite.cpp)
target_link_libraries(chrunc_runtime PUBLIC chrunc_store chrunc_oci chrunc_vmm chrunc_agent_client
                                            chrunc_agent_network chrunc_netlink
                                            chrunc_common Threads::Threads)

# ch-runc-standin: the host stand-in of one guest process (stand_ins.hpp),
# found next to the ch-runc executable (bin/ in the build tree and installed).
# libc only: one runs per process of every container.
add_executable(ch-runc-standin ${CMAKE_CURRENT_LIST_DIR}/stand_in_main.cpp)
set_target_properties(ch-runc-standin PROPERTIES RUNTIME_OUTPUT_DIRECTORY ${CMAKE_BINARY_DIR}/bin)
install(TARGETS ch-runc-standin RUNTIME DESTINATION bin)
add_dependencies(chrunc_runtime ch-runc-standin)

# ch-runc-monitor: the per-container monitor `create` execs and the host
# check `ch-runc check` execs (lifecycle.hpp: kMonitorBinary), found next to
# the ch-runc executable. It carries the VMM, agent and curl code the CLI
# does without.
add_executable(ch-runc-monitor ${CMAKE_CURRENT_LIST_DIR}/monitor_entry.cpp)
target_link_libraries(ch-runc-monitor PRIVATE chrunc_runtime)
set_target_properties(ch-runc-monitor PROPERTIES RUNTIME_OUTPUT_DIRECTORY ${CMAKE_BINARY_DIR}/bin)
install(TARGETS ch-runc-monitor RUNTIME DESTINATION bin)
