#include "agent/guest/virtio_port.hpp"

#include <sys/stat.h>

#include <filesystem>
#include <fstream>
#include <thread>

namespace chrunc::agent {

namespace fs = std::filesystem;

std::optional<std::string> find_virtio_port(const std::string& name,
                                            std::chrono::milliseconds timeout,
                                            const std::string& sys_dir) {
  auto deadline = std::chrono::steady_clock::now() + timeout;
  while (true) {
    std::error_code ec;
    for (const auto& entry : fs::directory_iterator(sys_dir, ec)) {
      std::ifstream name_file(entry.path() / "name");
      std::string port_name;
      if (std::getline(name_file, port_name) && port_name == name) {
        std::string dev = "/dev/" + entry.path().filename().string();
        struct stat st {};
        if (::stat(dev.c_str(), &st) == 0) return dev;
      }
    }
    if (std::chrono::steady_clock::now() >= deadline) return std::nullopt;
    std::this_thread::sleep_for(std::chrono::milliseconds(5));
  }
}

}  // namespace chrunc::agent
