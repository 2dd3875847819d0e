// `ebpf verify`: runs the verifier over every program of an object (or one
// section), or over raw bytecode / assembler text with --type; --type also
// sets the type of an object's programs (as bpftool prog load … type). Verdicts go to
// stdout; errors to stderr in `file:line:col: error:` form so that editors and
// CI can jump to them. Exit status 1 when any program is rejected.
#include <cstdio>
#include <optional>
#include <nlohmann/json.hpp>
#include <string>
#include <vector>

#include "command.hpp"
#include "raw_input.hpp"
#include "ebpf/error.hpp"
#include "ebpf/object.hpp"
#include "ebpf/service.hpp"
#include "ebpf/verifier.hpp"

namespace ebpf::tools {
namespace {

struct VerifyArguments {
    std::string file;
    std::string section;
    bool json = false;
    int log_level = 0;
    std::string type;        // --type: raw | hook | xdp | ... (program_type_from_name)
    uint64_t mem_size = 0;   // raw input: memory size known at verification time
    bool mem_size_given = false;
    VerifyOptions budget;    // the verifier's limits (--max-insns, --max-states, ...)
};

bool is_elf(const std::vector<uint8_t>& bytes) {
    return bytes.size() >= 4 && bytes[0] == 0x7f && bytes[1] == 'E' && bytes[2] == 'L' && bytes[3] == 'F';
}

// Assembler text is printable; bytecode almost never is.
bool looks_like_text(const std::vector<uint8_t>& bytes) {
    for (uint8_t b : bytes)
        if (b == 0 || (b < 0x20 && b != '\n' && b != '\r' && b != '\t')) return false;
    return true;
}

int run_verify(const VerifyArguments& args) {
    const std::vector<uint8_t> bytes = read_file(args.file);
    std::vector<ProgramVerdict> verdicts;
    VerifyOptions options = args.budget;
    options.log_level = args.log_level;
    if (args.mem_size_given) options.mem_size = args.mem_size;
    const std::optional<SectionType> type = program_type_option(args.type);
    if (is_elf(bytes)) {
        Object object = open_object(args.file, tool_limits());
        if (type) set_program_type(object, type->type, type->attach);
        for (const Program& program : object.programs) {
            if (!args.section.empty() && program.section != args.section && program.name != args.section) continue;
            verdicts.push_back({program.name, program.section, std::string(program_type_name(program.type)),
                                verify_program(program, object.maps, options)});
        }
        if (verdicts.empty())
            throw Error(args.file + ": " + (args.section.empty() ? "no programs" : "no program in section '" + args.section + "'"));
    } else {
        if (!type)
            throw Error(args.file + ": not an ELF object; for raw bytecode or assembler text give --type raw or --type hook "
                                    "(or another program type, e.g. --type xdp)");
        std::vector<Instruction> insns;
        if (bytes.empty() || !looks_like_text(bytes)) {
            insns = raw_bytecode(args.file, bytes);  // names the file
        } else {
            try {
                insns = assemble(std::string(bytes.begin(), bytes.end()));
            } catch (const Error& e) {
                throw Error(args.file + ": " + e.what());
            }
        }
        verdicts.push_back({"program", "", std::string(program_type_name(type->type)),
                            verify_instructions(insns, type->type, {}, options)});
    }

    bool all_ok = true;
    for (const auto& v : verdicts) all_ok = all_ok && v.result.ok;
    if (args.json) {
        std::printf("%s\n", json_text(verification_json(args.file, verdicts, args.log_level > 0), 2).c_str());
    } else {
        for (const auto& v : verdicts) print_verdict_text(args.file, v, args.log_level);
    }
    return all_ok ? 0 : 1;
}

const CommandRegistration registration{{
    "verify",
    "Verify the programs of an eBPF object (or raw bytecode / assembler text with --type)",
    [](CLI::App& app) -> std::function<int()> {
        auto args = std::make_shared<VerifyArguments>();
        app.add_option("file", args->file, "eBPF ELF object, raw bytecode or assembler text")->required();
        app.add_option("--section,-s", args->section, "only the program of this section (or function name)");
        app.add_flag("--json", args->json, "machine-readable output");
        add_limit_options(app);
        app.add_option("--log-level", args->log_level, "0: errors; 1: + path; 2: + state at every instruction")
            ->check(CLI::Range(0, 2));
        add_type_option(app, args->type);
        auto* mem = app.add_option("--mem-size", args->mem_size, "raw input: size of the memory r1 points to, when known");
        app.add_option("--max-insns", args->budget.complexity_limit, "budget: instructions processed")
            ->capture_default_str();
        app.add_option("--max-states", args->budget.max_states, "budget: states stored for pruning")->capture_default_str();
        app.add_option("--max-memory", args->budget.max_memory_bytes, "budget: bytes of stored and pending states")
            ->capture_default_str();
        app.add_option("--max-seconds", args->budget.max_seconds, "budget: wall time (0: none)")->capture_default_str();
        return [args, mem] {
            args->mem_size_given = mem->count() > 0;
            return run_verify(*args);
        };
    },
}};

}  // namespace
}  // namespace ebpf::tools
