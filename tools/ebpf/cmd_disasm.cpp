// `ebpf disasm FILE [--asm]`: prints a program in the C-like syntax, one line
// per instruction. FILE is raw bytecode, or assembler text with --asm. ELF
// objects are told apart by their magic; the object loader adds that branch
// by turning the object's programs into instructions for print_program().
#include <cstdio>
#include <memory>
#include <string>
#include <vector>

#include "command.hpp"
#include "ebpf/error.hpp"
#include "ebpf/isa.hpp"
#include "ebpf/jit.hpp"

namespace ebpf::tools {
namespace {

struct DisasmArguments {
    std::string file;
    bool assembly = false;
    bool jit = false;       // x86-64 machine code beside each instruction
    bool blinding = false;  // ... as compiled with constant blinding
};

bool is_elf(const std::vector<uint8_t>& bytes) {
    return bytes.size() >= 4 && bytes[0] == 0x7f && bytes[1] == 'E' && bytes[2] == 'L' && bytes[3] == 'F';
}

// One program, as disassemble_program() lays it out.
void print_program(std::span<const Instruction> insns) {
    std::fputs(disassemble_program(insns).c_str(), stdout);
}

int run_disasm(const DisasmArguments& args) {
    std::vector<Instruction> insns;
    try {
        if (args.assembly) {
            insns = assemble(read_text_file(args.file));
        } else {
            const std::vector<uint8_t> bytes = read_file(args.file);
            if (is_elf(bytes)) {
                throw Error("is an ELF object; this build of 'ebpf disasm' reads raw bytecode (or "
                            "assembler text with --asm) only");
            }
            insns = instructions_from_bytes(bytes);
        }
    } catch (const Error& e) {
        const std::string message = e.what();
        // read_file() already names the file.
        throw Error(message.rfind(args.file + ":", 0) == 0 ? message : args.file + ": " + message);
    }
    if (args.jit) {
        // Helpers are not known here: a helper call shows as the JIT's
        // "helper not available" stub, the rest is the code make_jit() runs.
        ExecOptions options;
        options.constant_blinding = args.blinding;
        std::fputs(jit_disassemble({insns, nullptr}, options).c_str(), stdout);
        return 0;
    }
    print_program(insns);
    return 0;
}

const CommandRegistration registration{Command{
    "disasm", "Disassemble eBPF bytecode (or assembler text) in the C-like syntax",
    [](CLI::App& app) -> std::function<int()> {
        auto args = std::make_shared<DisasmArguments>();
        app.add_option("file", args->file, "Raw bytecode file, or assembler text with --asm")->required();
        app.add_flag("--asm", args->assembly, "FILE is assembler text, not bytecode");
        app.add_flag("--jit", args->jit, "Show the x86-64 code the JIT generates beside each instruction");
        app.add_flag("--blind", args->blinding, "With --jit: compile with constant blinding");
        return [args] { return run_disasm(*args); };
    }}};

}  // namespace
}  // namespace ebpf::tools
