#include "conformance_data.hpp"

#include <algorithm>
#include <cctype>
#include <cerrno>
#include <cstring>
#include <fstream>
#include <sstream>

#include "ebpf/error.hpp"

namespace ebpf::conformance {
namespace {

std::string trim(const std::string& text) {
    size_t begin = 0, end = text.size();
    while (begin < end && std::isspace(static_cast<unsigned char>(text[begin]))) ++begin;
    while (end > begin && std::isspace(static_cast<unsigned char>(text[end - 1]))) --end;
    return text.substr(begin, end - begin);
}

int hex_digit(char c) {
    if (c >= '0' && c <= '9') return c - '0';
    if (c >= 'a' && c <= 'f') return c - 'a' + 10;
    if (c >= 'A' && c <= 'F') return c - 'A' + 10;
    return -1;
}

uint64_t parse_result(const std::string& text, const std::string& where) {
    std::string digits = text;
    if (digits.size() > 2 && digits[0] == '0' && (digits[1] == 'x' || digits[1] == 'X')) digits = digits.substr(2);
    if (digits.empty() || digits.size() > 16) throw Error(where + ": result must be a hex value of at most 64 bits: '" + text + "'");
    uint64_t value = 0;
    for (char c : digits) {
        const int digit = hex_digit(c);
        if (digit < 0) throw Error(where + ": result must be a hex value: '" + text + "'");
        value = value << 4 | static_cast<uint64_t>(digit);
    }
    return value;
}

}  // namespace

std::vector<uint8_t> parse_hex_bytes(const std::string& text, const std::string& where) {
    std::vector<uint8_t> bytes;
    int high = -1;
    for (char c : text) {
        if (std::isspace(static_cast<unsigned char>(c))) {
            if (high >= 0) throw Error(where + ": odd number of hex digits in a byte");
            continue;
        }
        const int digit = hex_digit(c);
        if (digit < 0) throw Error(where + ": '" + std::string(1, c) + "' is not a hex digit");
        if (high < 0) {
            high = digit;
        } else {
            bytes.push_back(static_cast<uint8_t>(high << 4 | digit));
            high = -1;
        }
    }
    if (high >= 0) throw Error(where + ": odd number of hex digits");
    return bytes;
}

TestCase parse_test_case(const std::string& text, const std::string& path) {
    TestCase test;
    test.path = path;
    enum class Section { none, assembly, memory, result, error } section = Section::none;
    std::string memory_text, result_text, error_text;
    int result_line = 0;
    std::istringstream lines(text);
    std::string line;
    int number = 0;
    while (std::getline(lines, line)) {
        ++number;
        const std::string stripped = trim(line);
        if (stripped.rfind("--", 0) == 0) {
            const std::string name = trim(stripped.substr(2));
            if (name == "asm") {
                // Pad so that the assembler's "line N" is the line in this file.
                section = Section::assembly;
                const auto lines_so_far = std::count(test.assembly.begin(), test.assembly.end(), '\n');
                test.assembly.append(static_cast<size_t>(number - lines_so_far), '\n');
            }
            else if (name == "mem") section = Section::memory;
            else if (name == "result") section = Section::result, result_line = number;
            else if (name == "error") section = Section::error;
            else throw Error(path + ":" + std::to_string(number) + ": unknown section '-- " + name + "'");
            continue;
        }
        if (stripped.empty() || stripped[0] == '#') {
            // Keep line numbers in the program text aligned for assembler messages.
            if (section == Section::assembly) test.assembly += "\n";
            continue;
        }
        switch (section) {
        case Section::none:
            throw Error(path + ":" + std::to_string(number) + ": text before the first '-- asm' section");
        case Section::assembly: test.assembly += line + "\n"; break;
        case Section::memory: memory_text += stripped + "\n"; break;
        case Section::result: result_text += stripped; break;
        case Section::error: error_text += (error_text.empty() ? "" : " ") + stripped; break;
        }
    }
    if (trim(test.assembly).empty()) throw Error(path + ": no '-- asm' section");
    test.memory = parse_hex_bytes(memory_text, path + ": -- mem");
    if (!result_text.empty()) test.result = parse_result(result_text, path + ":" + std::to_string(result_line));
    if (!error_text.empty()) test.error = error_text;
    if (test.result && test.error) throw Error(path + ": has both '-- result' and '-- error'");
    if (!test.result && !test.error) throw Error(path + ": needs '-- result' or '-- error'");
    return test;
}

TestCase read_test_case(const std::string& path) {
    std::ifstream in(path);
    if (!in) throw Error(path + ": cannot open: " + std::strerror(errno));
    std::ostringstream text;
    text << in.rdbuf();
    return parse_test_case(text.str(), path);
}

}  // namespace ebpf::conformance
