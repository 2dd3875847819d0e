#include "test_support.hpp"

#include <gtest/gtest.h>
#include <unistd.h>

#include <filesystem>
#include <map>

#include "ebpf/native.hpp"

namespace runtime_test {

namespace {

// Native mode: bpf2c the object, compile the C with cc once per test process,
// and load the module through the runtime.
std::string native_module(const std::string& name) {
    static std::map<std::string, std::string> built;
    auto& path = built[name];
    if (!path.empty()) return path;
    std::string dir = "/tmp/ebpf-runtime-test-native-" + std::to_string(getpid());
    std::filesystem::create_directories(dir);
    auto result = ebpf::bpf2c(ebpf::open_object(program_path(name)));
    ebpf::write_file_atomically(dir + "/" + name + ".c", result.c_source);
    ebpf::compile_c_to_module(dir + "/" + name + ".c", dir + "/" + name + ".so");
    path = dir + "/" + name + ".so";
    return path;
}

}  // namespace

std::unique_ptr<ebpf::LoadedObject> load(const std::string& name, ebpf::ExecMode mode) {
    ebpf::LoadOptions options;
    options.mode = mode;
    if (mode == ebpf::ExecMode::native) return ebpf::load_object(native_module(name), options);
    return ebpf::load_object(program_path(name), options);
}

int64_t run_with_key(const ebpf::LoadedProgram& program, uint32_t key) {
    uint8_t buffer[8] = {};
    std::memcpy(buffer, &key, 4);
    return static_cast<int64_t>(program.run(buffer, sizeof(buffer)));
}

ebpf::MapDefinition definition(ebpf::MapType type, uint32_t key_size, uint32_t value_size, uint32_t max_entries,
                               const std::string& name) {
    ebpf::MapDefinition d;
    d.name = name;
    d.type = type;
    d.key_size = key_size;
    d.value_size = value_size;
    d.max_entries = max_entries;
    if (type == ebpf::MapType::lpm_trie) d.map_flags = ebpf::kMapFlagNoPrealloc;  // Linux requires it
    return d;
}

// One trace buffer per test process, so tests never read each other's output.
struct TraceBufferPerProcess : ::testing::Environment {
    std::string path = "/tmp/ebpf-runtime-test-trace-" + std::to_string(getpid());
    void SetUp() override { setenv("EBPF_TRACE_PATH", path.c_str(), 1); }
    void TearDown() override {
        unlink(path.c_str());
        std::filesystem::remove_all("/tmp/ebpf-runtime-test-native-" + std::to_string(getpid()));
    }
};
const auto* trace_environment = ::testing::AddGlobalTestEnvironment(new TraceBufferPerProcess);

}  // namespace runtime_test
