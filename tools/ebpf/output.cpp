// What every subcommand shares for its output and limits: JSON that no
// object-derived name can break, and the --max-* resource limit options.
#include <cstdio>
#include <nlohmann/json.hpp>

#include "command.hpp"
#include "ebpf/error.hpp"
#include "ebpf/object.hpp"
#include "ebpf/service.hpp"

namespace ebpf::tools {
std::string json_text(const nlohmann::json& value, int indent) { return ebpf::json_text(value, indent); }

void print_verdict_text(const std::string& file, const ProgramVerdict& v, int log_level) {
    if (log_level > 0 && !v.result.log.empty()) std::fputs(printable(v.result.log, true).c_str(), stdout);
    const auto& s = v.result.stats;
    if (v.result.ok) {
        for (const auto& d : v.result.warnings)
            std::fputs(printable(format_diagnostic(d, file, "warning"), true).c_str(), stderr);
        std::printf("%s: %s (%s): verified, %llu insns processed, %llu states, %.1f ms\n", file.c_str(),
                    printable(v.name).c_str(), v.type.c_str(), static_cast<unsigned long long>(s.insns_processed),
                    static_cast<unsigned long long>(s.states_visited), s.seconds * 1e3);
        return;
    }
    // Diagnostics quote BTF source lines and names from the object.
    for (const auto& d : v.result.errors) std::fputs(printable(format_diagnostic(d, file), true).c_str(), stderr);
    std::printf("%s: %s (%s): rejected after %llu insns processed\n", file.c_str(), printable(v.name).c_str(),
                printable(v.type).c_str(), static_cast<unsigned long long>(s.insns_processed));
}

void add_type_option(CLI::App& app, std::string& type) {
    app.add_option("--type", type,
                   "program type, as bpftool prog load … type: xdp, sched_cls (tc, classifier), socket_filter "
                   "(socket), cgroup/connect4 ..., hook, raw (r1 = memory, r2 = its length); for objects it "
                   "overrides the section's type (and names the type of .text-only objects)");
}

std::optional<SectionType> program_type_option(const std::string& type) {
    if (type.empty()) return std::nullopt;
    if (auto parsed = program_type_from_name(type)) return parsed;
    throw Error("--type " + printable(type) +
                ": unknown program type (xdp, sched_cls, tc, classifier, socket_filter, socket, cgroup_sock_addr, "
                "cgroup/connect4, hook, raw, ...)");
}

void make_printable(Object& object) {
    auto fix = [](std::string& text) { text = printable(text); };
    fix(object.path);
    fix(object.license);
    for (Program& program : object.programs) {
        fix(program.name);
        fix(program.section);
        fix(program.attach);
        for (FunctionInfo& function : program.functions) fix(function.name);
        for (LineInfo& line : program.lines) {
            fix(line.where.file);
            fix(line.where.text);
        }
    }
    for (MapDefinition& map : object.maps) {
        fix(map.name);
        for (MapSlotInit& slot : map.initial_slots) fix(slot.target);
    }
}

ResourceLimits& tool_limits() {
    static ResourceLimits limits;
    return limits;
}

void add_limit_options(CLI::App& app) {
    ResourceLimits& limits = tool_limits();
    app.add_option("--max-map-bytes", limits.max_map_bytes, "largest map an object may declare, in bytes")
        ->capture_default_str()->group("Limits");
    app.add_option("--max-total-map-bytes", limits.max_total_map_bytes, "all maps of an object together, in bytes")
        ->capture_default_str()->group("Limits");
    app.add_option("--max-maps", limits.max_maps, "maps per object")->capture_default_str()->group("Limits");
    app.add_option("--max-programs", limits.max_programs, "programs per object")->capture_default_str()->group("Limits");
    app.add_option("--max-program-insns", limits.max_program_instructions, "instructions per program after linking")
        ->capture_default_str()->group("Limits");
    app.add_option("--max-object-bytes", limits.max_object_bytes, "largest input file, in bytes")
        ->capture_default_str()->group("Limits");
}

}  // namespace ebpf::tools
