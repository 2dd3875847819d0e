// The native row of compute_bench: bpf2c → cc -O2 → module loaded from a
// sealed memfd, exactly as `ebpf build` + the module loader do it.
#pragma once

#include <unistd.h>

#include <filesystem>
#include <fstream>
#include <iterator>
#include <memory>
#include <string>

#include "ebpf/exec.hpp"
#include "ebpf/native.hpp"

namespace ebpf::bench {

inline std::unique_ptr<Engine> make_native_engine(const ExecutableProgram& program) {
    TranslationUnit unit;
    unit.source_name = "compute_bench";
    TranslationProgram translated;
    translated.name = "compute";
    translated.section = "raw";
    translated.type = ProgramType::raw_memory;
    translated.insns.assign(program.insns.begin(), program.insns.end());
    translated.verified_instruction_count = static_cast<uint32_t>(translated.insns.size());
    translated.bytecode_sha256 = sha256_of_instructions(translated.insns);
    unit.programs.push_back(std::move(translated));

    const auto dir = std::filesystem::temp_directory_path() / ("ebpf-bench-native-" + std::to_string(::getpid()));
    std::filesystem::create_directories(dir);
    const std::string c_path = (dir / "module.c").string(), so_path = (dir / "module.so").string();
    write_file_atomically(c_path, generate_c(unit));
    compile_c_to_module(c_path, so_path);
    std::ifstream in(so_path, std::ios::binary);
    const std::vector<uint8_t> bytes((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
    std::filesystem::remove_all(dir);

    ModuleLoadOptions options;
    options.helpers = program.helpers;
    options.name = "compute_bench module";
    return load_module_from_memory(bytes, options)->make_engine(0);
}

}  // namespace ebpf::bench
