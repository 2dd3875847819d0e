// `ebpf show prog.o [--json]`: what the object loader found in an object —
// programs (name, section, type, attach point, instructions, functions),
// maps (type, key/value sizes, max entries, flags) and global data — like
// `bpftool prog show`/`map show` for a file that is not loaded yet.
#include <fmt/format.h>

#include <algorithm>
#include <cstdio>
#include <memory>
#include <nlohmann/json.hpp>
#include <string>

#include "command.hpp"
#include "ebpf/object.hpp"

namespace ebpf::tools {
namespace {

struct ShowArguments {
    std::string file;
    bool json = false;
};

std::string type_of(const Program& program) {
    if (program.type == ProgramType::unspec) return "unspec (no runtime hook for this section)";
    return std::string(program_type_name(program.type));
}

nlohmann::json program_json(const Program& p) {
    nlohmann::json functions = nlohmann::json::array();
    for (const auto& f : p.functions) functions.push_back({{"name", f.name}, {"insn", f.insn}});
    return {{"name", p.name},
            {"section", p.section},
            {"type", std::string(program_type_name(p.type))},
            {"attach", p.attach},
            {"insns", p.insns.size()},
            {"functions", functions},
            {"line_info", p.lines.size()}};
}

nlohmann::json map_json(const Object& object, const MapDefinition& m) {
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
    if (m.inner_map) j["inner_map"] = object.maps.at(*m.inner_map).name;
    if (!m.initial_slots.empty()) {
        nlohmann::json slots = nlohmann::json::array();
        for (const auto& s : m.initial_slots) slots.push_back({{"key", s.key}, {"target", s.target}});
        j["initial_slots"] = slots;
    }
    return j;
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
    }
    size_t ordinary = std::count_if(object.maps.begin(), object.maps.end(),
                                    [](const MapDefinition& m) { return !m.is_global_data; });
    fmt::print("maps: {}\n", ordinary);
    for (const auto& m : object.maps) {
        if (m.is_global_data) continue;
        fmt::print("  {}  {}  key {}  value {}  max_entries {}  flags {:#x}", m.name, map_type_name(m.type),
                   m.key_size, m.value_size, m.max_entries, m.map_flags);
        if (m.inner_map) fmt::print("  inner {}", object.maps.at(*m.inner_map).name);
        if (m.inner_template) fmt::print("  (inner map template)");
        if (m.pinning) fmt::print("  pinning {}", m.pinning);
        fmt::print("\n");
        for (const auto& s : m.initial_slots) fmt::print("    [{}] = {}\n", s.key, s.target);
    }
    fmt::print("global data: {}\n", object.maps.size() - ordinary);
    for (const auto& m : object.maps) {
        if (!m.is_global_data) continue;
        fmt::print("  {}  {} bytes{}\n", m.name, m.value_size, m.read_only ? "  read-only" : "");
    }
}

int run_show(const ShowArguments& args) {
    Object object = open_object(args.file, tool_limits());
    if (args.json) {
        nlohmann::json programs = nlohmann::json::array(), maps = nlohmann::json::array(),
                       data = nlohmann::json::array();
        for (const auto& p : object.programs) programs.push_back(program_json(p));
        for (const auto& m : object.maps) (m.is_global_data ? data : maps).push_back(map_json(object, m));
        nlohmann::json out = {{"object", object.path},
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
    "show", "List the programs, maps and global data of an eBPF object",
    [](CLI::App& app) -> std::function<int()> {
        auto args = std::make_shared<ShowArguments>();
        app.add_option("file", args->file, "eBPF ELF object (clang -target bpf -O2 -g)")->required();
        app.add_flag("--json", args->json, "Print JSON");
        add_limit_options(app);
        return [args] { return run_show(*args); };
    }}};

}  // namespace
}  // namespace ebpf::tools
