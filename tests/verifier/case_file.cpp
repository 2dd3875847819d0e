#include "case_file.hpp"

#include <algorithm>
#include <filesystem>
#include <fstream>
#include <sstream>

#include "ebpf/error.hpp"

namespace ebpf::testing {

ProgramType parse_case_type(const std::string& name) {
    if (name == "xdp") return ProgramType::xdp;
    if (name == "tc" || name == "sched_cls") return ProgramType::sched_cls;
    if (name == "socket") return ProgramType::socket_filter;
    if (name == "sock_addr") return ProgramType::cgroup_sock_addr;
    if (name == "raw") return ProgramType::raw_memory;
    if (name == "hook") return ProgramType::hook;
    if (name == "unspec") return ProgramType::unspec;
    // Any other type by its Linux name ("kprobe", "sk_msg", ...).
    for (uint32_t id = 1; id < 64; ++id) {
        const ProgramTypeInfo& info = program_type_info(static_cast<ProgramType>(id));
        if (info.type != ProgramType::unspec && info.name == name) return info.type;
    }
    throw Error("unknown program type '" + name + "'");
}

namespace {

MapDefinition parse_map(std::istringstream& in, size_t index) {
    std::string type;
    MapDefinition map;
    in >> type >> map.key_size >> map.value_size >> map.max_entries;
    map.name = "map" + std::to_string(index);
    if (type == "rodata") {
        map.type = MapType::array;
        map.is_global_data = map.read_only = true;
        map.name = ".rodata";
    } else if (type == "data") {
        map.type = MapType::array;
        map.is_global_data = true;
        map.name = ".data";
    } else {
        bool found = false;
        for (uint32_t id = 0; id < 40 && !found; ++id) {
            auto t = map_type_from_id(id);
            if (t && map_type_name(*t) == type) {
                map.type = *t;
                found = true;
            }
        }
        if (!found) throw Error("unknown map type '" + type + "'");
    }
    std::string word;
    while (in >> word) {
        if (word == "ro") map.read_only = true;
        if (word == "template" || word == "inner_template") map.inner_template = true;
        if (word == "rdonly_prog") map.map_flags |= kMapFlagRdonlyProg;
        if (word.rfind("flags=", 0) == 0) map.map_flags = static_cast<uint32_t>(std::stoul(word.substr(6), nullptr, 0));
        if (word.rfind("inner=", 0) == 0) map.inner_map = static_cast<uint32_t>(std::stoul(word.substr(6)));
        if (word.rfind("data=", 0) == 0) {
            for (size_t i = 5; i + 1 < word.size(); i += 2)
                map.initial_data.push_back(static_cast<uint8_t>(std::stoi(word.substr(i, 2), nullptr, 16)));
        }
    }
    if (map.is_global_data) map.initial_data.resize(map.value_size);
    return map;
}

std::vector<uint8_t> parse_hex(const std::string& text) {
    if (text.size() % 2) throw Error("odd number of hex digits in '" + text + "'");
    std::vector<uint8_t> bytes;
    for (size_t i = 0; i < text.size(); i += 2)
        bytes.push_back(static_cast<uint8_t>(std::stoul(text.substr(i, 2), nullptr, 16)));
    return bytes;
}

CaseRun parse_run(std::istringstream& in) {
    CaseRun run;
    std::string word;
    while (in >> word) {
        const size_t eq = word.find('=');
        const std::string key = word.substr(0, eq), value = eq == std::string::npos ? "" : word.substr(eq + 1);
        if (key == "in") {
            if (value == "-") run.no_input = true;
            else run.input = parse_hex(value);
        } else if (key == "ret") {
            run.result = static_cast<int64_t>(std::stoll(value, nullptr, 0));
        } else if (key == "out") {
            run.output = parse_hex(value);
        } else {
            throw Error("bad run word '" + word + "'");
        }
    }
    return run;
}

}  // namespace

MapDefinition parse_case_map(const std::string& words, size_t index) {
    std::istringstream in(words);
    return parse_map(in, index);
}

std::vector<VerifierCase> load_cases(const std::string& directory) {
    std::vector<std::filesystem::path> files;
    for (const auto& entry : std::filesystem::directory_iterator(directory))
        if (entry.path().extension() == ".txt") files.push_back(entry.path());
    std::sort(files.begin(), files.end());
    std::vector<VerifierCase> cases;
    for (const auto& path : files) {
        std::ifstream in(path);
        std::string line;
        VerifierCase* current = nullptr;
        bool in_asm = false;
        while (std::getline(in, line)) {
            if (line.rfind("== ", 0) == 0) {
                cases.push_back({});
                current = &cases.back();
                current->file = path.filename().string();
                current->name = line.substr(3);
                in_asm = false;
                continue;
            }
            if (!current) continue;
            if (line.rfind("-- ", 0) == 0) {
                std::istringstream words(line.substr(3));
                std::string key;
                words >> key;
                if (key == "asm") in_asm = true;
                else if (key == "type") {
                    std::string t;
                    words >> t;
                    current->type = parse_case_type(t);
                } else if (key == "attach") words >> current->attach; else if (key == "map") current->maps.push_back(parse_map(words, current->maps.size()));
                else if (key == "run") current->runs.push_back(parse_run(words));
                else if (key == "arch") {
                    words >> current->arch;
                    if (current->arch != "x86_64" && current->arch != "aarch64")
                        throw Error(path.string() + ": unknown arch '" + current->arch + "'");
                }
                else if (key == "mem") {
                    uint64_t m;
                    words >> m;
                    current->mem_size = m;
                } else if (key == "expect") {
                    std::string rest;
                    std::getline(words, rest);
                    rest.erase(0, rest.find_first_not_of(' '));
                    if (rest == "accept") current->expect_accept = true;
                    else if (rest.rfind("reject:", 0) == 0) {
                        current->expect_accept = false;
                        current->phrase = rest.substr(7);
                        current->phrase.erase(0, current->phrase.find_first_not_of(' '));
                    } else throw Error(path.string() + ": bad expectation '" + rest + "'");
                }
                continue;
            }
            if (in_asm) current->assembly += line + "\n";
        }
    }
    return cases;
}

}  // namespace ebpf::testing
