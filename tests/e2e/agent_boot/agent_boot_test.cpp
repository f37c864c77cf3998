// Boots the real guest image (agent as /init) under QEMU, creates and starts a
// busybox container whose rootfs comes over virtiofs, reads its output, gets
// its exit code and shuts the VM down. No mock on this path.
#include <gtest/gtest.h>

#include <fstream>
#include <iostream>
#include <thread>

#include "boot_fixture.hpp"

namespace chrunc::test {
namespace {

// The release of the kernel the image was built with (build-image.sh writes it).
std::string image_kernel_release() {
  std::ifstream in(std::string(CHRUNC_TEST_IMAGE_DIR) + "/kernel-release");
  std::string release;
  std::getline(in, release);
  return release;
}

std::string busybox_spec(const std::string& command) {
  return R"({
  "ociVersion": "1.0.2",
  "process": {
    "terminal": false,
    "user": {"uid": 0, "gid": 0},
    "args": ["/bin/sh", "-c", ")" +
         command + R"("],
    "env": ["PATH=/usr/sbin:/usr/bin:/sbin:/bin"],
    "cwd": "/"
  },
  "root": {"path": ")" +
         std::string(BootedVm::kRootfsGuestPath) + R"("},
  "hostname": "boot-test",
  "mounts": [
    {"destination": "/proc", "type": "proc", "source": "proc"},
    {"destination": "/dev", "type": "tmpfs", "source": "tmpfs", "options": ["nosuid", "strictatime", "mode=755", "size=65536k"]}
  ],
  "linux": {
    "namespaces": [{"type": "pid"}, {"type": "mount"}, {"type": "ipc"}, {"type": "uts"}]
  }
})";
}

TEST(AgentBoot, RunsBusyboxContainerOverVirtiofsAndShutsDown) {
  BootedVm vm;
  std::cout << "boot-to-agent-ready: " << vm.boot_to_ready().count() << " ms" << std::endl;
  auto& client = vm.client();
  auto health = client.health(std::chrono::seconds(10));
  const std::string release = image_kernel_release();
  EXPECT_FALSE(release.empty()) << "no kernel-release beside the image";
  EXPECT_EQ(health.kernel_release(), release);

  agent::v1::CreateContainerRequest create;
  create.set_container_id("boot-test");
  create.set_spec_json(busybox_spec("echo hello from $(uname -r); exit 3"));
  auto* share = create.add_shares();
  share->set_tag("rootfs");
  share->set_guest_path(BootedVm::kRootfsGuestPath);
  int pid = 0;
  try {
    pid = client.create_container(create, std::chrono::seconds(60));
  } catch (const std::exception& e) {
    FAIL() << e.what() << "\nconsole:\n" << vm.console();
  }
  EXPECT_GT(pid, 0);

  // Attach the output reader before starting, so nothing is missed.
  std::string stdout_text, stderr_text;
  grpc::Status read_status;
  std::thread reader([&] {
    grpc::ClientContext context;
    agent::v1::ProcessRef ref;
    ref.set_container_id("boot-test");
    auto stream = client.stub().ReadOutput(&context, ref);
    agent::v1::OutputChunk chunk;
    while (stream->Read(&chunk))
      (chunk.stream() == agent::v1::OutputChunk::STDERR ? stderr_text : stdout_text) +=
          chunk.data();
    read_status = stream->Finish();
  });
  std::this_thread::sleep_for(std::chrono::milliseconds(200));
  client.start_container("boot-test", std::chrono::seconds(30));
  auto waited = client.wait_process("boot-test", "");
  reader.join();
  EXPECT_TRUE(read_status.ok()) << read_status.error_message();
  EXPECT_EQ(waited.exit_code(), 3);
  EXPECT_EQ(waited.signal(), 0);
  EXPECT_EQ(stdout_text, "hello from " + health.kernel_release() + "\n")
      << "stderr: " << stderr_text;

  client.delete_container("boot-test", std::chrono::seconds(30));
  client.shutdown();
  EXPECT_TRUE(vm.wait_qemu_exit(std::chrono::seconds(30))) << vm.console();
}

}  // namespace
}  // namespace chrunc::test
