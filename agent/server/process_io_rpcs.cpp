// Process I/O RPCs of AgentService (see agent_service.hpp).
#include <sys/wait.h>

#include "agent/server/agent_service.hpp"
#include "common/error.hpp"

namespace chrunc::agent {

grpc::Status AgentService::WaitProcess(grpc::ServerContext* context, const v1::ProcessRef* request,
                                       v1::WaitProcessResponse* response) {
  std::shared_ptr<ManagedProcess> process;
  if (auto status = guarded([&] { process = process_for(*request); }); !status.ok()) return status;
  auto status = process->wait([context] { return context->IsCancelled(); });
  if (!status) return grpc::Status(grpc::StatusCode::CANCELLED, "WaitProcess cancelled");
  if (WIFSIGNALED(*status))
    response->set_signal(WTERMSIG(*status));
  else
    response->set_exit_code(WEXITSTATUS(*status));
  response->set_container_synced(process->container_synced());
  return grpc::Status::OK;
}

grpc::Status AgentService::WriteStdin(grpc::ServerContext* context,
                                      grpc::ServerReader<v1::StdinChunk>* reader, v1::Empty*) {
  return guarded([&] {
    v1::StdinChunk chunk;
    if (!reader->Read(&chunk)) return;  // an empty stream: nothing to do
    auto process = process_for(chunk.process());
    auto cancelled = [context] { return context->IsCancelled(); };
    do {
      if (!chunk.data().empty()) process->write_stdin(chunk.data(), cancelled);
    } while (reader->Read(&chunk));
    // The client half-closed the stream: end of the process's input.
    if (!context->IsCancelled()) process->close_stdin();
  });
}

grpc::Status AgentService::CloseStdin(grpc::ServerContext*, const v1::ProcessRef* request,
                                      v1::Empty*) {
  return guarded([&] { process_for(*request)->close_stdin(); });
}

grpc::Status AgentService::ReadOutput(grpc::ServerContext* context, const v1::ProcessRef* request,
                                      grpc::ServerWriter<v1::OutputChunk>* writer) {
  std::shared_ptr<ManagedProcess> process;
  if (auto status = guarded([&] { process = process_for(*request); }); !status.ok()) return status;
  bool complete = false;
  auto status = guarded([&] {
    // One message reused: its data keeps its capacity, so a chunk costs one
    // copy into it and no allocation (measured under TCG, where every copy
    // of the output is guest CPU time).
    v1::OutputChunk chunk;
    complete = process->read_output(
        [writer, &chunk](const OutputData& data) {
          chunk.set_stream(data.is_stderr ? v1::OutputChunk::STDERR : v1::OutputChunk::STDOUT);
          chunk.mutable_data()->assign(data.data);
          return writer->Write(chunk);
        },
        [context] { return context->IsCancelled(); });
  });
  if (!status.ok()) return status;
  if (!complete) return grpc::Status(grpc::StatusCode::CANCELLED, "ReadOutput cancelled");
  return grpc::Status::OK;
}

grpc::Status AgentService::ResizeTty(grpc::ServerContext*, const v1::ResizeTtyRequest* request,
                                     v1::Empty*) {
  return guarded(
      [&] { process_for(request->process())->resize(request->rows(), request->cols()); });
}

}  // namespace chrunc::agent
