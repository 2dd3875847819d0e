#include "asm_cursor.hpp"

#include <cctype>

#include "ebpf/error.hpp"

namespace ebpf::isa_detail {

bool is_identifier_start(char c) {
    return std::isalpha(static_cast<unsigned char>(c)) || c == '_' || c == '.';
}
bool is_identifier_char(char c) {
    return std::isalnum(static_cast<unsigned char>(c)) || c == '_' || c == '.';
}

void Cursor::skip_space() {
    while (pos_ < text_.size() && std::isspace(static_cast<unsigned char>(text_[pos_]))) ++pos_;
}

bool Cursor::at_end() {
    skip_space();
    return pos_ >= text_.size();
}

char Cursor::peek() {
    skip_space();
    return pos_ < text_.size() ? text_[pos_] : '\0';
}

std::string_view Cursor::rest() {
    skip_space();
    return text_.substr(pos_);
}

bool Cursor::accept(std::string_view literal) {
    skip_space();
    if (text_.substr(pos_, literal.size()) != literal) return false;
    const size_t end = pos_ + literal.size();
    if (is_identifier_char(literal.back()) && end < text_.size() && is_identifier_char(text_[end])) {
        return false;
    }
    pos_ = end;
    return true;
}

void Cursor::expect(std::string_view literal) {
    if (accept(literal)) return;
    if (at_end()) throw Error("expected '" + std::string(literal) + "' at the end of the line");
    throw Error("expected '" + std::string(literal) + "' at '" + std::string(rest()) + "'");
}

void Cursor::expect_end() {
    if (!at_end()) throw Error("unexpected text '" + std::string(rest()) + "'");
}

bool Cursor::next_is_register() {
    Cursor probe = *this;
    try {
        return probe.accept_register().has_value();
    } catch (const Error&) {
        return true;  // looks like a register, but a bad one: let the caller report it
    }
}

std::optional<Register> Cursor::accept_register() {
    skip_space();
    size_t at = pos_;
    if (at < text_.size() && text_[at] == '%') ++at;
    if (at >= text_.size() || (text_[at] != 'r' && text_[at] != 'w')) return std::nullopt;
    const bool is32 = text_[at] == 'w';
    if (is32 && text_[pos_] == '%') return std::nullopt;
    size_t digits = at + 1;
    while (digits < text_.size() && std::isdigit(static_cast<unsigned char>(text_[digits]))) ++digits;
    if (digits == at + 1) return std::nullopt;
    if (digits < text_.size() && is_identifier_char(text_[digits])) return std::nullopt;
    const std::string_view name = text_.substr(pos_, digits - pos_);
    const std::string_view number = text_.substr(at + 1, digits - at - 1);
    if (number.size() > 2 || std::stoi(std::string(number)) > 15) {
        throw Error("unknown register '" + std::string(name) + "' (registers are r0..r10)");
    }
    pos_ = digits;
    return Register{static_cast<uint8_t>(std::stoi(std::string(number))), is32};
}

Register Cursor::expect_register() {
    if (auto reg = accept_register()) return *reg;
    if (at_end()) throw Error("expected a register at the end of the line");
    throw Error("expected a register at '" + std::string(rest()) + "'");
}

bool Cursor::next_is_number() {
    skip_space();
    size_t at = pos_;
    if (at < text_.size() && (text_[at] == '-' || text_[at] == '+')) ++at;
    return at < text_.size() && std::isdigit(static_cast<unsigned char>(text_[at]));
}

Number Cursor::expect_number() {
    skip_space();
    const size_t start = pos_;
    Number n;
    if (pos_ < text_.size() && (text_[pos_] == '-' || text_[pos_] == '+')) {
        n.negative = text_[pos_] == '-';
        ++pos_;
    }
    unsigned base = 10;
    if (text_.substr(pos_, 2) == "0x" || text_.substr(pos_, 2) == "0X") {
        base = 16;
        pos_ += 2;
    }
    const size_t digits_start = pos_;
    bool overflow = false;
    while (pos_ < text_.size() && std::isxdigit(static_cast<unsigned char>(text_[pos_]))) {
        const char c = static_cast<char>(std::tolower(static_cast<unsigned char>(text_[pos_])));
        const unsigned digit = std::isdigit(static_cast<unsigned char>(c)) ? c - '0' : c - 'a' + 10;
        if (digit >= base) break;
        if (n.magnitude > (UINT64_MAX - digit) / base) overflow = true;
        n.magnitude = n.magnitude * base + digit;
        ++pos_;
    }
    n.text = std::string(text_.substr(start, pos_ - start));
    if (pos_ == digits_start || (pos_ < text_.size() && is_identifier_char(text_[pos_]))) {
        pos_ = start;
        if (at_end()) throw Error("expected a number at the end of the line");
        throw Error("expected a number at '" + std::string(rest()) + "'");
    }
    if (overflow) throw Error("number " + n.text + " does not fit in 64 bits");
    return n;
}

std::optional<std::string> Cursor::accept_identifier() {
    skip_space();
    if (pos_ >= text_.size() || !is_identifier_start(text_[pos_])) return std::nullopt;
    const size_t start = pos_;
    while (pos_ < text_.size() && is_identifier_char(text_[pos_])) ++pos_;
    return std::string(text_.substr(start, pos_ - start));
}

std::string Cursor::expect_identifier() {
    if (auto name = accept_identifier()) return *name;
    if (at_end()) throw Error("expected a name at the end of the line");
    throw Error("expected a name at '" + std::string(rest()) + "'");
}

int32_t to_imm32(const Number& n, const char* what) {
    const bool fits = n.negative ? n.magnitude <= 0x80000000ull : n.magnitude <= 0xffffffffull;
    if (!fits) throw Error(std::string(what) + " " + n.text + " does not fit in 32 bits");
    const uint32_t bits = static_cast<uint32_t>(n.negative ? 0 - n.magnitude : n.magnitude);
    return static_cast<int32_t>(bits);
}

int16_t to_offset16(const Number& n, const char* what) {
    const bool fits = n.negative ? n.magnitude <= 0x8000 : n.magnitude <= 0x7fff;
    if (!fits) {
        throw Error(std::string(what) + " " + n.text +
                    " does not fit in the 16-bit offset field (-32768..32767)");
    }
    return static_cast<int16_t>(n.negative ? -static_cast<int32_t>(n.magnitude)
                                           : static_cast<int32_t>(n.magnitude));
}

uint64_t to_imm64(const Number& n) {
    if (n.negative && n.magnitude > 0x8000000000000000ull) {
        throw Error("immediate " + n.text + " does not fit in 64 bits");
    }
    return n.negative ? 0 - n.magnitude : n.magnitude;
}

}  // namespace ebpf::isa_detail
