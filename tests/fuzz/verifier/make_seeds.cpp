// make_seeds OUT_DIR FILE.data...: writes each assemblable bpf_conformance
// test program, with its input memory, as one fuzz input (fuzz_input.hpp) so
// that both bytecode fuzz targets start from the conformance suite.
#include <cstdio>
#include <exception>
#include <filesystem>
#include <fstream>

#include "../../conformance/conformance_data.hpp"
#include "ebpf/error.hpp"
#include "fuzz_input.hpp"

int main(int argc, char** argv) {
    namespace fs = std::filesystem;
    if (argc < 3) {
        std::fprintf(stderr, "usage: make_seeds OUT_DIR FILE.data...\n");
        return 2;
    }
    try {
        const fs::path out_dir = argv[1];
        fs::create_directories(out_dir);
        size_t written = 0;
        for (int i = 2; i < argc; ++i) {
            const auto test = ebpf::conformance::read_test_case(argv[i]);
            std::vector<ebpf::Instruction> insns;
            try {
                insns = ebpf::assemble(test.assembly);
            } catch (const ebpf::Error&) {
                continue;  // the assembler's own error cases have no bytecode
            }
            if (test.memory.size() > ebpf::fuzz::kMaxMemory) continue;
            const auto bytes = ebpf::fuzz::join_fuzz_input(test.memory, insns);
            std::ofstream out(out_dir / (fs::path(argv[i]).stem().string() + ".bin"), std::ios::binary | std::ios::trunc);
            out.write(reinterpret_cast<const char*>(bytes.data()), static_cast<std::streamsize>(bytes.size()));
            if (!out) throw ebpf::Error(out_dir.string() + ": cannot write a seed");
            ++written;
        }
        if (written == 0) throw ebpf::Error("no seed written (no assemblable program among the inputs)");
        std::printf("make_seeds: %zu seeds in %s\n", written, out_dir.c_str());
    } catch (const std::exception& e) {
        std::fprintf(stderr, "make_seeds: error: %s\n", e.what());
        return 1;
    }
    return 0;
}
