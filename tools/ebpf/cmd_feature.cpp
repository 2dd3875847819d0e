// `ebpf feature [--json|--markdown]`: what this runtime supports, like
// `bpftool feature probe`: every Linux program type, map type and helper by
// ID, each with its status here, read from the ABI tables (src/abi) and the
// runtime's helper table, never written by hand. docs/helpers.md is this
// command's --markdown output; a test fails when the committed file differs.
#include <fmt/format.h>

#include <cstdio>
#include <memory>
#include <nlohmann/json.hpp>
#include <string>
#include <vector>

#include "command.hpp"
#include "ebpf/abi.hpp"
#include "ebpf/runtime.hpp"

namespace ebpf::tools {
namespace {

struct FeatureArguments {
    bool json = false;
    bool markdown = false;
};

// --- the facts ---------------------------------------------------------------

struct ProgramTypeRow {
    uint32_t id;
    std::string linux_name;       // "" for our own types
    const ProgramTypeInfo* info;  // null when not supported
    std::vector<std::string> sections;
};

struct HelperRow {
    int32_t id;
    std::string name;
    bool supported;  // prototype (verifier) and implementation (runtime)
    bool verify_only;  // a prototype (programs calling it verify), no implementation
    std::vector<std::string> program_types;
};

struct MapTypeRow {
    uint32_t id;
    std::string name;
    bool supported;
};

// Our program types past Linux's numbering (hook, raw_memory).
constexpr ProgramType kOwnProgramTypes[] = {ProgramType::hook, ProgramType::raw_memory};

const ProgramTypeInfo* supported_program_type(uint32_t id) {
    const auto type = static_cast<ProgramType>(id);
    const ProgramTypeInfo& info = program_type_info(type);
    return type != ProgramType::unspec && info.type == type ? &info : nullptr;
}

std::vector<ProgramTypeRow> program_type_rows() {
    std::vector<uint32_t> ids;
    for (uint32_t id = 1; id < linux_program_type_count(); ++id) ids.push_back(id);
    for (ProgramType own : kOwnProgramTypes) ids.push_back(static_cast<uint32_t>(own));
    std::vector<ProgramTypeRow> rows;
    for (uint32_t id : ids) {
        ProgramTypeRow row{
            id, std::string(linux_program_type_name(id)), supported_program_type(id), {}};
        for (const SectionRule& rule : section_rules()) {
            if (static_cast<uint32_t>(rule.type) != id) continue;
            std::string section(rule.prefix);
            if (rule.attach == "*") section += "<attach>";
            row.sections.push_back(section);
        }
        rows.push_back(std::move(row));
    }
    return rows;
}

std::vector<HelperRow> helper_rows() {
    std::vector<ProgramTypeRow> types = program_type_rows();
    std::vector<HelperRow> rows;
    for (int32_t id = 1; id < linux_helper_count(); ++id) {
        HelperRow row{id,
                      std::string(linux_helper_name(id)),
                      helper_prototype(id) != nullptr && helper_table().find(id) != nullptr,
                      helper_prototype(id) != nullptr && helper_table().find(id) == nullptr,
                      {}};
        for (const ProgramTypeRow& type : types) {
            if (type.info == nullptr) continue;
            for (int32_t allowed : type.info->helpers)
                if (allowed == id) row.program_types.emplace_back(type.info->name);
        }
        if (row.program_types.empty()) row.supported = row.verify_only = false;
        rows.push_back(std::move(row));
    }
    return rows;
}

std::vector<MapTypeRow> map_type_rows() {
    std::vector<MapTypeRow> rows;
    for (uint32_t id = 1; id < linux_map_type_count(); ++id)
        rows.push_back(
            {id, std::string(linux_map_type_name(id)), map_type_from_id(id).has_value()});
    return rows;
}

// Runs: the runtime can build a context for it; otherwise loaded and
// verified only (`ebpf verify`, bpf2c), with no hook to run it.
bool runs(const ProgramTypeInfo& info) {
    return info.ctx_is_memory || info.runtime_ctx_size != 0;
}

std::string status_text(const ProgramTypeInfo& info) {
    if (!info.unverifiable.empty()) return "not verifiable (BTF-typed)";
    return runs(info) ? "runs" : "verified only";
}

std::string helper_status(const HelperRow& h) {
    if (h.supported) return "supported";
    return h.verify_only && !h.program_types.empty() ? "verified only" : "not supported";
}

std::string context_text(const ProgramTypeInfo& info) {
    if (info.ctx_is_memory) return "byte buffer: r1 = memory, r2 = length";
    if (!info.unverifiable.empty()) return "";
    if (!info.ctx_struct.empty()) return fmt::format("{} ({} bytes)", info.ctx_struct, info.ctx_size);
    std::string_view name;  // the C struct programs see, as Linux names it
    switch (info.type) {
        case ProgramType::xdp:
            name = "struct xdp_md";
            break;
        case ProgramType::sched_cls:
        case ProgramType::sched_act:
        case ProgramType::socket_filter:
            name = "struct __sk_buff";
            break;
        case ProgramType::cgroup_sock_addr:
            name = "struct bpf_sock_addr";
            break;
        default:
            return fmt::format("{} bytes", info.ctx_size);
    }
    return fmt::format("{} ({} bytes)", name, info.ctx_size);
}

std::string join(const std::vector<std::string>& items, const std::string& separator,
                 const std::string& quote = "") {
    std::string out;
    for (const auto& item : items) out += (out.empty() ? "" : separator) + quote + item + quote;
    return out;
}

// --- output ------------------------------------------------------------------

void print_markdown() {
    const auto types = program_type_rows();
    const auto maps = map_type_rows();
    const auto helpers = helper_rows();
    size_t supported_helpers = 0, supported_maps = 0, supported_types = 0;
    for (const auto& h : helpers) supported_helpers += h.supported;
    for (const auto& m : maps) supported_maps += m.supported;
    for (const auto& t : types) supported_types += t.info != nullptr;

    fmt::print("# Helpers, map types and program types\n\n");
    fmt::print(
        "<!-- Generated by `ebpf feature --markdown` from the ABI tables (src/abi) and the "
        "runtime's\n"
        "     helper table. Do not edit: regenerate with\n"
        "     build/release/tools/ebpf feature --markdown > docs/helpers.md\n"
        "     (the test tools.feature_tables fails while this file is out of date). -->\n\n");
    fmt::print(
        "What this runtime supports, by Linux ID, as `bpftool feature probe` reports it for a\n"
        "kernel: {} of Linux's {} program types (plus {} of our own), {} of {} map types and {} of "
        "{}\n"
        "helpers. The same list, as text or JSON, comes from `ebpf feature` and `ebpf feature "
        "--json`.\n"
        "Section names and attach points are explained in [program-types.md](program-types.md), "
        "maps\n"
        "in [maps.md](maps.md).\n\n",
        supported_types - std::size(kOwnProgramTypes), linux_program_type_count() - 1,
        std::size(kOwnProgramTypes), supported_maps, maps.size(), supported_helpers,
        helpers.size());

    fmt::print("## Program types\n\n");
    fmt::print(
        "\"verified only\": programs of the type load, verify and translate (bpf2c), but the "
        "runtime\n"
        "has no hook that runs them. \"not verifiable\": the context is typed by the kernel's "
        "BTF;\n"
        "the verifier refuses such programs and says why. Contexts, helpers and return values\n"
        "of each type: [program-types.md](program-types.md).\n\n");
    fmt::print("| ID | type | status | sections | context |\n|---|---|---|---|---|\n");
    for (const auto& t : types) {
        const std::string name =
            t.linux_name.empty() ? std::string(t.info->name) + " (ours)" : t.linux_name;
        if (t.info == nullptr) {
            fmt::print("| {} | {} | not supported | | |\n", t.id, name);
            continue;
        }
        fmt::print("| {} | {} | {} | {} | {} |\n", t.id, name, status_text(*t.info),
                   join(t.sections, ", ", "`"), context_text(*t.info));
    }

    fmt::print("\n## Map types\n\n| ID | type | status |\n|---|---|---|\n");
    for (const auto& m : maps)
        fmt::print("| {} | {} | {} |\n", m.id, m.name, m.supported ? "supported" : "not supported");

    fmt::print("\n## Helpers\n\n");
    fmt::print("The disassembler names calls the same way: `call bpf_map_lookup_elem#1`.\n");
    fmt::print(
        "\"verified only\": the verifier knows the helper's prototype, so programs calling it "
        "verify,\n"
        "but the runtime has no implementation (`ebpf run` refuses to load them and names the "
        "helper).\n\n");
    fmt::print("| ID | helper | status | program types |\n|---|---|---|---|\n");
    for (const auto& h : helpers)
        fmt::print("| {} | {} | {} | {} |\n", h.id, h.name, helper_status(h), join(h.program_types, ", "));
}

void print_json() {
    nlohmann::json types = nlohmann::json::array(), maps = nlohmann::json::array(),
                   helpers = nlohmann::json::array();
    for (const auto& t : program_type_rows()) {
        nlohmann::json row = {{"id", t.id},
                              {"name", t.info ? std::string(t.info->name) : t.linux_name},
                              {"supported", t.info != nullptr}};
        if (t.info) {
            row["runs"] = runs(*t.info);
            row["verifiable"] = t.info->unverifiable.empty();
            row["sections"] = t.sections;
        }
        types.push_back(row);
    }
    for (const auto& m : map_type_rows())
        maps.push_back({{"id", m.id}, {"name", m.name}, {"supported", m.supported}});
    for (const auto& h : helper_rows())
        helpers.push_back({{"id", h.id},
                           {"name", h.name},
                           {"supported", h.supported},
                           {"verify_only", h.verify_only},
                           {"program_types", h.program_types}});
    std::puts(json_text({{"program_types", types}, {"map_types", maps}, {"helpers", helpers}}, 2)
                  .c_str());
}

void print_text() {
    fmt::print("program types:\n");
    for (const auto& t : program_type_rows())
        if (t.info)
            fmt::print("  {} ({}){}\n", t.info->name, t.id, runs(*t.info) ? "" : "  " + status_text(*t.info));
    fmt::print("map types:\n");
    for (const auto& m : map_type_rows())
        if (m.supported) fmt::print("  {} ({})\n", m.name, m.id);
    fmt::print("helpers:\n");
    for (const auto& h : helper_rows())
        if (h.supported) fmt::print("  {}#{}  {}\n", h.name, h.id, join(h.program_types, ", "));
}

int feature_command(const FeatureArguments& args) {
    if (args.json)
        print_json();
    else if (args.markdown)
        print_markdown();
    else
        print_text();
    return 0;
}

const CommandRegistration registration{Command{
    "feature",
    "List the program types, map types and helpers this runtime supports (like bpftool feature)",
    [](CLI::App& app) -> std::function<int()> {
        auto args = std::make_shared<FeatureArguments>();
        auto* json = app.add_flag("--json", args->json, "Every Linux ID with its status, as JSON");
        app.add_flag("--markdown", args->markdown, "The tables of docs/helpers.md")->excludes(json);
        return [args] { return feature_command(*args); };
    }}};

}  // namespace
}  // namespace ebpf::tools
