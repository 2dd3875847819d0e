// The two assembler syntaxes, each turning one line (without comment or label)
// into one instruction (two slots for LDDW).
#pragma once

#include <string>
#include <vector>

#include "asm_cursor.hpp"
#include "ebpf/isa.hpp"

namespace ebpf::isa_detail {

// Which field a label target is written into once labels are known.
enum class TargetField { none, offset, imm };

struct ParsedInstruction {
    std::vector<Instruction> slots;  // one, or two for LDDW
    std::string label;               // a jump/call target given by name
    TargetField target = TargetField::none;
};

// A relative target ("+3", "-2") or a label name.
struct Target {
    int64_t relative = 0;
    std::string label;
};
Target parse_target(Cursor& in);
// Stores `target` into `field` of `parsed`, range-checked.
void set_target(ParsedInstruction& parsed, const Target& target, TargetField field);

// True when the line is written in the C-like syntax ("r1 += 2", "if ...",
// "*(u32 *)..."), false for the bpf_conformance syntax ("add %r1, 2").
bool is_c_syntax(std::string_view line);

ParsedInstruction parse_c_syntax(Cursor& in);
ParsedInstruction parse_conformance_syntax(Cursor& in);

// Both syntaxes: "call 1", "call pc+4" / "call local label", "call kfunc 5" /
// "call runtime 5".
ParsedInstruction parse_call(Cursor& in);

}  // namespace ebpf::isa_detail
