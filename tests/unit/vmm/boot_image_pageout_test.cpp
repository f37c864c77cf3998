// The VMM's file mappings of the boot images are paged out from outside the
// process (process_madvise): a child maps a file the way QEMU maps the
// vmlinux, and its resident set for that mapping is read from smaps.
#include "vmm/boot_image_pageout.hpp"

#include <fcntl.h>
#include <gtest/gtest.h>
#include <signal.h>
#include <sys/mman.h>
#include <sys/syscall.h>
#include <sys/uio.h>
#include <sys/wait.h>
#include <unistd.h>

#include <fstream>
#include <string>

namespace chrunc::vmm {
namespace {

namespace fs = std::filesystem;
constexpr size_t kSize = 4 << 20;
#ifndef MADV_COLD
constexpr int MADV_COLD = 20;
#endif
#ifndef SYS_pidfd_open
constexpr long SYS_pidfd_open = 434;
#endif
#ifndef SYS_process_madvise
constexpr long SYS_process_madvise = 440;
#endif

// The child: maps `path`, reads every page, says so on `ready`, then waits.
pid_t spawn_mapper(const fs::path& path, int ready) {
  pid_t pid = ::fork();
  if (pid != 0) return pid;
  int fd = ::open(path.c_str(), O_RDONLY | O_CLOEXEC);
  auto* data = static_cast<volatile char*>(::mmap(nullptr, kSize, PROT_READ, MAP_PRIVATE, fd, 0));
  if (data == MAP_FAILED) ::_exit(1);
  char sum = 0;
  for (size_t i = 0; i < kSize; i += 4096) sum = static_cast<char>(sum + data[i]);
  (void)sum;
  char c = 1;
  if (::write(ready, &c, 1) != 1) ::_exit(1);
  ::pause();
  ::_exit(0);
}

// Whether this kernel lets a process advise another's memory (Linux 5.10+,
// CAP_SYS_NICE): asked directly, so that a page-out that does nothing fails
// the test instead of skipping it.
bool kernel_has_process_madvise() {
  void* page = ::mmap(nullptr, 4096, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
  iovec range{page, 4096};
  int pidfd = static_cast<int>(::syscall(SYS_pidfd_open, ::getpid(), 0));
  long advised = pidfd < 0 ? -1 : ::syscall(SYS_process_madvise, pidfd, &range, 1, MADV_COLD, 0U);
  if (pidfd >= 0) ::close(pidfd);
  ::munmap(page, 4096);
  return advised >= 0;
}

// The resident KiB of `pid`'s mappings of the file whose maps line names `name`.
long resident_kib(pid_t pid, const std::string& name) {
  std::ifstream smaps("/proc/" + std::to_string(pid) + "/smaps");
  std::string line;
  bool in_file = false;
  long kib = 0;
  while (std::getline(smaps, line)) {
    if (!line.empty() && std::isxdigit(static_cast<unsigned char>(line[0])) &&
        line.find('-') != std::string::npos && line.find(' ') > line.find('-'))
      in_file = line.find(name) != std::string::npos;
    else if (in_file && line.rfind("Rss:", 0) == 0)
      kib += std::stol(line.substr(4));
  }
  return kib;
}

class BootImagePageOutTest : public ::testing::Test {
 protected:
  void SetUp() override {
    // Beside the test binary, on a disk file system: a tmpfs file (shmem)
    // cannot be paged out without swap, and /tmp may be one.
    dir_ = fs::current_path() / ("pageout-test." + std::to_string(::getpid()));
    fs::create_directories(dir_);
    image_ = dir_ / "vmlinux";
    other_ = dir_ / "other";
    for (const auto& path : {image_, other_}) {
      std::ofstream out(path, std::ios::binary);
      std::string chunk(4096, 'k');
      for (size_t i = 0; i < kSize; i += chunk.size()) out << chunk;
    }
    ASSERT_EQ(::pipe2(ready_, O_CLOEXEC), 0);
    child_ = spawn_mapper(image_, ready_[1]);
    char c = 0;
    ASSERT_EQ(::read(ready_[0], &c, 1), 1);
  }
  void TearDown() override {
    if (child_ > 0) {
      ::kill(child_, SIGKILL);
      ::waitpid(child_, nullptr, 0);
    }
    ::close(ready_[0]);
    ::close(ready_[1]);
    std::error_code ec;
    fs::remove_all(dir_, ec);
  }

  fs::path dir_, image_, other_;
  int ready_[2] = {-1, -1};
  pid_t child_ = -1;
};

TEST_F(BootImagePageOutTest, TheMappedImageLeavesTheResidentSet) {
  const long before = resident_kib(child_, image_.string());
  ASSERT_GE(before, static_cast<long>(kSize / 1024 / 2)) << "the child did not fault the file in";
  if (!kernel_has_process_madvise()) GTEST_SKIP() << "no process_madvise(2) here (Linux < 5.10)";
  const size_t advised = page_out_mapped_images(child_, {mapped_image_of(image_)});
  EXPECT_EQ(advised, kSize);
  EXPECT_LT(resident_kib(child_, image_.string()), before / 4);
}

TEST_F(BootImagePageOutTest, OtherFilesAndMappingsAreLeftAlone) {
  const long before = resident_kib(child_, image_.string());
  EXPECT_EQ(page_out_mapped_images(child_, {mapped_image_of(other_)}), 0U);
  EXPECT_EQ(page_out_mapped_images(child_, {mapped_image_of(dir_ / "missing")}), 0U);
  EXPECT_EQ(resident_kib(child_, image_.string()), before);
}

}  // namespace
}  // namespace chrunc::vmm
