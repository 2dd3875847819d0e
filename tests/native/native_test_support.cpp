#include "native_test_support.hpp"

#include <unistd.h>

#include <atomic>
#include <fstream>
#include <iterator>

namespace native_test {

TempDir::TempDir() {
    static std::atomic<int> counter{0};
    path_ = std::filesystem::temp_directory_path() /
            ("ebpf-native-test-" + std::to_string(::getpid()) + "-" + std::to_string(counter++));
    std::filesystem::remove_all(path_);
    std::filesystem::create_directories(path_);
}

TempDir::~TempDir() {
    std::error_code ignored;
    std::filesystem::remove_all(path_, ignored);
}

std::vector<uint8_t> compile_module_bytes(const std::string& c_source, const TempDir& dir, const std::string& stem) {
    std::string c_path = dir.file(stem + ".c");
    std::string so_path = dir.file(stem + ".so");
    ebpf::write_file_atomically(c_path, c_source);
    ebpf::compile_c_to_module(c_path, so_path);
    std::ifstream in(so_path, std::ios::binary);
    return std::vector<uint8_t>((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
}

std::shared_ptr<ebpf::NativeModule> load(const std::vector<uint8_t>& bytes, const ebpf::HelperTable& helpers,
                                         const std::string& name) {
    ebpf::ModuleLoadOptions options;
    options.helpers = &helpers;
    options.name = name;
    return ebpf::load_module_from_memory(bytes, options);
}

}  // namespace native_test
