// Hybrid vsock handshake against a fake cloud-hypervisor vsock socket.
#include "vmm/cloudhypervisor/hybrid_vsock.hpp"

#include <gtest/gtest.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <unistd.h>

#include <cstring>
#include <thread>

#include "common/error.hpp"
#include "test_dir.hpp"

namespace chrunc::vmm::test {
namespace {

// Accepts `refusals` connections answering nothing (guest not listening:
// the connection is closed), then one that answers "OK 1073741824\n" + "hi".
class FakeVsock {
 public:
  FakeVsock(std::filesystem::path path, int refusals) {
    fd_.reset(::socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0));
    sockaddr_un addr{};
    addr.sun_family = AF_UNIX;
    std::strncpy(addr.sun_path, path.c_str(), sizeof addr.sun_path - 1);
    EXPECT_EQ(::bind(fd_.get(), reinterpret_cast<sockaddr*>(&addr), sizeof addr), 0);
    EXPECT_EQ(::listen(fd_.get(), 8), 0);
    thread_ = std::thread([this, refusals] {
      for (int i = 0; i <= refusals; ++i) {
        UniqueFd c(::accept(fd_.get(), nullptr, nullptr));
        char buf[64] = {};
        ssize_t n = ::read(c.get(), buf, sizeof buf - 1);
        if (n > 0) request = buf;
        if (i == refusals) {
          const char reply[] = "OK 1073741824\nhi";
          (void)!::write(c.get(), reply, sizeof reply - 1);
        }
      }
    });
  }
  ~FakeVsock() { thread_.join(); }
  std::string request;

 private:
  UniqueFd fd_;
  std::thread thread_;
};

TEST(HybridVsock, RetriesUntilTheGuestListensAndKeepsWhatFollows) {
  TestDir dir;
  auto path = dir.path() / "vsock.sock";
  std::string request;
  {
    FakeVsock fake(path, 2);
    UniqueFd fd = ch::connect_hybrid_vsock(path, 1024, std::chrono::milliseconds(5000));
    ASSERT_TRUE(fd);
    char buf[8] = {};
    ASSERT_EQ(::read(fd.get(), buf, 2), 2);
    EXPECT_STREQ(buf, "hi");
    fd.reset();
    request = fake.request;
  }
  EXPECT_EQ(request, "CONNECT 1024\n");
}

TEST(HybridVsock, TimesOutNamingThePort) {
  TestDir dir;
  try {
    ch::connect_hybrid_vsock(dir.path() / "absent.sock", 1024, std::chrono::milliseconds(100));
    FAIL() << "no error";
  } catch (const Error& e) {
    EXPECT_NE(std::string(e.what()).find("no agent on port 1024"), std::string::npos) << e.what();
  }
}

TEST(HybridVsock, FailsFastWhenTheVmmDied) {
  TestDir dir;
  auto start = std::chrono::steady_clock::now();
  EXPECT_THROW(ch::connect_hybrid_vsock(dir.path() / "absent.sock", 1024, std::chrono::seconds(60),
                                        [] { return false; }),
               Error);
  // Far below the 60 s timeout, and generous for a loaded machine.
  EXPECT_LT(std::chrono::steady_clock::now() - start, std::chrono::seconds(20));
}

}  // namespace
}  // namespace chrunc::vmm::test
