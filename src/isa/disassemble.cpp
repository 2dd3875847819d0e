// The C-like syntax of llvm-objdump and the Linux verifier log. Every valid
// instruction prints as text that assemble() turns back into the same bytes;
// invalid ones print as ".invalid ..." and never crash.
#include <cstdio>
#include <string>

#include "ebpf/isa.hpp"
#include "encodings.hpp"

namespace ebpf {
namespace {

using isa_detail::Form;

std::string reg(int number, bool is32) { return (is32 ? "w" : "r") + std::to_string(number); }

std::string hex(int64_t value) {
    char text[32];
    if (value < 0) {
        std::snprintf(text, sizeof text, "-0x%llx",
                      static_cast<unsigned long long>(-static_cast<__int128>(value)));
    } else {
        std::snprintf(text, sizeof text, "0x%llx", static_cast<unsigned long long>(value));
    }
    return text;
}

// "+3", "-2", "+0": relative targets.
std::string relative(int64_t value) { return (value < 0 ? "" : "+") + std::to_string(value); }

// "(r2 + 4)", "(r10 - 8)"
std::string address(int base, int16_t offset) {
    const int value = offset;
    return "r" + std::to_string(base) + (value < 0 ? " - " : " + ") +
           std::to_string(value < 0 ? -value : value);
}

const char* size_name(uint8_t opcode, bool is_signed) {
    switch (op::size(opcode)) {
    case op::kSizeB: return is_signed ? "s8" : "u8";
    case op::kSizeH: return is_signed ? "s16" : "u16";
    case op::kSizeW: return is_signed ? "s32" : "u32";
    default: return is_signed ? "s64" : "u64";
    }
}

std::string invalid(const Instruction& insn) {
    char text[96];
    std::snprintf(text, sizeof text, ".invalid opcode=0x%02x dst=%d src=%d off=%d imm=%d",
                  insn.opcode, insn.dst, insn.src, insn.offset, insn.imm);
    return text;
}

std::string alu(const Instruction& insn) {
    const bool is32 = op::cls(insn.opcode) == op::kClassAlu;
    const std::string dst = reg(insn.dst, is32);
    const std::string source =
        op::is_x(insn.opcode) ? reg(insn.src, is32) : std::to_string(insn.imm);
    const uint8_t alu_op = op::alu_op(insn.opcode);
    if (alu_op == op::kMov) {
        if (insn.offset != 0 && op::is_x(insn.opcode)) {
            return dst + " = (s" + std::to_string(insn.offset) + ")" + source;
        }
        return dst + " = " + source;
    }
    const bool is_signed = insn.offset == 1;
    const char* symbol = "?";
    switch (alu_op) {
    case op::kAdd: symbol = "+="; break;
    case op::kSub: symbol = "-="; break;
    case op::kMul: symbol = "*="; break;
    case op::kDiv: symbol = is_signed ? "s/=" : "/="; break;
    case op::kOr: symbol = "|="; break;
    case op::kAnd: symbol = "&="; break;
    case op::kLsh: symbol = "<<="; break;
    case op::kRsh: symbol = ">>="; break;
    case op::kMod: symbol = is_signed ? "s%=" : "%="; break;
    case op::kXor: symbol = "^="; break;
    case op::kArsh: symbol = "s>>="; break;
    }
    return dst + " " + symbol + " " + source;
}

std::string alu_end(const Instruction& insn) {
    const char* name = op::cls(insn.opcode) == op::kClassAlu64 ? "bswap"
                       : op::is_x(insn.opcode)                 ? "be"
                                                               : "le";
    const std::string dst = reg(insn.dst, false);
    return dst + " = " + name + std::to_string(insn.imm) + " " + dst;
}

std::string jump(const Instruction& insn) {
    if (op::jmp_op(insn.opcode) == op::kJa) return "goto " + relative(insn.offset);
    const bool is32 = op::cls(insn.opcode) == op::kClassJmp32;
    const char* symbol = "?";
    switch (op::jmp_op(insn.opcode)) {
    case op::kJeq: symbol = "=="; break;
    case op::kJgt: symbol = ">"; break;
    case op::kJge: symbol = ">="; break;
    case op::kJset: symbol = "&"; break;
    case op::kJne: symbol = "!="; break;
    case op::kJsgt: symbol = "s>"; break;
    case op::kJsge: symbol = "s>="; break;
    case op::kJlt: symbol = "<"; break;
    case op::kJle: symbol = "<="; break;
    case op::kJslt: symbol = "s<"; break;
    case op::kJsle: symbol = "s<="; break;
    }
    const std::string source = op::is_x(insn.opcode) ? reg(insn.src, is32) : hex(insn.imm);
    return "if " + reg(insn.dst, is32) + " " + symbol + " " + source + " goto " +
           relative(insn.offset);
}

std::string call(const Instruction& insn, HelperNamer helper_name) {
    switch (insn.src) {
    case op::kCallHelper: {
        // As bpftool prints it: the name, then the ID that is encoded.
        const std::string_view name = helper_name != nullptr ? helper_name(insn.imm) : std::string_view();
        if (!name.empty()) return "call " + std::string(name) + "#" + std::to_string(insn.imm);
        return "call " + std::to_string(insn.imm);
    }
    case op::kCallLocal: return "call pc" + relative(insn.imm);
    default: return "call kfunc " + std::to_string(insn.imm);
    }
}

std::string lddw(const Instruction& insn, const Instruction* next) {
    const std::string dst = reg(insn.dst, false) + " = ";
    if (next == nullptr) return dst + ".truncated lddw " + hex(static_cast<uint32_t>(insn.imm));
    const std::string value_offset = "+" + std::to_string(static_cast<uint32_t>(next->imm));
    switch (insn.src) {
    case op::kPseudoImm64: {
        const uint64_t value = (static_cast<uint64_t>(static_cast<uint32_t>(next->imm)) << 32) |
                               static_cast<uint32_t>(insn.imm);
        char text[32];
        std::snprintf(text, sizeof text, "0x%llx", static_cast<unsigned long long>(value));
        return dst + text + " ll";
    }
    case op::kPseudoMapFd: return dst + "map_by_fd(" + std::to_string(insn.imm) + ")";
    case op::kPseudoMapValue:
        return dst + "map_value_by_fd(" + std::to_string(insn.imm) + ")" + value_offset;
    case op::kPseudoBtfId: return dst + "btf_id(" + std::to_string(insn.imm) + ")";
    case op::kPseudoFunc: return dst + "func(pc" + relative(insn.imm) + ")";
    case op::kPseudoMapIdx: return dst + "map_by_idx(" + std::to_string(insn.imm) + ")";
    case op::kPseudoMapIdxValue:
        return dst + "map_value_by_idx(" + std::to_string(insn.imm) + ")" + value_offset;
    default: return invalid(insn);
    }
}

std::string ld_legacy(const Instruction& insn) {
    std::string text = std::string("r0 = *(") + size_name(insn.opcode, false) + " *)skb[";
    if (op::mode(insn.opcode) == op::kModeInd) {
        text += "r" + std::to_string(insn.src) + (insn.imm < 0 ? " - " : " + ");
        text += std::to_string(insn.imm < 0 ? -static_cast<int64_t>(insn.imm) : insn.imm);
    } else {
        text += std::to_string(insn.imm);
    }
    return text + "]";
}

std::string atomic(const Instruction& insn) {
    bool known = false;
    for (int32_t operation : isa_detail::kAtomicOps) known = known || operation == insn.imm;
    if (!known) return invalid(insn);
    const bool is32 = op::size(insn.opcode) == op::kSizeW;
    const std::string src = reg(insn.src, is32);
    const std::string where = address(insn.dst, insn.offset);
    const std::string sized = std::string("(") + size_name(insn.opcode, false) + " *)(" + where + ")";
    if (insn.imm == op::kAtomicXchg) {
        return src + " = " + (is32 ? "xchg32_32(" : "xchg_64(") + where + ", " + src + ")";
    }
    if (insn.imm == op::kAtomicCmpXchg) {
        const std::string r0 = reg(0, is32);
        return r0 + " = " + (is32 ? "cmpxchg32_32(" : "cmpxchg_64(") + where + ", " + r0 + ", " +
               src + ")";
    }
    const int32_t operation = insn.imm & ~op::kAtomicFetch;
    const char* name = operation == op::kAdd ? "add"
                       : operation == op::kOr ? "or"
                       : operation == op::kAnd ? "and"
                                               : "xor";
    if (insn.imm & op::kAtomicFetch) {
        return src + " = atomic_fetch_" + name + "(" + sized + ", " + src + ")";
    }
    const char* symbol = operation == op::kAdd ? "+="
                         : operation == op::kOr ? "|="
                         : operation == op::kAnd ? "&="
                                                 : "^=";
    return "lock *" + sized + " " + symbol + " " + src;
}

}  // namespace

std::string disassemble(const Instruction& insn, const Instruction* next, HelperNamer helper_name) {
    const isa_detail::Encoding& row = isa_detail::encoding(insn.opcode);
    // Fields outside what the syntax can show (e.g. r11) still print, as the
    // numbers they hold; only unknown opcodes get the raw form.
    switch (row.form) {
    case Form::alu: return alu(insn);
    case Form::alu_neg: {
        const std::string dst = reg(insn.dst, op::cls(insn.opcode) == op::kClassAlu);
        return dst + " = -" + dst;
    }
    case Form::alu_end: return alu_end(insn);
    case Form::jump: return jump(insn);
    case Form::gotol: return "gotol " + relative(insn.imm);
    case Form::call: return call(insn, helper_name);
    case Form::exit: return "exit";
    case Form::lddw: return lddw(insn, next);
    case Form::ld_legacy: return ld_legacy(insn);
    case Form::ldx:
    case Form::ldx_sx:
        return reg(insn.dst, false) + " = *(" + size_name(insn.opcode, row.form == Form::ldx_sx) +
               " *)(" + address(insn.src, insn.offset) + ")";
    case Form::st:
        return std::string("*(") + size_name(insn.opcode, false) + " *)(" +
               address(insn.dst, insn.offset) + ") = " + std::to_string(insn.imm);
    case Form::stx:
        return std::string("*(") + size_name(insn.opcode, false) + " *)(" +
               address(insn.dst, insn.offset) + ") = " + reg(insn.src, false);
    case Form::atomic: return atomic(insn);
    case Form::invalid: break;
    }
    return invalid(insn);
}

std::string disassemble_program(std::span<const Instruction> insns, HelperNamer helper_name) {
    std::string text;
    for (size_t pc = 0; pc < insns.size(); ++pc) {
        const Instruction* next = pc + 1 < insns.size() ? &insns[pc + 1] : nullptr;
        char index[24];
        std::snprintf(index, sizeof index, "%4zu: ", pc);
        text += index;
        text += disassemble(insns[pc], next, helper_name);
        text += '\n';
        if (insns[pc].opcode == op::kLddw && next != nullptr) ++pc;
    }
    return text;
}

}  // namespace ebpf
