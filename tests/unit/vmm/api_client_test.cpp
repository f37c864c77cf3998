// ApiClient against a unix-socket HTTP double that checks every request
// against cloud-hypervisor's OpenAPI contract.
#include "vmm/cloudhypervisor/api_client.hpp"

#include <fcntl.h>
#include <gtest/gtest.h>
#include <sys/stat.h>
#include <unistd.h>

#include <memory>

#include "common/error.hpp"
#include "http_test_server.hpp"
#include "openapi_checker.hpp"
#include "test_dir.hpp"
#include "vmm/cloudhypervisor/api_json.hpp"
#include "vmm/cloudhypervisor/ch_hypervisor.hpp"

namespace chrunc::vmm::test {
namespace {

class ApiClientTest : public ::testing::Test {
 protected:
  void SetUp() override {
    if (!std::filesystem::exists(openapi_contract_path()))
      GTEST_SKIP() << "cloud-hypervisor OpenAPI contract not found at " << openapi_contract_path()
                   << "; cannot check requests against it";
    checker_ = std::make_unique<OpenApiChecker>(openapi_contract_path());
    socket_ = dir_.path() / "api.sock";
    server_ = std::make_unique<HttpTestServer>(socket_,
                                               [this](const HttpRequest& r) { return reply(r); });
    client_ = std::make_unique<ch::ApiClient>(socket_, std::chrono::milliseconds(5000));
  }

  void TearDown() override {
    if (!server_) return;
    for (const auto& r : server_->requests()) {
      for (const auto& problem : checker_->check(r.method, r.target, r.body))
        ADD_FAILURE() << r.method << " " << r.target << ": " << problem;
      EXPECT_FALSE(r.chunked) << r.target << " used a chunked upload";
      EXPECT_EQ(r.headers.count("expect"), 0u)
          << r.target << " sent Expect: " << r.headers.at("expect");
      if (r.method == "PUT") {
        EXPECT_EQ(r.headers.count("content-length"), 1u) << r.target;
      }
      if (!r.body.empty()) {
        EXPECT_EQ(r.headers.count("content-type") ? r.headers.at("content-type") : "",
                  "application/json")
            << r.target;
      }
    }
  }

  HttpReply reply(const HttpRequest& r) {
    if (fail_status_ != 0) return {fail_status_, fail_body_};
    const std::string ep = r.target.substr(r.target.rfind('/') + 1);
    if (ep == "vmm.ping")
      return {200, R"({"build_version":"v40.0","version":"40.0","pid":1234,"features":[]})"};
    if (ep == "vm.info")
      return {200,
              R"({"config":{"payload":{"kernel":"/k"},"cpus":{"boot_vcpus":2,"max_vcpus":2},)"
              R"("memory":{"size":268435456}},"state":"Running","memory_actual_size":268435456})"};
    if (ep.rfind("vm.add-", 0) == 0) return {200, R"({"id":"_dev1","bdf":"0000:00:06.0"})"};
    return {204, ""};
  }

  // The last request the server saw.
  HttpRequest last() {
    auto all = server_->requests();
    EXPECT_FALSE(all.empty());
    return all.empty() ? HttpRequest{} : all.back();
  }

  TestDir dir_;
  std::filesystem::path socket_;
  std::unique_ptr<OpenApiChecker> checker_;
  std::unique_ptr<HttpTestServer> server_;
  std::unique_ptr<ch::ApiClient> client_;
  int fail_status_ = 0;
  std::string fail_body_;
};

ch::VmCreateConfig full_config() {
  VmConfig vm;
  vm.kernel = "/img/vmlinux";
  vm.initramfs = "/img/initramfs.cpio";
  vm.kernel_cmdline_extra = "agent.debug=1";
  vm.vcpus = 2;
  vm.memory_mib = 512;
  vm.filesystems = {{"rootfs", "/run/x/virtiofs-rootfs.sock"},
                    {"share0", "/run/x/virtiofs-share0.sock"}};
  vm.nics = {{"tap0", "02:42:ac:11:00:02", -1}};
  vm.console_log = "/run/x/console.log";
  ch::VmCreateConfig config = ch::make_create_config(vm, "/run/x/vsock.sock");
  config.disks.push_back({"/img/disk.raw", true, "disk0"});
  return config;
}

TEST_F(ApiClientTest, PingParsesTheVersion) {
  ch::PingReply reply = client_->ping();
  EXPECT_EQ(reply.version, "40.0");
  EXPECT_EQ(reply.pid, 1234);
  EXPECT_EQ(last().method, "GET");
  EXPECT_EQ(last().target, "/api/v1/vmm.ping");
}

TEST_F(ApiClientTest, CreateSendsAVmConfigThatFollowsTheContract) {
  client_->create(full_config());
  HttpRequest r = last();
  EXPECT_EQ(r.method, "PUT");
  EXPECT_EQ(r.target, "/api/v1/vm.create");
  EXPECT_NE(r.body.find(R"("shared":true)"), std::string::npos) << r.body;
  EXPECT_NE(r.body.find(R"("size":536870912)"), std::string::npos) << r.body;
  EXPECT_NE(r.body.find(R"("vsock":{"cid":3,"socket":"/run/x/vsock.sock"})"), std::string::npos)
      << r.body;
  EXPECT_NE(r.body.find(R"("tag":"share0")"), std::string::npos) << r.body;
  EXPECT_NE(r.body.find(R"("serial":{"mode":"File","file":"/run/x/console.log"})"),
            std::string::npos)
      << r.body;
}

TEST_F(ApiClientTest, CreateWithoutFilesystemsDoesNotShareMemory) {
  VmConfig vm;
  vm.kernel = "/k";
  vm.initramfs = "/i";
  client_->create(ch::make_create_config(vm, "/v.sock"));
  EXPECT_NE(last().body.find(R"("shared":false)"), std::string::npos) << last().body;
}

TEST_F(ApiClientTest, LifecycleEndpoints) {
  client_->boot();
  EXPECT_EQ(last().target, "/api/v1/vm.boot");
  client_->pause();
  EXPECT_EQ(last().target, "/api/v1/vm.pause");
  client_->resume();
  EXPECT_EQ(last().target, "/api/v1/vm.resume");
  client_->shutdown_vm();
  EXPECT_EQ(last().target, "/api/v1/vm.shutdown");
  client_->shutdown_vmm();
  EXPECT_EQ(last().target, "/api/v1/vmm.shutdown");
  for (const auto& r : server_->requests()) {
    EXPECT_EQ(r.method, "PUT");
    EXPECT_TRUE(r.body.empty());
  }
}

TEST_F(ApiClientTest, InfoParsesStateAndSize) {
  ch::VmInfoReply info = client_->info();
  EXPECT_EQ(info.state, "Running");
  EXPECT_EQ(info.boot_vcpus, 2u);
  EXPECT_EQ(info.memory_size, 268435456u);
  EXPECT_EQ(last().method, "GET");
}

TEST_F(ApiClientTest, HotplugEndpoints) {
  auto fs = client_->add_fs({"share1", "/run/x/virtiofs-share1.sock", 1, 1024, "fs1"});
  ASSERT_TRUE(fs.has_value());
  EXPECT_EQ(fs->bdf, "0000:00:06.0");
  EXPECT_EQ(last().target, "/api/v1/vm.add-fs");
  client_->add_disk({"/img/disk.raw", false, "disk1"});
  EXPECT_EQ(last().target, "/api/v1/vm.add-disk");
  client_->add_net({"tap1", "02:00:00:00:00:01", "net1", 1500});
  EXPECT_EQ(last().target, "/api/v1/vm.add-net");
  client_->remove_device("_dev1");
  EXPECT_EQ(last().target, "/api/v1/vm.remove-device");
  EXPECT_EQ(last().body, R"({"id":"_dev1"})");
}

// The tap of a container's netns goes to cloud-hypervisor as an fd: a
// vm.add-net whose body follows the contract (no tap name) and whose fd
// arrives with it (SCM_RIGHTS), between vm.create and vm.boot.
TEST_F(ApiClientTest, NicByFdIsAddNetWithTheFdAttached) {
  VmConfig vm;
  vm.kernel = "/k";
  vm.initramfs = "/i";
  vm.nics = {{"tap0_eth0", "02:42:ac:11:00:02", -1}};
  UniqueFd tap(::open("/dev/null", O_RDWR | O_CLOEXEC));
  ASSERT_TRUE(tap);
  vm.nics[0].tap_fd = tap.get();
  EXPECT_EQ(ch::to_json(ch::make_create_config(vm, "/v.sock")).find("\"net\""), std::string::npos);
  EXPECT_EQ(ch::to_json(ch::make_create_config(vm, "/v.sock")).find("tap0_eth0"), std::string::npos)
      << "a NIC given by fd must not be opened by name too";

  auto adds = ch::net_fd_configs(vm);
  ASSERT_EQ(adds.size(), 1u);
  EXPECT_EQ(adds[0].second, tap.get());
  auto pci = client_->add_net_with_fds(adds[0].first, {adds[0].second});
  ASSERT_TRUE(pci.has_value());
  EXPECT_EQ(pci->id, "_dev1");
  HttpRequest r = last();
  EXPECT_EQ(r.method, "PUT");
  EXPECT_EQ(r.target, "/api/v1/vm.add-net");
  EXPECT_EQ(r.body, R"({"mac":"02:42:ac:11:00:02","id":"net0"})");
  struct stat st {};
  ASSERT_EQ(::fstat(tap.get(), &st), 0);
  ASSERT_EQ(r.received_fds.size(), 1u);
  EXPECT_EQ(r.received_fds[0], std::to_string(st.st_dev) + ":" + std::to_string(st.st_ino));

  // A refusal carries cloud-hypervisor's words.
  fail_status_ = 400;
  fail_body_ = "Error creating the network device: tap fd is invalid";
  try {
    client_->add_net_with_fds(adds[0].first, {adds[0].second});
    FAIL() << "no error";
  } catch (const Error& e) {
    EXPECT_STREQ(e.what(),
                 "cloud-hypervisor vm.add-net: HTTP 400: Error creating the network device: tap "
                 "fd is invalid");
  }
}

// Host block devices: vm.add-disk (checked against the contract by the
// server), direct I/O, the serial the guest finds the disk by, readonly.
TEST_F(ApiClientTest, DisksAreAddDiskRequests) {
  VmConfig vm;
  vm.disks = {{"chrunc-b0", "/dev/loop3", false, 20, 21},
              {"chrunc-b1", "/dev/loop4", true, 22, -1}};
  auto adds = ch::disk_configs(vm);
  ASSERT_EQ(adds.size(), 2u);
  for (const auto& disk : adds) client_->add_disk(disk);
  const auto& requests = server_->requests();
  ASSERT_GE(requests.size(), 2u);
  const auto& first = requests[requests.size() - 2];
  EXPECT_EQ(first.target, "/api/v1/vm.add-disk");
  EXPECT_EQ(
      first.body,
      R"({"path":"/dev/loop3","readonly":false,"direct":true,"id":"disk0","serial":"chrunc-b0"})");
  EXPECT_EQ(
      last().body,
      R"({"path":"/dev/loop4","readonly":true,"direct":true,"id":"disk1","serial":"chrunc-b1"})");
}

TEST_F(ApiClientTest, ResizeSnapshotRestore) {
  client_->resize({2, 512ull << 20, std::nullopt});
  EXPECT_EQ(last().target, "/api/v1/vm.resize");
  EXPECT_EQ(last().body, R"({"desired_vcpus":2,"desired_ram":536870912})");
  client_->snapshot("file:///var/snap");
  EXPECT_EQ(last().body, R"({"destination_url":"file:///var/snap"})");
  client_->restore({"file:///var/snap", true, false});
  EXPECT_EQ(last().target, "/api/v1/vm.restore");
  EXPECT_EQ(last().body, R"({"source_url":"file:///var/snap","prefault":true,"resume":false})");
}

TEST_F(ApiClientTest, ServerErrorCarriesStatusAndBody) {
  fail_status_ = 500;
  fail_body_ = "Error booting VM: VmBoot(KernelLoad)\n";
  try {
    client_->boot();
    FAIL() << "no error";
  } catch (const Error& e) {
    EXPECT_STREQ(e.what(),
                 "cloud-hypervisor vm.boot: HTTP 500: Error booting VM: VmBoot(KernelLoad)");
  }
}

TEST_F(ApiClientTest, ClientErrorCarriesStatusAndBody) {
  fail_status_ = 404;
  fail_body_ = R"({"error":"VM not created"})";
  try {
    client_->info();
    FAIL() << "no error";
  } catch (const Error& e) {
    EXPECT_STREQ(e.what(), R"(cloud-hypervisor vm.info: HTTP 404: {"error":"VM not created"})");
  }
  fail_status_ = 400;
  fail_body_ = "";
  try {
    client_->add_fs({"t", "/s", 1, 1024, ""});
    FAIL() << "no error";
  } catch (const Error& e) {
    EXPECT_STREQ(e.what(), "cloud-hypervisor vm.add-fs: HTTP 400");
  }
}

TEST(ApiClientTransport, NoServerIsAClearError) {
  TestDir dir;
  ch::ApiClient client(dir.path() / "absent.sock", std::chrono::milliseconds(1000));
  try {
    client.ping();
    FAIL() << "no error";
  } catch (const Error& e) {
    EXPECT_EQ(std::string(e.what()).rfind("cloud-hypervisor vmm.ping: ", 0), 0u) << e.what();
  }
}

// The checker itself must catch what it is there to catch.
TEST(OpenApiChecker, RejectsBodiesThatBreakTheContract) {
  if (!std::filesystem::exists(openapi_contract_path()))
    GTEST_SKIP() << "cloud-hypervisor OpenAPI contract not found at " << openapi_contract_path();
  OpenApiChecker checker(openapi_contract_path());
  EXPECT_TRUE(checker
                  .check("PUT", "/api/v1/vm.add-fs",
                         R"({"tag":"a","socket":"/s","num_queues":1,"queue_size":8})")
                  .empty());
  EXPECT_FALSE(
      checker.check("PUT", "/api/v1/vm.add-fs", R"({"tag":"a","socket":"/s","num_queues":1})")
          .empty());
  EXPECT_FALSE(checker
                   .check("PUT", "/api/v1/vm.add-fs",
                          R"({"tag":"a","socket":"/s","num_queues":"1","queue_size":8})")
                   .empty());
  EXPECT_FALSE(checker
                   .check("PUT", "/api/v1/vm.add-fs",
                          R"({"tag":"a","socket":"/s","num_queues":1,"queue_size":8,"x":1})")
                   .empty());
  EXPECT_FALSE(
      checker.check("PUT", "/api/v1/vm.create", R"({"payload":{},"serial":{"mode":"Bogus"}})")
          .empty());
  EXPECT_FALSE(checker.check("GET", "/api/v1/vm.boot", "").empty());
  EXPECT_FALSE(checker.check("PUT", "/api/v1/vm.frobnicate", "").empty());
  EXPECT_FALSE(checker.check("PUT", "/api/v1/vm.boot", "{}").empty());
}

}  // namespace
}  // namespace chrunc::vmm::test
