// A minimal host for the gdb test (and a usage example): loads a native
// module through the runtime, runs one program on a buffer of LENGTH bytes
// (byte i = i) and prints the result.
//   native_debug_host MODULE.so PROGRAM LENGTH
#include <cstdio>
#include <cstdlib>
#include <vector>

#include "ebpf/error.hpp"
#include "ebpf/runtime.hpp"

int main(int argc, char** argv) {
    if (argc != 4) {
        std::fprintf(stderr, "usage: %s MODULE.so PROGRAM LENGTH\n", argv[0]);
        return 2;
    }
    try {
        ebpf::LoadOptions options;
        options.mode = ebpf::ExecMode::native;
        auto object = ebpf::load_native_object(argv[1], options);
        std::vector<uint8_t> buffer(std::strtoul(argv[3], nullptr, 10));
        for (size_t i = 0; i < buffer.size(); ++i) buffer[i] = static_cast<uint8_t>(i);
        uint64_t result = object->program(argv[2]).run(buffer.data(), buffer.size());
        std::printf("%s returned %llu\n", argv[2], static_cast<unsigned long long>(result));
        return 0;
    } catch (const ebpf::Error& e) {
        std::fprintf(stderr, "%s\n", e.what());
        return 1;
    }
}
