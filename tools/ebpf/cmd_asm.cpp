// `ebpf asm FILE [-o OUT] [--hex] [--no-validate]`: assembler text (C-like or
// bpf_conformance syntax) → raw little-endian bytecode, or one line of hex.
#include <cstdio>
#include <string>
#include <vector>

#include "command.hpp"
#include "ebpf/error.hpp"
#include "ebpf/isa.hpp"

namespace ebpf::tools {
namespace {

struct AsmArguments {
    std::string file;
    std::string output;
    bool hex = false;
    bool no_validate = false;
};

std::string to_hex(const std::vector<uint8_t>& bytes) {
    std::string text;
    char byte[4];
    for (uint8_t b : bytes) {
        std::snprintf(byte, sizeof byte, "%02x", b);
        text += byte;
    }
    return text;
}

int run_asm(const AsmArguments& args) {
    std::vector<Instruction> insns;
    try {
        insns = assemble(read_text_file(args.file));
        if (!args.no_validate) validate(insns);
    } catch (const Error& e) {
        const std::string message = e.what();  // read_text_file() already names the file
        throw Error(message.rfind(args.file + ":", 0) == 0 ? message : args.file + ": " + message);
    }
    const std::vector<uint8_t> bytes = instructions_to_bytes(insns);
    if (args.hex) {
        const std::string line = to_hex(bytes) + "\n";
        if (args.output.empty()) {
            std::fputs(line.c_str(), stdout);
        } else {
            write_file(args.output, line.data(), line.size());
        }
    } else if (args.output.empty()) {
        throw Error("asm: give -o OUT for the bytecode file, or --hex to print it");
    } else {
        write_file(args.output, bytes.data(), bytes.size());
    }
    return 0;
}

const CommandRegistration registration{Command{
    "asm", "Assemble eBPF assembler text into raw bytecode",
    [](CLI::App& app) -> std::function<int()> {
        auto args = std::make_shared<AsmArguments>();
        app.add_option("file", args->file, "Assembler text (C-like or bpf_conformance syntax)")->required();
        app.add_option("-o,--output", args->output, "Write the bytecode (or with --hex, the hex line) here");
        app.add_flag("--hex", args->hex, "Write the bytecode as one line of hex");
        app.add_flag("--no-validate", args->no_validate,
                     "Keep programs that validation would reject (for writing negative tests)");
        return [args] { return run_asm(*args); };
    }}};

}  // namespace
}  // namespace ebpf::tools
