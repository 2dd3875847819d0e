// printable(): see include/ebpf/printable.hpp.
#include "ebpf/printable.hpp"

#include <cstdint>

namespace ebpf {
namespace {

// The length of the valid UTF-8 sequence at text[i] and its code point, or 0.
size_t utf8_sequence(std::string_view text, size_t i, uint32_t& code_point) {
    const auto byte = [&](size_t k) { return static_cast<uint8_t>(text[k]); };
    const uint8_t lead = byte(i);
    size_t length = 0;
    uint32_t min = 0;
    if (lead < 0x80) {
        code_point = lead;
        return 1;
    } else if ((lead & 0xe0) == 0xc0) {
        length = 2, min = 0x80, code_point = lead & 0x1f;
    } else if ((lead & 0xf0) == 0xe0) {
        length = 3, min = 0x800, code_point = lead & 0x0f;
    } else if ((lead & 0xf8) == 0xf0) {
        length = 4, min = 0x10000, code_point = lead & 0x07;
    } else {
        return 0;
    }
    if (text.size() - i < length) return 0;
    for (size_t k = 1; k < length; ++k) {
        if ((byte(i + k) & 0xc0) != 0x80) return 0;
        code_point = (code_point << 6) | (byte(i + k) & 0x3f);
    }
    if (code_point < min || code_point > 0x10ffff || (code_point >= 0xd800 && code_point <= 0xdfff)) return 0;
    return length;
}

void append_hex(std::string& out, uint8_t byte) {
    static constexpr char kDigits[] = "0123456789abcdef";
    out += "\\x";
    out += kDigits[byte >> 4];
    out += kDigits[byte & 0xf];
}

}  // namespace

std::string printable(std::string_view text, bool keep_newlines) {
    std::string out;
    out.reserve(text.size());
    for (size_t i = 0; i < text.size();) {
        uint32_t code_point = 0;
        const size_t length = utf8_sequence(text, i, code_point);
        const bool control = code_point < 0x20 || code_point == 0x7f || (code_point >= 0x80 && code_point <= 0x9f);
        const bool allowed_control = keep_newlines && (code_point == '\n' || code_point == '\t');
        if (length == 0 || (control && !allowed_control)) {
            // One byte at a time: an invalid sequence's next byte may start a valid one.
            const size_t bytes = length == 0 ? 1 : length;
            for (size_t k = 0; k < bytes; ++k) append_hex(out, static_cast<uint8_t>(text[i + k]));
            i += bytes;
        } else {
            out.append(text.substr(i, length));
            i += length;
        }
    }
    return out;
}

bool is_valid_utf8(std::string_view text) {
    for (size_t i = 0; i < text.size();) {
        uint32_t code_point = 0;
        const size_t length = utf8_sequence(text, i, code_point);
        if (length == 0) return false;
        i += length;
    }
    return true;
}

}  // namespace ebpf
