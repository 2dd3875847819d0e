// Shared by the CO-RE tests: loading a built test program in each mode
// (native: bpf2c, cc, the module loader) and writing target BTFs.
#pragma once

#include <bpf/btf.h>
#include <gtest/gtest.h>

#include <cstring>
#include <string>
#include <vector>

#include "ebpf/input_file.hpp"
#include "ebpf/native.hpp"
#include "ebpf/object.hpp"
#include "ebpf/runtime.hpp"

namespace ebpf::core_test {

inline std::string program_path(const std::string& name) {
    return std::string(EBPF_CORE_OBJECTS) + "/" + name + ".o";
}

inline const std::vector<ExecMode>& all_modes() {
    static const std::vector<ExecMode> modes{ExecMode::interpret, ExecMode::jit, ExecMode::native};
    return modes;
}

// Loads `path` in `mode`; native: the module is built from the whole
// object (bpf2c leaves out what cannot load) into `dir`.
inline std::unique_ptr<LoadedObject> load_in_mode(const std::string& path, ExecMode mode, LoadOptions options,
                                                  const PrivateDirectory& dir) {
    options.mode = mode;
    if (mode != ExecMode::native) return load_object(path, options);
    const auto result = bpf2c(open_object(path, {}, options.btf_path));
    write_file_atomically(dir.file("prog.c"), result.c_source);
    compile_c_to_module(dir.file("prog.c"), dir.file("prog.so"));
    return load_object(dir.file("prog.so"), options);
}

inline std::vector<uint8_t> read_file_bytes(const std::string& path) { return read_input_file(path); }

// Writes `btf` as a raw BTF file.
inline void write_btf(const struct btf* btf, const std::string& path) {
    uint32_t size = 0;
    const void* data = btf__raw_data(btf, &size);
    ASSERT_NE(data, nullptr);
    write_file_atomically(path, std::string_view(static_cast<const char*>(data), size));
}

}  // namespace ebpf::core_test
