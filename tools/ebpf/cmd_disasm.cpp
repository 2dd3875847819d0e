// `ebpf disasm FILE [--asm]`: prints a program in the C-like syntax, one line
// per instruction, helper calls named as bpftool names them ("call
// bpf_map_lookup_elem#1"). FILE is raw bytecode, or assembler text with --asm.
// ELF objects are told apart by their magic: then every program (or the one
// --section names) is listed after loading, interleaved with its C source
// lines with --source ("; return XDP_PASS; // prog.c:42"). With --jit, each
// program's machine code is shown beside its instructions (the host's JIT, or
// --arch x86_64|aarch64 for either): for an ELF object,
// the code of the program as the runtime loads it (verified, context accesses
// rewritten, maps and helpers bound).
#include <cstdio>
#include <map>
#include <memory>
#include <string>
#include <vector>

#include "command.hpp"
#include "raw_input.hpp"
#include "ebpf/error.hpp"
#include "ebpf/isa.hpp"
#include "ebpf/jit.hpp"
#include "ebpf/object.hpp"
#include "ebpf/runtime.hpp"

namespace ebpf::tools {
namespace {

struct DisasmArguments {
    std::string file;
    std::string section;    // ELF: only the program with this section or name
    bool source = false;    // ELF: C source lines from BTF line info
    bool assembly = false;
    bool jit = false;       // machine code beside each instruction
    bool blinding = false;  // ... as compiled with constant blinding
    JitArch arch = JitArch::host;  // ... for this architecture
};

bool is_elf(const std::vector<uint8_t>& bytes) {
    return bytes.size() >= 4 && bytes[0] == 0x7f && bytes[1] == 'E' && bytes[2] == 'L' && bytes[3] == 'F';
}

// One program, as disassemble_program() lays it out.
void print_program(std::span<const Instruction> insns) {
    std::fputs(disassemble_program(insns, linux_helper_name).c_str(), stdout);
}

// The file part of a BTF file name, as compilers print it in diagnostics.
std::string base_name(const std::string& path) {
    size_t slash = path.rfind('/');
    return slash == std::string::npos ? path : path.substr(slash + 1);
}

// One linked program of an object, "; source" lines before the instructions
// they begin when `source` is set, and a "name:" label at each function.
void print_object_program(const Object& object, const Program& program, bool source) {
    std::printf("%s (section %s, %s, %zu instructions):\n", program.name.c_str(),
                program.section.c_str(), std::string(program_type_name(program.type)).c_str(),
                program.insns.size());
    size_t line = 0, function = 0;
    const SourceLocation* last = nullptr;  // a source line is shown once per run of instructions
    for (size_t pc = 0; pc < program.insns.size(); ++pc) {
        for (; function < program.functions.size() && program.functions[function].insn <= pc; ++function) {
            if (function > 0) std::printf("%s:\n", program.functions[function].name.c_str());
            last = nullptr;
        }
        for (; line < program.lines.size() && program.lines[line].insn <= pc; ++line) {
            if (!source || program.lines[line].insn != pc) continue;
            const SourceLocation& where = program.lines[line].where;
            if (where.line == 0) continue;  // compiler-generated code has no source line
            if (last && last->line == where.line && last->file == where.file) continue;
            last = &where;
            std::string text = where.text;
            size_t start = text.find_first_not_of(" \t");
            text = start == std::string::npos ? "" : text.substr(start);
            std::printf("; %s // %s:%u\n", text.c_str(), base_name(where.file).c_str(), where.line);
        }
        const Instruction* next = pc + 1 < program.insns.size() ? &program.insns[pc + 1] : nullptr;
        std::string text = disassemble(program.insns[pc], next, linux_helper_name);
        const Instruction& insn = program.insns[pc];
        // Name what the loader resolved: maps and global data by name.
        if (insn.opcode == op::kLddw && (insn.src == op::kPseudoMapIdx || insn.src == op::kPseudoMapIdxValue) &&
            insn.imm >= 0 && static_cast<size_t>(insn.imm) < object.maps.size()) {
            text += "  ; " + object.maps[insn.imm].name;
        }
        std::printf("%4zu: %s\n", pc, text.c_str());
        if (insn.opcode == op::kLddw && next) ++pc;
    }
}

// --jit on an object: the runtime loads the selected programs (for the JIT,
// so nothing is interpreted or run), and each one's code is listed.
int run_disasm_object_jit(const DisasmArguments& args, const Object& object) {
    LoadOptions options;
    options.mode = ExecMode::jit;
    options.exec.constant_blinding = args.blinding;
    options.limits = tool_limits();
    if (!args.section.empty()) options.programs = {args.section};
    std::unique_ptr<LoadedObject> loaded = load_object(object, options);
    ExecOptions exec;
    exec.constant_blinding = args.blinding;
    bool printed = false;
    for (const auto& program : loaded->programs()) {
        if (printed) std::printf("\n");
        std::printf("%s (section %s, %s, %zu instructions as loaded):\n", printable(program->name()).c_str(),
                    printable(program->section()).c_str(), std::string(program_type_name(program->type())).c_str(),
                    program->instructions().size());
        std::fputs(jit_disassemble({program->instructions(), &helper_table()}, exec, args.arch).c_str(), stdout);
        printed = true;
    }
    if (!printed)
        throw Error(args.file + ": no program " +
                    (args.section.empty() ? std::string("the runtime can load") : "with section or name '" + args.section + "'"));
    return 0;
}

int run_disasm_object(const DisasmArguments& args, const std::vector<uint8_t>& bytes) {
    Object object = open_object_from_memory(bytes, args.file, tool_limits(), tool_btf_path());
    if (args.jit) return run_disasm_object_jit(args, object);
    make_printable(object);
    bool printed = false;
    for (const auto& program : object.programs) {
        if (!args.section.empty() && program.section != args.section && program.name != args.section) continue;
        if (printed) std::printf("\n");
        print_object_program(object, program, args.source);
        printed = true;
    }
    if (!printed) throw Error(args.file + ": no program with section or name '" + args.section + "'");
    return 0;
}

int run_disasm(const DisasmArguments& args) {
    if (!args.assembly) {
        std::vector<uint8_t> bytes = read_file(args.file);
        if (is_elf(bytes)) return run_disasm_object(args, bytes);
    }
    std::vector<Instruction> insns;
    try {
        if (args.assembly) {
            insns = assemble(read_text_file(args.file));
        } else {
            const std::vector<uint8_t> bytes = read_file(args.file);
            insns = raw_bytecode(args.file, bytes);
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
        std::fputs(jit_disassemble({insns, nullptr}, options, args.arch).c_str(), stdout);
        return 0;
    }
    print_program(insns);
    return 0;
}

const CommandRegistration registration{Command{
    "disasm", "Disassemble an eBPF object (with --source lines), bytecode or assembler text",
    [](CLI::App& app) -> std::function<int()> {
        auto args = std::make_shared<DisasmArguments>();
        app.add_option("file", args->file,
                       "eBPF ELF object, raw bytecode file, or assembler text with --asm")->required();
        app.add_flag("--source", args->source, "ELF: interleave the C source lines (from BTF line info)");
        app.add_option("--section", args->section, "ELF: only the program with this section (or name)");
        add_limit_options(app);
        app.add_flag("--asm", args->assembly, "FILE is assembler text, not bytecode");
        app.add_flag("--jit", args->jit, "Show the machine code the JIT generates beside each instruction");
        app.add_option("--arch", args->arch, "With --jit: host (default), x86_64 or aarch64")
            ->transform(CLI::CheckedTransformer(
                std::map<std::string, JitArch>{
                    {"host", JitArch::host}, {"x86_64", JitArch::x86_64}, {"aarch64", JitArch::aarch64}},
                CLI::ignore_case));
        app.add_flag("--blind", args->blinding, "With --jit: compile with constant blinding");
        return [args] { return run_disasm(*args); };
    }}};

}  // namespace
}  // namespace ebpf::tools
