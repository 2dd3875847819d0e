// Text taken from an object (program, section, map and function names, BTF
// source lines, certificate subjects) is attacker-chosen: printed as it is,
// an escape sequence could rewrite the terminal ("\x1b[2K" erasing a
// warning) and a stray byte makes JSON output invalid. Every tool passes such
// text through printable() before showing it.
#pragma once

#include <string>
#include <string_view>

namespace ebpf {

// `text` with every byte that is not part of valid, printable UTF-8 written
// as "\xNN": ASCII control characters (ESC, CR, BS, ..., DEL; also newline
// and tab unless `keep_newlines`), C1 controls (U+0080..U+009F), and bytes of
// invalid or overlong UTF-8 sequences. Valid printable UTF-8 is kept as is,
// so the result is always valid UTF-8 with no control character.
std::string printable(std::string_view text, bool keep_newlines = false);

// True when `text` is valid UTF-8 (no overlong forms, no surrogates).
bool is_valid_utf8(std::string_view text);

}  // namespace ebpf
