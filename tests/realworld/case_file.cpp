#include "case_file.hpp"

#include <nlohmann/json.hpp>

#include <algorithm>
#include <cctype>
#include <filesystem>
#include <fstream>
#include <stdexcept>

namespace realworld {
namespace {

using nlohmann::json;

[[noreturn]] void bad(const std::string& where, const std::string& what) {
    throw std::runtime_error(where + ": " + what);
}

Bytes hex_field(const json& j, const char* key, const std::string& where) {
    if (!j.contains(key) || !j[key].is_string()) bad(where, std::string("\"") + key + "\" must be a hex string");
    try {
        return parse_hex(j[key].get<std::string>());
    } catch (const std::exception& e) {
        bad(where, std::string("\"") + key + "\": " + e.what());
    }
}

std::vector<MapEntry> map_entries(const json& j, const std::string& where, bool allow_absent) {
    std::vector<MapEntry> out;
    if (!j.is_array()) bad(where, "\"maps\" must be an array");
    for (size_t i = 0; i < j.size(); ++i) {
        const std::string at = where + " maps[" + std::to_string(i) + "]";
        const json& e = j[i];
        if (!e.is_object() || !e.contains("name") || !e["name"].is_string()) bad(at, "needs \"name\"");
        MapEntry entry{e["name"].get<std::string>(), hex_field(e, "key", at), std::nullopt, ""};
        if (e.contains("cgroup")) {
            if (allow_absent) bad(at, "a \"cgroup\" entry only makes sense before the runs");
            if (!e["cgroup"].is_string() || e.contains("value")) bad(at, "\"cgroup\" must be a string, without a value");
            entry.cgroup = e["cgroup"].get<std::string>();
        } else if (e.contains("value") && e["value"].is_null()) {
            if (!allow_absent) bad(at, "a null value only makes sense in \"expect\"");
        } else {
            entry.value = hex_field(e, "value", at);
        }
        out.push_back(std::move(entry));
    }
    return out;
}

}  // namespace

Bytes parse_hex(const std::string& text) {
    Bytes out;
    int high = -1;
    for (char c : text) {
        if (std::isspace(static_cast<unsigned char>(c))) continue;
        if (!std::isxdigit(static_cast<unsigned char>(c))) throw std::runtime_error(std::string("not hex: '") + c + "'");
        const int nibble = std::isdigit(static_cast<unsigned char>(c)) ? c - '0' : std::tolower(c) - 'a' + 10;
        if (high < 0) {
            high = nibble;
        } else {
            out.push_back(static_cast<uint8_t>(high << 4 | nibble));
            high = -1;
        }
    }
    if (high >= 0) throw std::runtime_error("odd number of hex digits");
    return out;
}

std::string to_hex(const Bytes& bytes) {
    static const char digits[] = "0123456789abcdef";
    std::string out;
    for (size_t i = 0; i < bytes.size(); ++i) {
        if (i && i % 4 == 0) out += ' ';
        out += digits[bytes[i] >> 4];
        out += digits[bytes[i] & 15];
    }
    return out;
}

std::vector<std::string> case_files(const std::string& source_dir) {
    std::vector<std::string> out;
    for (const auto& dir : std::filesystem::directory_iterator(source_dir)) {
        if (!dir.is_directory()) continue;
        for (const auto& file : std::filesystem::directory_iterator(dir.path())) {
            if (file.path().extension() == ".json") out.push_back(file.path().string());
        }
    }
    std::sort(out.begin(), out.end());
    return out;
}

Case load_case(const std::string& json_path, const std::string& objects_dir) {
    const std::filesystem::path path(json_path);
    const std::string where = json_path;
    std::ifstream in(json_path);
    if (!in) bad(where, "cannot read");
    json j;
    try {
        j = json::parse(in);
    } catch (const std::exception& e) {
        bad(where, e.what());
    }
    if (!j.is_object()) bad(where, "must hold a JSON object");
    static const char* const known[] = {"program", "type", "kernel", "modes", "verify", "message", "maps", "runs", "about"};
    for (const auto& [key, value] : j.items()) {
        if (std::find_if(std::begin(known), std::end(known), [&](const char* k) { return key == k; }) == std::end(known))
            bad(where, "unknown key \"" + key + "\"");
    }
    Case c;
    const std::string dir = path.parent_path().filename().string();
    const std::string name = path.stem().string();
    c.id = dir + "/" + name;
    c.object_path = objects_dir + "/realworld_" + dir + "_" + name + ".o";
    c.program = j.value("program", "");
    c.type = j.value("type", "");
    if (j.contains("kernel")) {
        if (j["kernel"].is_boolean()) {
            c.kernel = j["kernel"].get<bool>();
            if (!c.kernel) bad(where, "\"kernel\": false needs a reason: give a string saying why not");
        } else if (j["kernel"].is_string()) {
            c.kernel = false;
            c.no_kernel_reason = j["kernel"].get<std::string>();
        } else {
            bad(where, "\"kernel\" must be true or a string saying why not");
        }
    }
    c.modes = j.value("modes", std::vector<std::string>{"interpret", "jit", "native"});
    for (const auto& mode : c.modes) {
        if (mode != "interpret" && mode != "jit" && mode != "native" && mode != "verify")
            bad(where, "unknown mode \"" + mode + "\"");
    }
    const std::string verify = j.value("verify", "accept");
    if (verify != "accept" && verify != "reject") bad(where, "\"verify\" must be \"accept\" or \"reject\"");
    c.accept = verify == "accept";
    c.reject_message = j.value("message", "");
    if (!c.accept && c.reject_message.empty()) bad(where, "\"verify\": \"reject\" needs a \"message\"");
    if (j.contains("maps")) c.maps = map_entries(j["maps"], where, false);
    if (j.contains("runs")) {
        if (!j["runs"].is_array()) bad(where, "\"runs\" must be an array");
        for (size_t i = 0; i < j["runs"].size(); ++i) {
            const json& r = j["runs"][i];
            const std::string at = where + " runs[" + std::to_string(i) + "]";
            if (!r.is_object()) bad(at, "must be an object");
            Run run;
            run.name = r.value("name", "run " + std::to_string(i));
            if (r.contains("data")) run.data = hex_field(r, "data", at);
            if (r.contains("ctx")) run.ctx = hex_field(r, "ctx", at);
            run.repeat = r.value("repeat", uint64_t{1});
            run.cgroup = r.value("cgroup", "");
            if (!r.contains("expect") || !r["expect"].is_object()) bad(at, "needs an \"expect\" object");
            const json& e = r["expect"];
            if (e.contains("retval")) {
                if (!e["retval"].is_number_integer()) bad(at, "\"retval\" must be an integer");
                run.retval = static_cast<uint32_t>(e["retval"].get<int64_t>());
            }
            if (e.contains("data")) run.data_out = hex_field(e, "data", at);
            if (e.contains("ctx")) run.ctx_out = hex_field(e, "ctx", at);
            if (e.contains("maps")) run.maps_out = map_entries(e["maps"], at + " expect", true);
            if (!run.retval && !run.data_out && !run.ctx_out && run.maps_out.empty())
                bad(at, "\"expect\" checks nothing");
            c.runs.push_back(std::move(run));
        }
    }
    if (c.accept && c.runs.empty() && j.contains("runs")) bad(where, "\"runs\" is empty");
    if (!c.accept && !c.runs.empty()) bad(where, "a rejected program has no runs");
    return c;
}

std::vector<std::string> compare(const Run& run, const RunResult& result, const MapReader& read_map) {
    std::vector<std::string> out;
    const std::string at = "run '" + run.name + "': ";
    if (run.retval && *run.retval != result.retval)
        out.push_back(at + "retval " + std::to_string(result.retval) + ", expected " + std::to_string(*run.retval));
    if (run.data_out && *run.data_out != result.data)
        out.push_back(at + "packet after the run\n   got " + to_hex(result.data) + "\n  want " + to_hex(*run.data_out));
    if (run.ctx_out && *run.ctx_out != result.ctx)
        out.push_back(at + "context after the run\n   got " + to_hex(result.ctx) + "\n  want " + to_hex(*run.ctx_out));
    for (const auto& entry : run.maps_out) {
        std::optional<Bytes> got;
        try {
            got = read_map(entry.map, entry.key);
        } catch (const std::exception& e) {
            out.push_back(at + "map " + entry.map + ": " + e.what());
            continue;
        }
        if (got == entry.value) continue;
        out.push_back(at + "map " + entry.map + " key " + to_hex(entry.key) + ": got " +
                      (got ? to_hex(*got) : "(absent)") + ", expected " +
                      (entry.value ? to_hex(*entry.value) : "(absent)"));
    }
    return out;
}

}  // namespace realworld
