// The legal instruction encodings of RFC 9669 (ISA v4) as data: one row per
// opcode saying, for each field, which values are allowed. validate() walks this
// table; the disassembler and assembler use the row's form to pick a syntax.
#pragma once

#include <array>
#include <cstdint>
#include <string>

namespace ebpf::isa_detail {

// The shape of an instruction, which decides how its fields are read.
enum class Form : uint8_t {
    invalid,    // no such opcode
    alu,        // dst op= src|imm, incl. sdiv/smod and movsx (told apart by offset)
    alu_neg,    // dst = -dst
    alu_end,    // le/be (ALU) and bswap (ALU64), width in imm
    jump,       // ja (offset) and conditional jumps
    gotol,      // JMP32 ja: 32-bit target in imm
    call,       // helper (src 0), local (src 1), kfunc (src 2)
    exit,
    lddw,       // two slots, 64-bit immediate or a loader pseudo form (src)
    ld_legacy,  // LD ABS/IND: legacy packet access
    ldx,        // dst = *(uN *)(src + off)
    ldx_sx,     // dst = *(sN *)(src + off)
    st,         // *(uN *)(dst + off) = imm
    stx,        // *(uN *)(dst + off) = src
    atomic,     // STX ATOMIC, operation in imm
};

// What a field may hold.
enum class Rule : uint8_t {
    zero,         // reserved: must be 0
    any,          // every value is meaningful
    one_of,       // one of FieldRule::values
    read_reg,     // a register that is read (r0..r10)
    write_reg,    // a register that is written (r0..r9; r10 is read-only)
    jump_target,  // pc-relative target that must land on an instruction
};

struct FieldRule {
    Rule rule = Rule::zero;
    uint8_t count = 0;
    std::array<int32_t, 10> values{};

    bool allows(int32_t value) const {
        for (uint8_t i = 0; i < count; ++i) {
            if (values[i] == value) return true;
        }
        return false;
    }
};

struct Encoding {
    Form form = Form::invalid;
    FieldRule dst, src, offset, imm;
};

// The row for an opcode; form == Form::invalid for opcodes the ISA does not define.
const Encoding& encoding(uint8_t opcode);

// A short human name for an opcode, for messages: "add64 K (0x07)".
std::string opcode_name(uint8_t opcode);

// Legal atomic operations (imm of STX ATOMIC).
inline constexpr std::array<int32_t, 10> kAtomicOps = {
    0x00, 0x01, 0x40, 0x41, 0x50, 0x51, 0xa0, 0xa1, 0xe1, 0xf1};

}  // namespace ebpf::isa_detail
