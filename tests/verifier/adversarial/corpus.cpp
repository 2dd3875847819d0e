#include "corpus.hpp"

#include <algorithm>
#include <cctype>
#include <filesystem>
#include <fstream>
#include <sstream>

#include "../case_file.hpp"
#include "ebpf/error.hpp"
#include "ebpf/isa.hpp"
#include "ebpf/runtime.hpp"
#include "ebpf/verifier.hpp"

namespace ebpf::adversarial {
namespace {

std::string trim(std::string text) {
    text.erase(0, text.find_first_not_of(" \t"));
    text.erase(text.find_last_not_of(" \t\r") + 1);
    return text;
}

std::vector<uint8_t> parse_hex(const std::string& where, const std::string& text) {
    std::string digits;
    for (char c : text)
        if (!std::isspace(static_cast<unsigned char>(c))) digits += c;
    if (digits.size() % 2 != 0) throw Error(where + ": odd number of hex digits");
    std::vector<uint8_t> out;
    for (size_t i = 0; i < digits.size(); i += 2) {
        if (!std::isxdigit(static_cast<unsigned char>(digits[i])) ||
            !std::isxdigit(static_cast<unsigned char>(digits[i + 1])))
            throw Error(where + ": bad hex digits '" + digits.substr(i, 2) + "'");
        out.push_back(static_cast<uint8_t>(std::stoi(digits.substr(i, 2), nullptr, 16)));
    }
    return out;
}

// "0102ff", "empty", "zeros(64)", or several of them joined with '+'.
std::vector<uint8_t> parse_input(const std::string& where, const std::string& text) {
    std::vector<uint8_t> out;
    std::istringstream parts(text);
    std::string part;
    while (std::getline(parts, part, '+')) {
        part = trim(part);
        if (part == "empty" || part.empty()) continue;
        if (part.rfind("zeros(", 0) == 0 && part.back() == ')') {
            out.resize(out.size() + std::stoul(part.substr(6, part.size() - 7)), 0);
            continue;
        }
        auto bytes = parse_hex(where, part);
        out.insert(out.end(), bytes.begin(), bytes.end());
    }
    return out;
}

void parse_header_line(Attack& attack, const std::string& key, const std::string& value) {
    const std::string where = attack.file + ": " + key;
    if (key == "expect") {
        if (value == "accept") {
            attack.expect_accept = true;
        } else if (value.rfind("reject", 0) == 0) {
            attack.expect_accept = false;
            attack.phrase = trim(value.substr(6));
        } else {
            throw Error(where + ": expected 'accept' or 'reject [phrase]', got '" + value + "'");
        }
    } else if (key == "class") {
        attack.attack_class = value;
    } else if (key == "why") {
        attack.why = value;
    } else if (key == "type") {
        attack.type = testing::parse_case_type(value);
    } else if (key == "map") {
        attack.maps.push_back(testing::parse_case_map(value, attack.maps.size()));
    } else if (key == "section") {
        attack.section = value;
    } else if (key == "run") {
        AttackRun run;
        std::string input = value;
        if (size_t arrow = value.find("->"); arrow != std::string::npos) {
            input = value.substr(0, arrow);
            run.expected_return = std::stoll(trim(value.substr(arrow + 2)), nullptr, 0);
        }
        run.input = parse_input(where, input);
        attack.runs.push_back(std::move(run));
    } else {
        throw Error(where + ": unknown header key");
    }
}

Attack load_attack(const std::filesystem::path& path, const std::string& objects_dir) {
    Attack attack;
    attack.file = path.filename().string();
    attack.path = path.string();
    const std::string ext = path.extension().string();
    attack.form = ext == ".c" ? Attack::Form::c : ext == ".hex" ? Attack::Form::bytecode : Attack::Form::assembly;
    const std::string comment = attack.form == Attack::Form::c ? "//" : "#";
    std::ifstream in(path);
    std::string line, body;
    bool saw_expect = false;
    while (std::getline(in, line)) {
        const std::string t = trim(line);
        if (t.rfind(comment, 0) == 0) {
            const std::string text = trim(t.substr(comment.size()));
            const size_t colon = text.find(':');
            if (colon != std::string::npos) {
                const std::string key = text.substr(0, colon);
                static const char* const kKeys[] = {"expect", "class", "why", "type", "map", "section", "run"};
                if (std::find(std::begin(kKeys), std::end(kKeys), key) != std::end(kKeys)) {
                    parse_header_line(attack, key, trim(text.substr(colon + 1)));
                    saw_expect |= key == "expect";
                    continue;
                }
            }
        }
        body += line + "\n";
    }
    if (!saw_expect) throw Error(attack.file + ": no 'expect:' line");
    if (attack.attack_class.empty()) throw Error(attack.file + ": no 'class:' line");
    attack.body = body;
    if (attack.form == Attack::Form::c) attack.object_path = objects_dir + "/adv_" + path.stem().string() + ".o";
    return attack;
}

}  // namespace

std::string section_for(ProgramType type) {
    switch (type) {
    case ProgramType::xdp: return "xdp";
    case ProgramType::sched_cls: return "tc";
    case ProgramType::socket_filter: return "socket";
    case ProgramType::cgroup_sock_addr: return "cgroup/connect4";
    case ProgramType::raw_memory: return "raw";
    default: return "hook/adversarial";
    }
}

std::vector<Attack> load_attacks(const std::string& directory, const std::string& objects_dir) {
    std::vector<std::filesystem::path> files;
    for (const auto& entry : std::filesystem::directory_iterator(directory)) {
        const std::string ext = entry.path().extension().string();
        if (ext == ".c" || ext == ".s" || ext == ".hex") files.push_back(entry.path());
    }
    std::sort(files.begin(), files.end());
    std::vector<Attack> attacks;
    for (const auto& path : files) attacks.push_back(load_attack(path, objects_dir));
    return attacks;
}

Object attack_object(const Attack& attack) {
    if (attack.form == Attack::Form::c) return open_object(attack.object_path);
    Object object;
    object.path = attack.file;
    object.license = "GPL";
    object.maps = attack.maps;
    Program program;
    program.name = std::filesystem::path(attack.file).stem().string();
    program.section = section_for(attack.type);
    program.type = attack.type;
    if (attack.type == ProgramType::cgroup_sock_addr) program.attach = "connect4";
    if (attack.type == ProgramType::hook) program.attach = "adversarial";
    if (attack.form == Attack::Form::assembly) {
        program.insns = assemble(attack.body);
    } else {
        const std::vector<uint8_t> bytes = parse_hex(attack.file, attack.body);
        if (bytes.size() % sizeof(Instruction) != 0) throw Error(attack.file + ": not a whole number of instructions");
        program.insns = instructions_from_bytes(bytes);
    }
    program.functions.push_back({0, program.name});
    object.programs.push_back(std::move(program));
    return object;
}

Verdict our_verdict(const Object& object, const std::vector<std::string>& programs) {
    for (const Program& program : object.programs) {
        if (!programs.empty() && std::find(programs.begin(), programs.end(), program.name) == programs.end()) continue;
        VerifyResult result;
        try {
            result = verify_program(program, object.maps);
        } catch (const Error& e) {
            return {false, e.what()};
        }
        if (!result.ok)
            return {false, result.errors.empty() ? "verification failed" : result.errors.front().message, true};
    }
    try {
        // The runtime only loads the types it can run (not socket, tc, tracing).
        LoadOptions options;
        for (const std::string& name : programs) {
            const Program* program = object.find_program(name);
            const ProgramTypeInfo& info = program_type_info(program->type);
            if (info.ctx_is_memory || info.runtime_ctx_size != 0) options.programs.push_back(name);
        }
        if (!programs.empty() && options.programs.empty()) return {true, {}};
        load_object(object, options);
    } catch (const Error& e) {
        return {false, e.what()};
    }
    return {true, {}};
}

std::set<std::string> load_known_holes(const std::string& path) {
    std::set<std::string> holes;
    std::ifstream in(path);
    std::string line;
    while (std::getline(in, line)) {
        line = trim(line);
        if (line.empty() || line[0] == '#') continue;
        holes.insert(trim(line.substr(0, line.find('|'))));
    }
    return holes;
}

}  // namespace ebpf::adversarial
