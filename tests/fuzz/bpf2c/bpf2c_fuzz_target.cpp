// libFuzzer entry point for bpf2c: object bytes -> open_object_from_memory ->
// bpf2c with verification and without (--no-verify). Each step may refuse
// with ebpf::Error; a crash, hang, sanitizer report or any other exception
// is a bug. Limits are lowered so one input stays fast.
#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <span>

#include "ebpf/error.hpp"
#include "ebpf/native.hpp"
#include "ebpf/object.hpp"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
    ebpf::ResourceLimits limits;
    limits.max_program_instructions = 4096;
    limits.max_object_instructions = 16384;
    limits.max_map_bytes = limits.max_total_map_bytes = 1 << 20;
    ebpf::Object object;
    try {
        object = ebpf::open_object_from_memory(std::span<const uint8_t>(data, size), "fuzz.o", limits);
    } catch (const ebpf::Error&) {
        return 0;
    }
    for (bool verify : {false, true}) {
        ebpf::Bpf2cOptions options;
        options.verify = verify;
        try {
            const ebpf::Bpf2cResult result = ebpf::bpf2c(object, options);
            // Something was translated: the C names every program.
            if (result.c_source.empty() || result.program_count == 0) std::abort();
        } catch (const ebpf::Error&) {
        }
    }
    return 0;
}
