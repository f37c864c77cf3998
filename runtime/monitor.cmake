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
  ${CMAKE_CURRENT_LIST_DIR}/monitor_server.cpp
  ${CMAKE_CURRENT_LIST_DIR}/control_socket.cpp
  ${CMAKE_CURRENT_LIST_DIR}/control_client.cpp
  ${CMAKE_CURRENT_LIST_DIR}/stdio_relay.cpp
  ${CMAKE_CURRENT_LIST_DIR}/console_socket.cpp
  ${CMAKE_CURRENT_LIST_DIR}/host_namespaces.cpp
  ${CMAKE_CURRENT_LIST_DIR}/host_network.cpp
  ${CMAKE_CURRENT_LIST_DIR}/dns_relay.cpp
  ${CMAKE_CURRENT_LIST_DIR}/dns_exchange.cpp
  ${CMAKE_CURRENT_LIST_DIR}/host_cgroup.cpp
  ${CMAKE_CURRENT_LIST_DIR}/hooks.cpp
  ${CMAKE_CURRENT_LIST_DIR}/pid_file.cpp
  ${CMAKE_CURRENT_LIST_DIR}/timing_log.cpp
  ${CMAKE_CURRENT_LIST_DIR}/vm_sizing.cpp
  ${CMAKE_CURRENT_LIST_DIR}/update_limits.cpp
  ${CMAKE_CURRENT_LIST_DIR}/spec_rewrite.cpp)
target_link_libraries(chrunc_runtime PUBLIC chrunc_store chrunc_oci chrunc_vmm chrunc_agent_client
                                            chrunc_agent_network chrunc_netlink
                                            chrunc_common Threads::Threads)
