#include "test_support.hpp"

#include <gtest/gtest.h>
#include <unistd.h>

namespace runtime_test {

std::unique_ptr<ebpf::LoadedObject> load(const std::string& name, ebpf::ExecMode mode) {
    ebpf::LoadOptions options;
    options.mode = mode;
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
    return d;
}

// One trace buffer per test process, so tests never read each other's output.
struct TraceBufferPerProcess : ::testing::Environment {
    std::string path = "/tmp/ebpf-runtime-test-trace-" + std::to_string(getpid());
    void SetUp() override { setenv("EBPF_TRACE_PATH", path.c_str(), 1); }
    void TearDown() override { unlink(path.c_str()); }
};
const auto* trace_environment = ::testing::AddGlobalTestEnvironment(new TraceBufferPerProcess);

}  // namespace runtime_test
