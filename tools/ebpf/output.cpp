// What every subcommand shares for its output and limits: JSON that no
// object-derived name can break, and the --max-* resource limit options.
#include <nlohmann/json.hpp>

#include "command.hpp"
#include "ebpf/object.hpp"

namespace ebpf::tools {
namespace {

nlohmann::json valid_utf8(const nlohmann::json& value) {
    if (value.is_string()) {
        const auto& text = value.get_ref<const std::string&>();
        return is_valid_utf8(text) ? value : nlohmann::json(printable(text, true));
    }
    if (value.is_array()) {
        nlohmann::json out = nlohmann::json::array();
        for (const auto& element : value) out.push_back(valid_utf8(element));
        return out;
    }
    if (value.is_object()) {
        nlohmann::json out = nlohmann::json::object();
        for (const auto& [key, element] : value.items())
            out[is_valid_utf8(key) ? key : printable(key, true)] = valid_utf8(element);
        return out;
    }
    return value;
}

}  // namespace

std::string json_text(const nlohmann::json& value, int indent) {
    // `replace` as a last line of defence: dump() never throws.
    return valid_utf8(value).dump(indent, ' ', false, nlohmann::json::error_handler_t::replace);
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
