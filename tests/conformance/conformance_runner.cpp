// conformance_runner [--mode interpret|jit|native] [--no-verify] FILE.data...:
// runs each bpf_conformance test file and checks its result or error. Every
// program is verified as raw_memory with its input size (--no-verify: the
// bounds-checked interpreter runs it unverified). A file expecting an error
// passes when the assembler, the validator, the verifier or the run fails
// with the expected text. Exit code 0 when every file passes.
#include <cstdio>
#include <exception>
#include <string>
#include <vector>

#include "conformance_data.hpp"
#include "conformance_engines.hpp"
#include "ebpf/error.hpp"
#include "ebpf/exec.hpp"
#include "ebpf/isa.hpp"

namespace {

using namespace ebpf;
using namespace ebpf::conformance;

// Returns an empty string on success, else why the test failed.
std::string run_test(const TestCase& test, ExecMode mode, bool verify) {
    std::vector<uint8_t> memory = test.memory;  // the program may write to it
    uint64_t r0 = 0;
    try {
        const std::vector<Instruction> insns = assemble(test.assembly);
        HelperTable helpers;
        EngineOptions options;
        options.mem_size = memory.size();
        options.verify = verify;
        options.name = test.path;
        auto engine = make_conformance_engine(mode, {insns, &helpers}, options);
        r0 = engine->run(reinterpret_cast<uint64_t>(memory.empty() ? empty_memory() : memory.data()), memory.size());
    } catch (const Error& e) {
        const std::string message = e.what();
        if (test.error) {
            if (message.find(*test.error) != std::string::npos) return "";
            return "expected an error containing '" + *test.error + "', got: " + message;
        }
        return "unexpected error: " + message;
    }
    if (test.error) return "expected an error containing '" + *test.error + "', got r0 = " + std::to_string(r0);
    if (r0 != *test.result) {
        char text[96];
        std::snprintf(text, sizeof text, "r0 = 0x%llx, expected 0x%llx", static_cast<unsigned long long>(r0),
                      static_cast<unsigned long long>(*test.result));
        return text;
    }
    return "";
}

int usage() {
    std::fprintf(stderr, "usage: conformance_runner [--mode interpret|jit|native] [--no-verify] FILE.data...\n");
    return 2;
}

}  // namespace

int main(int argc, char** argv) {
    std::string mode_name = "interpret";
    std::vector<std::string> files;
    bool verify = true;
    for (int i = 1; i < argc; ++i) {
        const std::string arg = argv[i];
        if (arg == "--mode") {
            if (++i == argc) return usage();
            mode_name = argv[i];
        } else if (arg.rfind("--mode=", 0) == 0) {
            mode_name = arg.substr(7);
        } else if (arg == "--no-verify") {
            verify = false;
        } else if (arg == "--help" || arg == "-h") {
            usage();
            return 0;
        } else if (!arg.empty() && arg[0] == '-') {
            return usage();
        } else {
            files.push_back(arg);
        }
    }
    if (files.empty()) return usage();
    int failures = 0;
    const std::string label = mode_name + (verify ? "" : ", unverified");
    try {
        const ExecMode mode = parse_mode(mode_name);
        for (const std::string& file : files) {
            std::string failure;
            try {
                failure = run_test(read_test_case(file), mode, verify);
            } catch (const std::exception& e) {
                failure = e.what();
            }
            if (failure.empty()) {
                std::printf("PASS %s [%s]\n", file.c_str(), label.c_str());
            } else {
                ++failures;
                std::printf("FAIL %s [%s]: %s\n", file.c_str(), label.c_str(), failure.c_str());
            }
        }
    } catch (const std::exception& e) {
        std::fprintf(stderr, "conformance_runner: error: %s\n", e.what());
        return 2;
    }
    return failures == 0 ? 0 : 1;
}
