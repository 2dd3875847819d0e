// Untrusted strings → C. Every string bpf2c takes from an ELF object (section,
// function, map and file names, BTF source lines) reaches generated C only
// through these functions: as an identifier made of [A-Za-z0-9_], as an
// escaped string literal, or as comment text that cannot end the comment.
#pragma once

#include <set>
#include <string>
#include <string_view>

namespace ebpf::codegen {

// "prefix_" + the characters of `raw` that are [A-Za-z0-9_] (others become
// '_'), truncated to a sane length; unique among the names handed out by this
// set (a numeric suffix makes it so).
class IdentifierSet {
public:
    std::string make(std::string_view prefix, std::string_view raw);

private:
    std::set<std::string> used_;
};

// A complete C string literal with quotes: printable ASCII other than '"',
// '\\' and '?' as is, everything else as a 3-digit octal escape (so no
// trigraph, line splice or newline can form).
std::string c_string_literal(std::string_view raw);

// Text safe inside a /* */ comment on one line: only [A-Za-z0-9 ] and a few
// punctuation characters survive; '*', '/', '\\', '?' and anything
// non-printable become '_'.
std::string comment_text(std::string_view raw, size_t max_length = 120);

}  // namespace ebpf::codegen
