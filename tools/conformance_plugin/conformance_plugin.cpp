// ebpf-conformance-plugin: runs one program for the bpf_conformance runner.
//
// The runner's plugin protocol: the program arrives on stdin as hex bytes
// (whitespace between bytes allowed); argv[1] is the input memory as hex
// (possibly empty); the runner's --plugin_options follow, possibly as one
// argument holding several words. The program runs with r1 = a copy of the
// memory and r2 = its length. Every program is verified first as raw_memory
// with the memory size known (RFC 9669 as the contract); jit and native run
// only verified programs, and --no-verify lets the bounds-checked interpreter
// run an unverified one (for testing the interpreter itself). On success r0 goes to stdout in hex and the exit
// code is 0; on failure the exit code is 1, the error goes to stderr, and the
// bare message also goes to stdout because the runner compares stdout with
// the test's "-- error" text.
#include <cctype>
#include <cinttypes>
#include <cstdio>
#include <iostream>
#include <iterator>
#include <sstream>
#include <string>
#include <vector>

#include "ebpf/error.hpp"
#include "ebpf/exec.hpp"
#include "ebpf/native.hpp"
#include "ebpf/policy.hpp"
#include "ebpf/isa.hpp"
#include "ebpf/verifier.hpp"

namespace {

using namespace ebpf;

constexpr const char* kUsage =
    "usage: ebpf-conformance-plugin [MEMORY_HEX] [--mode interpret|jit|native] [--no-verify] < PROGRAM_HEX\n"
    "  PROGRAM_HEX  program bytes in hex on stdin (whitespace between bytes allowed)\n"
    "  MEMORY_HEX   input memory in hex; r1 points to a copy, r2 is its length\n"
    "  --mode M     execution mode (this build: interpret, jit, native)\n"
    "  --no-verify  interpret mode only: run unverified, every access bounds-checked\n"
    "Prints r0 in hex; on error prints the message and exits 1.\n";

int hex_digit(char c) {
    if (c >= '0' && c <= '9') return c - '0';
    if (c >= 'a' && c <= 'f') return c - 'a' + 10;
    if (c >= 'A' && c <= 'F') return c - 'A' + 10;
    return -1;
}

std::vector<uint8_t> parse_hex(const std::string& text, const char* what) {
    std::vector<uint8_t> bytes;
    int high = -1;
    for (char c : text) {
        if (std::isspace(static_cast<unsigned char>(c))) {
            if (high >= 0) throw Error(std::string(what) + ": a byte needs two hex digits");
            continue;
        }
        const int digit = hex_digit(c);
        if (digit < 0) throw Error(std::string(what) + ": '" + std::string(1, c) + "' is not a hex digit");
        if (high < 0) {
            high = digit;
        } else {
            bytes.push_back(static_cast<uint8_t>(high << 4 | digit));
            high = -1;
        }
    }
    if (high >= 0) throw Error(std::string(what) + ": odd number of hex digits");
    return bytes;
}

struct Options {
    std::string memory_hex;
    ExecMode mode = ExecMode::interpret;
    bool verify = true;
    bool help = false;
};

Options parse_arguments(int argc, char** argv) {
    Options options;
    std::vector<std::string> words;
    int first_option = 1;
    // argv[1] is the memory unless it is already an option.
    if (argc > 1 && std::string(argv[1]).rfind("--", 0) != 0) {
        options.memory_hex = argv[1];
        first_option = 2;
    }
    for (int i = first_option; i < argc; ++i) {
        std::istringstream split(argv[i]);
        words.insert(words.end(), std::istream_iterator<std::string>(split), std::istream_iterator<std::string>());
    }
    for (size_t i = 0; i < words.size(); ++i) {
        const std::string& word = words[i];
        if (word == "--help" || word == "-h") {
            options.help = true;
        } else if (word == "--no-verify") {
            options.verify = false;
        } else if (word == "--mode") {
            if (i + 1 == words.size()) throw Error("--mode needs a value (interpret)");
            const std::string mode = words[++i];
            if (mode == exec_mode_name(ExecMode::interpret)) {
                options.mode = ExecMode::interpret;
            } else if (mode == exec_mode_name(ExecMode::jit)) {
                options.mode = ExecMode::jit;
            } else if (mode == exec_mode_name(ExecMode::native)) {
                options.mode = ExecMode::native;
            } else {
                throw Error("--mode " + mode + ": unknown mode (interpret, jit, native)");
            }
        } else {
            throw Error("unknown option '" + word + "'");
        }
    }
    return options;
}

// Throws ebpf::Error with the verifier's first diagnostic when it rejects the program.
void verify_raw_memory(std::span<const Instruction> insns, uint64_t mem_size) {
    VerifyOptions options;
    options.mem_size = mem_size;
    const VerifyResult result = verify_instructions(insns, ProgramType::raw_memory, {}, options);
    if (result.ok) return;
    if (result.errors.empty()) throw Error("program: verifier rejected it");
    throw Error(format_diagnostic(result.errors.front(), "program"));
}

uint64_t run_program(const std::vector<uint8_t>& program_bytes, std::vector<uint8_t>& memory, const Options& options) {
    if (program_bytes.empty()) throw Error("stdin: no program (expected hex bytes)");
    const std::vector<Instruction> insns = instructions_from_bytes(program_bytes);
    validate(insns);
    // Code-integrity mode (EBPF_CODE_INTEGRITY=1): bytecode from stdin never
    // runs; the interpreter and the JIT are refused here, native mode by
    // compile_native_engine (nothing is compiled on the host in the mode).
    check_engine_policy(options.mode);
    const HelperTable helpers;
    const ExecutableProgram program{insns, &helpers};
    std::unique_ptr<Engine> engine;
    if (!options.verify) {
        if (options.mode != ExecMode::interpret)
            throw Error(std::string("--no-verify: only the interpreter may run unverified programs, not ") +
                        exec_mode_name(options.mode));
        // Unverified: check every access, and stop runaway loops rather
        // than hang the runner.
        ExecOptions checked;
        checked.bounds_check = true;
        checked.instruction_budget = 100'000'000;
        engine = make_interpreter(program, checked);
    } else {
        verify_raw_memory(insns, memory.size());
        switch (options.mode) {
        case ExecMode::interpret: engine = make_interpreter(program); break;
        case ExecMode::jit: engine = make_jit(program); break;
        case ExecMode::native: engine = compile_native_engine(insns, helpers); break;
        }
    }
    return engine->run(reinterpret_cast<uint64_t>(memory.empty() ? empty_memory() : memory.data()), memory.size());
}

}  // namespace

int main(int argc, char** argv) {
    try {
        const Options options = parse_arguments(argc, argv);
        if (options.help) {
            std::fputs(kUsage, stdout);
            return 0;
        }
        std::vector<uint8_t> memory = parse_hex(options.memory_hex, "memory (argv[1])");
        const std::string program_text{std::istreambuf_iterator<char>(std::cin), std::istreambuf_iterator<char>()};
        const std::vector<uint8_t> program = parse_hex(program_text, "program (stdin)");
        const uint64_t r0 = run_program(program, memory, options);
        std::printf("%" PRIx64 "\n", r0);
        return 0;
    } catch (const std::exception& e) {
        // The runner compares stdout with one line of expected text: the
        // first line (the verifier adds the instruction, state and path).
        const std::string message = e.what();
        std::printf("%s\n", message.substr(0, message.find('\n')).c_str());
        std::fprintf(stderr, "ebpf-conformance-plugin: error: %s\n", e.what());
        return 1;
    }
}
