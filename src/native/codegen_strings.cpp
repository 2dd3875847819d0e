#include "codegen_strings.hpp"

#include <cstdio>

namespace ebpf::codegen {

namespace {
constexpr size_t kMaxIdentifierBody = 64;

bool is_identifier_char(char c) {
    return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '_';
}
}  // namespace

std::string IdentifierSet::make(std::string_view prefix, std::string_view raw) {
    std::string base(prefix);
    base += '_';
    for (size_t i = 0; i < raw.size() && i < kMaxIdentifierBody; ++i)
        base += is_identifier_char(raw[i]) ? raw[i] : '_';
    // Distinct raw names may sanitize to the same text ("a.b" and "a-b"):
    // number the later ones.
    std::string name = base;
    for (unsigned suffix = 2; used_.count(name) != 0; ++suffix)
        name = base + "_" + std::to_string(suffix);
    used_.insert(name);
    return name;
}

std::string c_string_literal(std::string_view raw) {
    std::string out = "\"";
    for (unsigned char c : raw) {
        if (c >= 0x20 && c < 0x7f && c != '"' && c != '\\' && c != '?') {
            out += static_cast<char>(c);
        } else {
            char escaped[8];
            std::snprintf(escaped, sizeof escaped, "\\%03o", c);
            out += escaped;
        }
    }
    out += '"';
    return out;
}

std::string comment_text(std::string_view raw, size_t max_length) {
    static constexpr std::string_view kAllowedPunctuation = " _+-=<>!&|^~%()[]{},;:.'\"#$@";
    std::string out;
    for (char c : raw) {
        if (out.size() >= max_length) break;
        bool allowed = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
                       kAllowedPunctuation.find(c) != std::string_view::npos;
        out += allowed ? c : '_';
    }
    return out;
}

}  // namespace ebpf::codegen
