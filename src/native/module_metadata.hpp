// Reading a loaded module's metadata (struct ebpf_native_module) without
// trusting it: every count, pointer, string and ID is checked before use.
#pragma once

#include <string>
#include <vector>

#include "ebpf/exec.hpp"
#include "ebpf/native.hpp"
#include "ebpf/native_module.h"
#include "module_image.hpp"

namespace ebpf::native_metadata {

// What the module format allows: the loader refuses metadata beyond these,
// and bpf2c refuses to produce it (same constants), so a module bpf2c
// writes always loads and an object bpf2c accepts never gives a module that
// does not.
inline constexpr uint32_t kMaxPrograms = 4096;
inline constexpr uint32_t kMaxHelpers = 1024;
inline constexpr uint32_t kMaxMaps = 4096;
inline constexpr size_t kMaxNameLength = 1024;  // program, section and map names, slot targets
inline constexpr uint32_t kMaxValueSize = 1u << 30;  // map key and value sizes

// The memory of a loaded module (its loaded segments at their run-time
// addresses). The metadata may point nowhere else: not into the host, whose
// memory the loader would otherwise read, write (helper, map and runtime
// slots) or call (program entries).
struct ModuleMemory {
    struct Range {
        uintptr_t start;
        size_t size;
        bool executable, writable;
    };
    std::vector<Range> ranges;

    // True when [address, address + size) lies in one range, writable or
    // executable when asked.
    bool contains(const void* address, size_t size, bool writable = false, bool executable = false) const;
    // How many bytes of its range follow `address` (0 when outside the module).
    size_t bytes_from(const void* address) const;
};

// The memory of a module whose image (check_module_image) is loaded at `bias`.
ModuleMemory module_memory(const native_image::ModuleImage& image, uintptr_t bias);

// Throws ebpf::Error "NAME: why" when the module's ABI version, magic, sizes,
// counts, names, program types, helper IDs (must be in `helpers`), map
// definitions, or any pointer (outside `memory`, or an entry function not in
// its code) are not acceptable.
void check_module(const std::string& name, const ebpf_native_module* module, const HelperTable& helpers,
                  const ModuleMemory& memory);

// After check_module: the module's maps and programs as C++ values.
std::vector<MapDefinition> map_definitions(const ebpf_native_module* module);
std::vector<NativeProgramInfo> program_infos(const ebpf_native_module* module);

// Reads a regular file (not a FIFO or device: read once, bounded) of at most
// `max_bytes`. Throws ebpf::Error "PATH: why".
std::vector<uint8_t> read_whole_file(const std::string& path, size_t max_bytes = size_t{256} << 20);

}  // namespace ebpf::native_metadata
