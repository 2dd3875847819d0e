// The verifier's verdicts as JSON: what `ebpf verify --json` prints and what
// the service answers with 422, and back again for clients (`ebpf submit`),
// so a remote rejection prints exactly as a local one.
#include "ebpf/error.hpp"
#include "ebpf/service.hpp"

namespace ebpf {
namespace {

nlohmann::json diagnostic_json(const VerifyDiagnostic& d) {
    nlohmann::json j = {{"insn", d.insn}, {"message", d.message}, {"insn_text", d.insn_text},
                        {"state", d.state}, {"path", d.path}};
    if (d.where) {
        j["file"] = d.where->file;
        j["line"] = d.where->line;
        j["column"] = d.where->column;
        if (!d.where->text.empty()) j["source"] = d.where->text;  // the source line, as the text form quotes it
    }
    return j;
}

template <typename T>
T field(const nlohmann::json& object, const char* name, T fallback) {
    auto it = object.find(name);
    if (it == object.end() || it->is_null()) return fallback;
    return it->get<T>();
}

}  // namespace

nlohmann::json verification_json(const std::string& file, const std::vector<ProgramVerdict>& verdicts, bool with_log) {
    nlohmann::json out = nlohmann::json::array();
    for (const auto& v : verdicts) {
        const auto& s = v.result.stats;
        nlohmann::json j = {{"file", file}, {"program", v.name}, {"section", v.section}, {"type", v.type},
                            {"verified", v.result.ok},
                            {"stats", {{"insns_processed", s.insns_processed}, {"states_visited", s.states_visited},
                                       {"peak_states", s.peak_states}, {"seconds", s.seconds},
                                       {"peak_memory_bytes", s.peak_memory_bytes}}}};
        nlohmann::json errors = nlohmann::json::array();
        for (const auto& d : v.result.errors) errors.push_back(diagnostic_json(d));
        j["errors"] = errors;
        if (!v.result.warnings.empty()) {
            nlohmann::json warnings = nlohmann::json::array();
            for (const auto& d : v.result.warnings) warnings.push_back(diagnostic_json(d));
            j["warnings"] = warnings;
        }
        if (with_log) j["log"] = v.result.log;
        out.push_back(j);
    }
    return out;
}

std::vector<ProgramVerdict> verification_from_json(const nlohmann::json& json) {
    if (!json.is_array()) throw Error("verification report: not a JSON array");
    std::vector<ProgramVerdict> verdicts;
    try {
        for (const auto& j : json) {
            ProgramVerdict v;
            v.name = field<std::string>(j, "program", "");
            v.section = field<std::string>(j, "section", "");
            v.type = field<std::string>(j, "type", "");
            v.result.ok = field<bool>(j, "verified", false);
            if (auto stats = j.find("stats"); stats != j.end() && stats->is_object()) {
                v.result.stats.insns_processed = field<uint64_t>(*stats, "insns_processed", 0);
                v.result.stats.states_visited = field<uint64_t>(*stats, "states_visited", 0);
                v.result.stats.peak_states = field<uint64_t>(*stats, "peak_states", 0);
                v.result.stats.seconds = field<double>(*stats, "seconds", 0);
                v.result.stats.peak_memory_bytes = field<uint64_t>(*stats, "peak_memory_bytes", 0);
            }
            v.result.log = field<std::string>(j, "log", "");
            for (const char* list : {"errors", "warnings"}) {
                auto entries = j.find(list);
                if (entries == j.end() || !entries->is_array()) continue;
                for (const auto& e : *entries) {
                    VerifyDiagnostic d;
                    d.insn = field<uint32_t>(e, "insn", 0);
                    d.message = field<std::string>(e, "message", "");
                    d.insn_text = field<std::string>(e, "insn_text", "");
                    d.state = field<std::string>(e, "state", "");
                    d.path = field<std::vector<std::string>>(e, "path", {});
                    if (e.contains("file")) {
                        d.where = SourceLocation{field<std::string>(e, "file", ""), field<uint32_t>(e, "line", 0),
                                                 field<uint32_t>(e, "column", 0), field<std::string>(e, "source", "")};
                    }
                    (list[0] == 'e' ? v.result.errors : v.result.warnings).push_back(std::move(d));
                }
            }
            verdicts.push_back(std::move(v));
        }
    } catch (const nlohmann::json::exception& e) {
        throw Error(std::string("verification report: ") + e.what());
    }
    return verdicts;
}

std::optional<ProgramType> program_type_by_name(std::string_view name) {
    for (ProgramType type : {ProgramType::socket_filter, ProgramType::sched_cls, ProgramType::xdp,
                             ProgramType::cgroup_sock_addr, ProgramType::hook, ProgramType::raw_memory})
        if (program_type_name(type) == name) return type;
    return std::nullopt;
}

}  // namespace ebpf
