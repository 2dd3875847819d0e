// The child's side of a build (run_sandboxed_build starts it): everything the
// untrusted object touches — the ELF loader, the verifier, bpf2c and the C
// compiler — runs here, in a process with rlimits, never in the service.
//   DIR/object.o + DIR/options.json  →  DIR/outcome.json (+ DIR/module.so)
#include <fstream>

#include "ebpf/error.hpp"
#include "ebpf/input_file.hpp"
#include "ebpf/native.hpp"
#include "ebpf/object.hpp"
#include "ebpf/service.hpp"
#include "ebpf/signing.hpp"

namespace ebpf::service {
namespace {

// A stage's failure, with the outcome status it means.
struct StageError {
    BuildOutcome::Status status;
    std::string message;
};

nlohmann::json program_json(const Program& program) {
    return {{"name", program.name},
            {"section", program.section},
            {"type", std::string(program_type_name(program.type))},
            {"instructions", program.insns.size()},
            {"bytecode_sha256", to_hex(sha256_of_instructions(program.insns))}};
}

nlohmann::json build(const std::string& dir) {
    const auto options_bytes = read_input_file(dir + "/options.json", 1 << 20);
    const auto options = nlohmann::json::parse(options_bytes.begin(), options_bytes.end());
    const std::string name = options.at("name").get<std::string>();
    const std::string section = options.at("section").get<std::string>();
    const std::string type_override = options.at("type").get<std::string>();
    VerifyOptions budget;
    budget.complexity_limit = options.at("max_insns").get<uint64_t>();
    budget.max_states = options.at("max_states").get<uint64_t>();
    budget.max_memory_bytes = options.at("max_memory").get<uint64_t>();
    budget.max_seconds = options.at("max_seconds").get<double>();

    const auto bytes = read_input_file(dir + "/object.o");
    Object object;
    try {
        object = open_object_from_memory(bytes, name);
    } catch (const Error& e) {
        throw StageError{BuildOutcome::Status::invalid, e.what()};
    }
    std::vector<Program*> chosen;
    for (Program& program : object.programs)
        if (section.empty() || program.section == section || program.name == section) chosen.push_back(&program);
    if (chosen.empty())
        throw StageError{BuildOutcome::Status::invalid,
                         name + ": " + (section.empty() ? "no programs" : "no program in section '" + section + "'")};
    if (!type_override.empty()) {
        auto type = program_type_by_name(type_override);
        if (!type) throw StageError{BuildOutcome::Status::invalid, "unknown program type '" + type_override + "'"};
        for (Program* program : chosen) program->type = *type;
    }

    nlohmann::json outcome;
    std::vector<ProgramVerdict> verdicts;
    bool all_ok = true;
    outcome["programs"] = nlohmann::json::array();
    for (Program* program : chosen) {
        outcome["programs"].push_back(program_json(*program));
        verdicts.push_back({program->name, program->section, std::string(program_type_name(program->type)),
                            verify_program(*program, object.maps, budget)});
        all_ok = all_ok && verdicts.back().result.ok;
    }
    outcome["verification"] = verification_json(name, verdicts);
    if (!all_ok) {
        outcome["status"] = "rejected";
        return outcome;
    }
    try {
        // The library call `ebpf build` makes: the same object and options
        // give the same unsigned module here and on a developer's machine.
        ModuleBuildOptions build_options;
        build_options.bpf2c.section = section;
        const BuiltModule built = build_module(object, build_options);
        write_file_atomically(dir + "/module.so",
                              std::string_view(reinterpret_cast<const char*>(built.bytes.data()), built.bytes.size()));
    } catch (const Error& e) {
        throw StageError{BuildOutcome::Status::failed, e.what()};
    }
    outcome["status"] = "built";
    return outcome;
}

}  // namespace

int run_build_worker(const std::string& dir) {
    nlohmann::json outcome;
    try {
        outcome = build(dir);
    } catch (const StageError& e) {
        outcome = {{"status", e.status == BuildOutcome::Status::invalid ? "invalid" : "failed"}, {"error", e.message}};
    } catch (const std::bad_alloc&) {
        outcome = {{"status", "failed"}, {"error", "the build ran out of memory (the service's memory limit)"}};
    } catch (const std::exception& e) {
        outcome = {{"status", "failed"}, {"error", e.what()}};
    }
    try {
        write_file_atomically(dir + "/outcome.json", json_text(outcome));
    } catch (const std::exception&) {
        return 2;
    }
    return 0;
}

}  // namespace ebpf::service
