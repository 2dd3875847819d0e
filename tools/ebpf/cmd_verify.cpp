// `ebpf verify`: runs the verifier over every program of an object (or one
// section), or over raw bytecode / assembler text with --type. Verdicts go to
// stdout; errors to stderr in `file:line:col: error:` form so that editors and
// CI can jump to them. Exit status 1 when any program is rejected.
#include <cstdio>
#include <nlohmann/json.hpp>
#include <string>
#include <vector>

#include "command.hpp"
#include "raw_input.hpp"
#include "ebpf/error.hpp"
#include "ebpf/object.hpp"
#include "ebpf/verifier.hpp"

namespace ebpf::tools {
namespace {

struct VerifyArguments {
    std::string file;
    std::string section;
    bool json = false;
    int log_level = 0;
    std::string type;        // raw input: raw | hook
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

nlohmann::json diagnostic_json(const VerifyDiagnostic& d) {
    nlohmann::json j = {{"insn", d.insn}, {"message", d.message}, {"insn_text", d.insn_text},
                        {"state", d.state}, {"path", d.path}};
    if (d.where) {
        j["file"] = d.where->file;
        j["line"] = d.where->line;
        j["column"] = d.where->column;
    }
    return j;
}

struct Verdict {
    std::string name;
    std::string section;
    std::string type;
    VerifyResult result;
};

void print_text(const std::string& file, const Verdict& v, const VerifyArguments& args) {
    if (args.log_level > 0 && !v.result.log.empty()) std::fputs(printable(v.result.log, true).c_str(), stdout);
    const auto& s = v.result.stats;
    if (v.result.ok) {
        std::printf("%s: %s (%s): verified, %llu insns processed, %llu states, %.1f ms\n", file.c_str(),
                    printable(v.name).c_str(),
                    v.type.c_str(), static_cast<unsigned long long>(s.insns_processed),
                    static_cast<unsigned long long>(s.states_visited), s.seconds * 1e3);
        return;
    }
    // Diagnostics quote BTF source lines and names from the object.
    for (const auto& d : v.result.errors) std::fputs(printable(format_diagnostic(d, file), true).c_str(), stderr);
    std::printf("%s: %s (%s): rejected after %llu insns processed\n", file.c_str(), printable(v.name).c_str(), v.type.c_str(),
                static_cast<unsigned long long>(s.insns_processed));
}

int run_verify(const VerifyArguments& args) {
    const std::vector<uint8_t> bytes = read_file(args.file);
    std::vector<Verdict> verdicts;
    VerifyOptions options = args.budget;
    options.log_level = args.log_level;
    if (args.mem_size_given) options.mem_size = args.mem_size;
    if (is_elf(bytes)) {
        if (!args.type.empty()) throw Error(args.file + ": --type is for raw bytecode or assembler text, not ELF objects");
        const Object object = open_object(args.file, tool_limits());
        for (const Program& program : object.programs) {
            if (!args.section.empty() && program.section != args.section && program.name != args.section) continue;
            verdicts.push_back({program.name, program.section, std::string(program_type_name(program.type)),
                                verify_program(program, object.maps, options)});
        }
        if (verdicts.empty())
            throw Error(args.file + ": " + (args.section.empty() ? "no programs" : "no program in section '" + args.section + "'"));
    } else {
        if (args.type.empty())
            throw Error(args.file + ": not an ELF object; for raw bytecode or assembler text give --type raw or --type hook");
        const ProgramType type = args.type == "raw" ? ProgramType::raw_memory : ProgramType::hook;
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
        verdicts.push_back({"program", "", std::string(program_type_name(type)), verify_instructions(insns, type, {}, options)});
    }

    bool all_ok = true;
    if (args.json) {
        nlohmann::json out = nlohmann::json::array();
        for (const auto& v : verdicts) {
            const auto& s = v.result.stats;
            nlohmann::json j = {{"file", args.file}, {"program", v.name}, {"section", v.section}, {"type", v.type},
                                {"verified", v.result.ok},
                                {"stats", {{"insns_processed", s.insns_processed}, {"states_visited", s.states_visited},
                                           {"peak_states", s.peak_states}, {"seconds", s.seconds},
                                           {"peak_memory_bytes", s.peak_memory_bytes}}}};
            nlohmann::json errors = nlohmann::json::array();
            for (const auto& d : v.result.errors) errors.push_back(diagnostic_json(d));
            j["errors"] = errors;
            if (args.log_level > 0) j["log"] = v.result.log;
            out.push_back(j);
            all_ok = all_ok && v.result.ok;
        }
        std::printf("%s\n", json_text(out, 2).c_str());
    } else {
        for (const auto& v : verdicts) {
            print_text(args.file, v, args);
            all_ok = all_ok && v.result.ok;
        }
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
        app.add_option("--type", args->type, "program type of raw input: raw (r1 = memory, r2 = its length) or hook")
            ->check(CLI::IsMember({"raw", "hook"}));
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
