// Reading one line of assembler text, token by token. Shared by both syntaxes
// (C-like and bpf_conformance). Errors are ebpf::Error with just the reason;
// assemble() adds the line number and text.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

namespace ebpf::isa_detail {

struct Register {
    uint8_t number = 0;
    bool is32 = false;  // written as wN
};

// A number as written: sign and magnitude, so that both -1 and 0xffffffff can
// be range-checked against the field they go into.
struct Number {
    bool negative = false;
    uint64_t magnitude = 0;
    std::string text;
};

class Cursor {
public:
    explicit Cursor(std::string_view text) : text_(text) {}

    bool at_end();
    // The next character after spaces, or '\0' at the end.
    char peek();
    // Consumes `literal` (after spaces) if it is next. A literal ending in a
    // letter or digit only matches a whole word ("r1" does not match "r10").
    bool accept(std::string_view literal);
    void expect(std::string_view literal);
    void expect_end();

    // rN / wN (C-like) or %rN (conformance), N in 0..15 (what the field holds;
    // validate() rejects r11..r15 later, so invalid programs can be written).
    std::optional<Register> accept_register();
    Register expect_register();
    bool next_is_register();

    bool next_is_number();
    Number expect_number();
    std::optional<std::string> accept_identifier();
    std::string expect_identifier();

    // What is left, for messages.
    std::string_view rest();

private:
    void skip_space();
    std::string_view text_;
    size_t pos_ = 0;
};

bool is_identifier_start(char c);
bool is_identifier_char(char c);

// Range-checked conversions; the message names the field.
int32_t to_imm32(const Number& n, const char* what);   // -2^31 .. 2^32-1
int16_t to_offset16(const Number& n, const char* what); // -2^15 .. 2^15-1
uint64_t to_imm64(const Number& n);                     // -2^63 .. 2^64-1

}  // namespace ebpf::isa_detail
