// libFuzzer entry point for the object loader: any input must either load or
// throw ebpf::Error — a crash, hang, sanitizer report or other exception is
// a bug.
#include <cstddef>
#include <cstdint>
#include <span>

#include "ebpf/error.hpp"
#include "ebpf/object.hpp"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
    try {
        ebpf::Object object = ebpf::open_object_from_memory(std::span<const uint8_t>(data, size), "fuzz.o");
        // Touch what consumers read, so lazy mistakes surface here.
        for (const auto& program : object.programs) {
            for (size_t i = 0; i < program.insns.size(); i += 7) (void)program.source_at(i);
        }
    } catch (const ebpf::Error&) {
    }
    return 0;
}
