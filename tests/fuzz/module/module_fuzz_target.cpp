// libFuzzer entry point for reading a native module without loading it
// (read_module_metadata, read_module_signer): any bytes give metadata or an
// ebpf::Error — never a crash, an out-of-bounds read, or code of the input
// run. Every Linux helper ID is "provided", so inputs reach the metadata
// checks past the helper table.
#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <span>

#include "ebpf/abi.hpp"
#include "ebpf/error.hpp"
#include "ebpf/native.hpp"
#include "ebpf/signing.hpp"

namespace {

uint64_t never_called(uint64_t, uint64_t, uint64_t, uint64_t, uint64_t) { std::abort(); }

const ebpf::HelperTable& every_helper() {
    static const ebpf::HelperTable table = [] {
        ebpf::HelperTable helpers;
        for (int32_t id = 1; id < ebpf::linux_helper_count(); ++id) helpers.set(id, never_called);
        return helpers;
    }();
    return table;
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
    const std::span<const uint8_t> bytes(data, size);
    try {
        const ebpf::NativeModuleMetadata metadata = ebpf::read_module_metadata(bytes, every_helper(), "fuzz.so");
        // What the checks promise: at least one program, references in range.
        if (metadata.programs.empty()) std::abort();
        for (const auto& program : metadata.programs)
            for (const auto& reference : program.map_references)
                if (reference.map >= metadata.maps.size()) std::abort();
    } catch (const ebpf::Error&) {
    }
    try {
        if (ebpf::read_module_signer(bytes).has_value() != ebpf::has_module_signature(bytes)) std::abort();
    } catch (const ebpf::Error&) {
        if (!ebpf::has_module_signature(bytes)) std::abort();  // unsigned input: nullopt, no error
    }
    return 0;
}
