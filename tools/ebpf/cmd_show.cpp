// `ebpf show prog.o [--json]`: what the object loader found in an object —
// programs (name, section, type, attach point, instructions, functions),
// maps (type, key/value sizes, max entries, flags) and global data — like
// `bpftool prog show`/`map show` for a file that is not loaded yet.
// `ebpf show prog.so [--trust DIR] [--json]`: the same for a native module,
// plus its helper imports, each program's bytecode SHA-256 and the signer —
// read from the file without running any of it (read_module_metadata).
#include <fmt/format.h>

#include <algorithm>
#include <cstdio>
#include <memory>
#include <nlohmann/json.hpp>
#include <string>

#include "command.hpp"
#include "ebpf/error.hpp"
#include "ebpf/native.hpp"
#include "ebpf/object.hpp"
#include "ebpf/runtime.hpp"
#include "ebpf/signing.hpp"

namespace ebpf::tools {
namespace {

struct ShowArguments {
    std::string file;
    std::string trust;  // modules: check the signature against this trust store
    bool json = false;
};

std::string type_of(const Program& program) {
    if (program.type == ProgramType::unspec) return "unspec (no runtime hook for this section)";
    const ProgramTypeInfo& info = program_type_info(program.type);
    if (!info.unverifiable.empty()) return std::string(info.name) + " (BTF-typed: not verifiable here)";
    if (!info.ctx_is_memory && info.runtime_ctx_size == 0 && info.type != ProgramType::sched_cls &&
        info.type != ProgramType::socket_filter && info.type != ProgramType::sched_act)
        return std::string(info.name) + " (verified only: no runtime hook)";
    return std::string(program_type_name(program.type));
}

// Why a program of the object will not run here: it cannot load (a CO-RE
// relocation or extern it cannot satisfy), or its type has no runtime
// context (it can still be verified). Empty when it runs.
std::string not_runnable_reason(const Program& p) {
    if (!p.load_error.empty()) return "cannot load: " + p.load_error;
    if (!runtime_can_run(p.type))
        return "not runnable: the runtime cannot run " + std::string(program_type_name(p.type)) + " programs";
    return "";
}

nlohmann::json program_json(const Program& p) {
    nlohmann::json functions = nlohmann::json::array();
    for (const auto& f : p.functions) functions.push_back({{"name", f.name}, {"insn", f.insn}});
    return {{"name", p.name},
            {"loadable", p.load_error.empty()},
            {"runnable", p.load_error.empty() && runtime_can_run(p.type)},
            {"status", not_runnable_reason(p).empty() ? "ok" : not_runnable_reason(p)},
            {"section", p.section},
            {"type", std::string(program_type_name(p.type))},
            {"attach", p.attach},
            {"insns", p.insns.size()},
            {"functions", functions},
            {"line_info", p.lines.size()}};
}

nlohmann::json map_json(const std::vector<MapDefinition>& all, const MapDefinition& m) {
    nlohmann::json j = {{"name", m.name},
                        {"type", std::string(map_type_name(m.type))},
                        {"key_size", m.key_size},
                        {"value_size", m.value_size},
                        {"max_entries", m.max_entries},
                        {"flags", m.map_flags},
                        {"pinning", m.pinning},
                        {"global_data", m.is_global_data},
                        {"read_only", m.read_only},
                        {"inner_template", m.inner_template}};
    if (m.inner_map) j["inner_map"] = all.at(*m.inner_map).name;
    if (!m.initial_slots.empty()) {
        nlohmann::json slots = nlohmann::json::array();
        for (const auto& s : m.initial_slots) slots.push_back({{"key", s.key}, {"target", s.target}});
        j["initial_slots"] = slots;
    }
    return j;
}

// The maps of an object or module, as `ebpf show` prints them.
void print_maps(const std::vector<MapDefinition>& maps) {
    size_t ordinary = std::count_if(maps.begin(), maps.end(), [](const MapDefinition& m) { return !m.is_global_data; });
    fmt::print("maps: {}\n", ordinary);
    for (const auto& m : maps) {
        if (m.is_global_data) continue;
        fmt::print("  {}  {}  key {}  value {}  max_entries {}  flags {:#x}", printable(m.name), map_type_name(m.type),
                   m.key_size, m.value_size, m.max_entries, m.map_flags);
        if (m.inner_map) fmt::print("  inner {}", printable(maps.at(*m.inner_map).name));
        if (m.inner_template) fmt::print("  (inner map template)");
        if (m.pinning) fmt::print("  pinning {}", m.pinning);
        fmt::print("\n");
        for (const auto& s : m.initial_slots) fmt::print("    [{}] = {}\n", s.key, printable(s.target));
    }
    fmt::print("global data: {}\n", maps.size() - ordinary);
    for (const auto& m : maps) {
        if (!m.is_global_data) continue;
        fmt::print("  {}  {} bytes{}\n", printable(m.name), m.value_size, m.read_only ? "  read-only" : "");
    }
}

void print_text(const Object& object) {
    fmt::print("object: {}\nlicense: {}\n", object.path, object.license.empty() ? "(none)" : object.license);
    fmt::print("programs: {}\n", object.programs.size());
    for (const auto& p : object.programs) {
        fmt::print("  {}\n", p.name);
        fmt::print("    section {}  type {}  attach {}\n", p.section, type_of(p),
                   p.attach.empty() ? "-" : p.attach);
        std::string functions;
        for (size_t i = 1; i < p.functions.size(); ++i) {
            functions += (i > 1 ? ", " : "") + p.functions[i].name;
        }
        fmt::print("    {} instructions, {} line records{}\n", p.insns.size(), p.lines.size(),
                   functions.empty() ? "" : ", subprograms: " + functions);
        if (std::string why = not_runnable_reason(p); !why.empty()) fmt::print("    {}\n", why);
    }
    print_maps(object.maps);
}

// --- native modules ------------------------------------------------------------

bool is_shared_object(const std::vector<uint8_t>& bytes) {
    // ELF magic and e_type ET_DYN (3), little-endian: eBPF objects are ET_REL.
    return bytes.size() >= 18 && bytes[0] == 0x7f && bytes[1] == 'E' && bytes[2] == 'L' && bytes[3] == 'F' &&
           bytes[16] == 3 && bytes[17] == 0;
}

std::string helper_text(int32_t id) {
    const std::string_view name = linux_helper_name(id);
    return name.empty() ? "#" + std::to_string(id) : std::string(name) + "#" + std::to_string(id);
}

// The signer and, with a trust store, whether the signature chains to it.
nlohmann::json signature_json(const std::vector<uint8_t>& bytes, const std::string& trust_path) {
    nlohmann::json out = {{"signed", has_module_signature(bytes)}};
    if (!has_module_signature(bytes)) return out;
    try {
        if (auto signer = read_module_signer(bytes)) {
            out["subject"] = signer->subject;
            out["issuer"] = signer->issuer;
            out["not_before"] = signer->not_before;
            out["not_after"] = signer->not_after;
        }
    } catch (const Error& e) {
        out["error"] = e.what();
    }
    if (!trust_path.empty()) {
        const TrustStore trust = TrustStore::from_path(trust_path);
        const SignatureReport report = verify_module_signature(bytes, trust);
        out["trust_store"] = trust.description();
        out["verdict"] = signature_verdict_name(report.verdict);
        out["trusted"] = report.ok();
        if (!report.reason.empty()) out["reason"] = report.reason;
        if (!report.chain.empty()) out["chain"] = report.chain;
    }
    return out;
}

nlohmann::json module_json(const std::string& path, const NativeModuleMetadata& module, nlohmann::json signature) {
    nlohmann::json programs = nlohmann::json::array(), maps = nlohmann::json::array(), data = nlohmann::json::array(),
                   helpers = nlohmann::json::array();
    for (const auto& p : module.programs) {
        nlohmann::json uses = nlohmann::json::array();
        for (const auto& ref : p.map_references) uses.push_back(module.maps.at(ref.map).name);
        programs.push_back({{"name", p.name},
                            {"section", p.section},
                            {"type", std::string(program_type_name(p.type))},
                            {"insns", p.instruction_count},
                            {"bytecode_sha256", to_hex(p.bytecode_sha256)},
                            {"maps", uses}});
    }
    for (const auto& m : module.maps) (m.is_global_data ? data : maps).push_back(map_json(module.maps, m));
    for (int32_t id : module.helpers) helpers.push_back({{"id", id}, {"name", std::string(linux_helper_name(id))}});
    return {{"module", path},      {"source", module.source_name}, {"core_btf", module.core_btf}, {"programs", programs}, {"maps", maps},
            {"global_data", data}, {"helpers", helpers},           {"signature", std::move(signature)}};
}

void print_module_text(const std::string& path, const NativeModuleMetadata& module, const nlohmann::json& signature) {
    fmt::print("module: {}\nbuilt from: {}\n", printable(path), printable(module.source_name));
    if (!module.core_btf.empty()) fmt::print("CO-RE target BTF: {}\n", printable(module.core_btf));
    fmt::print("programs: {}\n", module.programs.size());
    for (const auto& p : module.programs) {
        fmt::print("  {}\n    section {}  type {}  {} instructions\n    bytecode sha256 {}\n", printable(p.name),
                   printable(p.section), program_type_name(p.type), p.instruction_count, to_hex(p.bytecode_sha256));
    }
    print_maps(module.maps);
    fmt::print("helpers: {}\n", module.helpers.size());
    for (int32_t id : module.helpers) fmt::print("  {}\n", helper_text(id));
    auto text = [&](const char* key) { return printable(signature.value(key, std::string())); };
    if (!signature["signed"].get<bool>()) {
        fmt::print("signer: unsigned\n");
        return;
    }
    if (signature.contains("error")) fmt::print("signer: unreadable signature: {}\n", text("error"));
    else fmt::print("signer: {}\n  issuer {}\n  valid {} to {}\n", text("subject"), text("issuer"),
                    text("not_before"), text("not_after"));
    if (!signature.contains("verdict")) {
        fmt::print("  trust: not checked (give --trust DIR)\n");
    } else if (signature["trusted"].get<bool>()) {
        fmt::print("  trust: valid, chains to {}\n", text("trust_store"));
    } else {
        fmt::print("  trust: {}: {}\n", text("verdict"), text("reason"));
    }
}

int run_show_module(const ShowArguments& args, const std::vector<uint8_t>& bytes) {
    const NativeModuleMetadata module = read_module_metadata(bytes, helper_table(), args.file);
    nlohmann::json signature = signature_json(bytes, args.trust);
    if (args.json) std::puts(json_text(module_json(args.file, module, signature), 2).c_str());
    else print_module_text(args.file, module, signature);
    return 0;
}

int run_show(const ShowArguments& args) {
    const std::vector<uint8_t> bytes = read_file(args.file);
    if (is_shared_object(bytes)) return run_show_module(args, bytes);
    if (!args.trust.empty()) throw Error(args.file + ": --trust applies to native modules (.so), not eBPF objects");
    Object object = open_object_from_memory(bytes, args.file, tool_limits(), tool_btf_path());
    if (args.json) {
        nlohmann::json programs = nlohmann::json::array(), maps = nlohmann::json::array(),
                       data = nlohmann::json::array();
        for (const auto& p : object.programs) programs.push_back(program_json(p));
        for (const auto& m : object.maps) (m.is_global_data ? data : maps).push_back(map_json(object.maps, m));
        nlohmann::json out = {{"object", object.path},
                              {"core_btf", object.core_btf_source},
                              {"license", object.license},
                              {"programs", programs},
                              {"maps", maps},
                              {"global_data", data}};
        std::puts(json_text(out, 2).c_str());
    } else {
        make_printable(object);
        print_text(object);
    }
    return 0;
}

const CommandRegistration registration{Command{
    "show", "List the programs, maps and global data of an eBPF object or a native module (and its signer)",
    [](CLI::App& app) -> std::function<int()> {
        auto args = std::make_shared<ShowArguments>();
        app.add_option("file", args->file, "eBPF ELF object (clang -target bpf -O2 -g) or native module (.so)")
            ->required();
        app.add_option("--trust", args->trust,
                       "Modules: check that the signature chains to these roots (a PEM file or a directory)");
        app.add_flag("--json", args->json, "Print JSON");
        add_limit_options(app);
        return [args] { return run_show(*args); };
    }}};

}  // namespace
}  // namespace ebpf::tools
