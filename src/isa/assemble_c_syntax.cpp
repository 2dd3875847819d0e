// The C-like syntax, exactly what disassemble() prints: "r1 += r2",
// "w0 = -w0", "r1 = *(u32 *)(r2 + 4)", "if w1 s< 3 goto -2", "lock ...".
#include <array>
#include <string>

#include "asm_syntax.hpp"
#include "ebpf/error.hpp"

namespace ebpf::isa_detail {
namespace {

struct Symbol {
    std::string_view text;
    uint8_t op;
    int16_t offset;  // 1 for the signed forms of div and mod
};

// Longest spellings first so that "s>>=" is not read as "s>".
constexpr std::array<Symbol, 13> kAluSymbols = {{
    {"s>>=", op::kArsh, 0}, {"<<=", op::kLsh, 0}, {">>=", op::kRsh, 0}, {"s/=", op::kDiv, 1},
    {"s%=", op::kMod, 1},   {"+=", op::kAdd, 0},  {"-=", op::kSub, 0},  {"*=", op::kMul, 0},
    {"/=", op::kDiv, 0},    {"|=", op::kOr, 0},   {"&=", op::kAnd, 0},  {"%=", op::kMod, 0},
    {"^=", op::kXor, 0},
}};

constexpr std::array<Symbol, 11> kJumpSymbols = {{
    {"s>=", op::kJsge, 0}, {"s<=", op::kJsle, 0}, {"s>", op::kJsgt, 0}, {"s<", op::kJslt, 0},
    {"==", op::kJeq, 0},   {"!=", op::kJne, 0},   {">=", op::kJge, 0},  {"<=", op::kJle, 0},
    {">", op::kJgt, 0},    {"<", op::kJlt, 0},    {"&", op::kJset, 0},
}};

ParsedInstruction one(Instruction insn) { return ParsedInstruction{{insn}, {}, TargetField::none}; }

void same_width(const Register& a, const Register& b) {
    if (a.is32 != b.is32) {
        throw Error("mixes 32-bit (wN) and 64-bit (rN) registers; use one width in an instruction");
    }
}

uint8_t size_bits(std::string_view name) {
    if (name == "8") return op::kSizeB;
    if (name == "16") return op::kSizeH;
    if (name == "32") return op::kSizeW;
    if (name == "64") return op::kSizeDW;
    throw Error("unknown access size '" + std::string(name) + "' (8, 16, 32 or 64)");
}

// "(u32 *)" after the opening '(' was read; returns the size bits and
// whether it was signed ("s16").
std::pair<uint8_t, bool> parse_size(Cursor& in) {
    const std::string word = in.expect_identifier();
    if (word.size() < 2 || (word[0] != 'u' && word[0] != 's')) {
        throw Error("expected a type like u32 or s8, got '" + word + "'");
    }
    const uint8_t size = size_bits(std::string_view(word).substr(1));
    in.expect("*");
    in.expect(")");
    return {size, word[0] == 's'};
}

// "r2 + 4" / "r10 - 8" (the parentheses belong to the caller).
std::pair<uint8_t, int16_t> parse_address(Cursor& in) {
    const Register base = in.expect_register();
    if (base.is32) throw Error("an address needs a 64-bit register (rN), not w" + std::to_string(base.number));
    int16_t offset = 0;
    if (in.accept("+")) {
        offset = to_offset16(in.expect_number(), "offset");
    } else if (in.accept("-")) {
        Number n = in.expect_number();
        if (n.negative) throw Error("offset '- " + n.text + "' has two signs");
        n.negative = true;
        n.text = "-" + n.text;
        offset = to_offset16(n, "offset");
    }
    return {base.number, offset};
}

// "(r2 + 4)" including the parentheses.
std::pair<uint8_t, int16_t> parse_parenthesized_address(Cursor& in) {
    in.expect("(");
    auto address = parse_address(in);
    in.expect(")");
    return address;
}

int32_t atomic_operation(std::string_view name) {
    if (name == "add") return op::kAdd;
    if (name == "or") return op::kOr;
    if (name == "and") return op::kAnd;
    if (name == "xor") return op::kXor;
    throw Error("unknown atomic operation '" + std::string(name) + "' (add, or, and, xor)");
}

// "lock *(u64 *)(r1 + 0) += r2"
ParsedInstruction parse_lock(Cursor& in) {
    in.expect("*");
    in.expect("(");
    const auto [size, is_signed] = parse_size(in);
    if (is_signed || (size != op::kSizeW && size != op::kSizeDW)) {
        throw Error("atomic operations work on u32 or u64");
    }
    const auto [base, offset] = parse_parenthesized_address(in);
    int32_t operation = -1;
    for (auto [text, code] : {std::pair{"+=", op::kAdd}, {"|=", op::kOr}, {"&=", op::kAnd},
                              {"^=", op::kXor}}) {
        if (in.accept(text)) operation = code;
    }
    if (operation < 0) throw Error("expected one of += |= &= ^= after the address");
    const Register src = in.expect_register();
    in.expect_end();
    return one(Instruction{static_cast<uint8_t>(op::kClassStx | op::kModeAtomic | size), base,
                           src.number, offset, operation});
}

// "*(u32 *)(r1 + 2) = 5" / "... = r3"
ParsedInstruction parse_store(Cursor& in) {
    in.expect("(");
    const auto [size, is_signed] = parse_size(in);
    if (is_signed) throw Error("stores take an unsigned type (u8, u16, u32, u64)");
    const auto [base, offset] = parse_parenthesized_address(in);
    in.expect("=");
    Instruction insn{};
    insn.dst = base;
    insn.offset = offset;
    if (auto src = in.accept_register()) {
        insn.opcode = op::kClassStx | op::kModeMem | size;
        insn.src = src->number;
    } else {
        insn.opcode = op::kClassSt | op::kModeMem | size;
        insn.imm = to_imm32(in.expect_number(), "immediate");
    }
    in.expect_end();
    return one(insn);
}

// "if r1 > 0x10 goto +3"
ParsedInstruction parse_if(Cursor& in) {
    const Register dst = in.expect_register();
    const Symbol* symbol = nullptr;
    for (const Symbol& candidate : kJumpSymbols) {
        if (in.accept(candidate.text)) {
            symbol = &candidate;
            break;
        }
    }
    if (symbol == nullptr) throw Error("expected a comparison (==, !=, >, s<, & ...) after the register");
    Instruction insn{};
    insn.dst = dst.number;
    const uint8_t cls = dst.is32 ? op::kClassJmp32 : op::kClassJmp;
    if (auto src = in.accept_register()) {
        same_width(dst, *src);
        insn.opcode = cls | op::kSrcX | symbol->op;
        insn.src = src->number;
    } else {
        insn.opcode = cls | op::kSrcK | symbol->op;
        insn.imm = to_imm32(in.expect_number(), "immediate");
    }
    in.expect("goto");
    ParsedInstruction parsed = one(insn);
    set_target(parsed, parse_target(in), TargetField::offset);
    in.expect_end();
    return parsed;
}

// "r1 = map_value_by_idx(2)+8" and the other LDDW pseudo forms.
ParsedInstruction parse_pseudo_lddw(Cursor& in, const std::string& name, uint8_t dst) {
    struct Pseudo {
        std::string_view name;
        uint8_t src;
        bool has_value_offset;
    };
    static constexpr Pseudo kForms[] = {
        {"map_by_fd", op::kPseudoMapFd, false},   {"map_value_by_fd", op::kPseudoMapValue, true},
        {"btf_id", op::kPseudoBtfId, false},      {"map_by_idx", op::kPseudoMapIdx, false},
        {"map_value_by_idx", op::kPseudoMapIdxValue, true},
    };
    Instruction first{op::kLddw, dst, 0, 0, 0};
    Instruction second{};
    in.expect("(");
    if (name == "func") {
        first.src = op::kPseudoFunc;
        in.expect("pc");
        ParsedInstruction parsed{{first, second}, {}, TargetField::none};
        set_target(parsed, parse_target(in), TargetField::imm);
        in.expect(")");
        in.expect_end();
        return parsed;
    }
    const Pseudo* form = nullptr;
    for (const Pseudo& candidate : kForms) {
        if (candidate.name == name) form = &candidate;
    }
    if (form == nullptr) throw Error("unknown operand '" + name + "'");
    first.src = form->src;
    first.imm = to_imm32(in.expect_number(), "map reference");
    in.expect(")");
    if (form->has_value_offset) {
        in.expect("+");
        second.imm = to_imm32(in.expect_number(), "map value offset");
    }
    in.expect_end();
    return ParsedInstruction{{first, second}, {}, TargetField::none};
}

// "r2 = atomic_fetch_add((u64 *)(r1 + 0), r2)", "r2 = xchg_64(r1 + 0, r2)",
// "r0 = cmpxchg_64(r1 + 0, r0, r2)".
ParsedInstruction parse_fetch(Cursor& in, const std::string& name, const Register& dst) {
    Instruction insn{};
    const bool is32 = name.ends_with("32_32");
    const uint8_t size = is32 ? op::kSizeW : op::kSizeDW;
    insn.opcode = op::kClassStx | op::kModeAtomic | size;
    in.expect("(");
    Register src{};
    if (name.starts_with("atomic_fetch_")) {
        insn.imm = atomic_operation(std::string_view(name).substr(13)) | op::kAtomicFetch;
        in.expect("(");
        const auto [sized, is_signed] = parse_size(in);
        if (is_signed || (sized != op::kSizeW && sized != op::kSizeDW)) {
            throw Error("atomic operations work on u32 or u64");
        }
        insn.opcode = op::kClassStx | op::kModeAtomic | sized;
        const auto [base, offset] = parse_parenthesized_address(in);
        insn.dst = base;
        insn.offset = offset;
        in.expect(",");
        src = in.expect_register();
    } else if (name == "xchg_64" || name == "xchg32_32") {
        insn.imm = op::kAtomicXchg;
        const auto [base, offset] = parse_address(in);
        insn.dst = base;
        insn.offset = offset;
        in.expect(",");
        src = in.expect_register();
    } else if (name == "cmpxchg_64" || name == "cmpxchg32_32") {
        insn.imm = op::kAtomicCmpXchg;
        const auto [base, offset] = parse_address(in);
        insn.dst = base;
        insn.offset = offset;
        in.expect(",");
        const Register expected = in.expect_register();
        if (expected.number != 0) throw Error("cmpxchg compares with r0; write r0 as its second operand");
        in.expect(",");
        src = in.expect_register();
        if (dst.number != 0) throw Error("cmpxchg returns the old value in r0; write 'r0 = cmpxchg...'");
    } else {
        throw Error("unknown operand '" + name + "'");
    }
    if (insn.imm != op::kAtomicCmpXchg && dst.number != src.number) {
        throw Error("the old value goes to the source register: write 'r" +
                    std::to_string(src.number) + " = " + name + "(..., r" +
                    std::to_string(src.number) + ")'");
    }
    insn.src = src.number;
    in.expect(")");
    in.expect_end();
    return one(insn);
}

// Everything that starts "rN = ".
ParsedInstruction parse_assignment(Cursor& in, const Register& dst) {
    const uint8_t alu_cls = dst.is32 ? op::kClassAlu : op::kClassAlu64;
    // Negation: "r1 = -r1" (a negative number is a mov).
    if (in.peek() == '-') {
        Cursor probe = in;
        probe.accept("-");
        if (probe.next_is_register()) {
            const Register src = probe.expect_register();
            same_width(dst, src);
            if (src.number != dst.number) throw Error("negation works in place: write 'r1 = -r1'");
            probe.expect_end();
            return one(Instruction{static_cast<uint8_t>(alu_cls | op::kNeg), dst.number, 0, 0, 0});
        }
    }
    // Sign-extending move: "r1 = (s8)r2".
    if (in.accept("(")) {
        const std::string type = in.expect_identifier();
        if (type.size() < 2 || type[0] != 's') throw Error("expected (s8), (s16) or (s32), got '" + type + "'");
        in.expect(")");
        const Register src = in.expect_register();
        same_width(dst, src);
        in.expect_end();
        const uint8_t bits = size_bits(std::string_view(type).substr(1));
        const int16_t width = bits == op::kSizeB ? 8 : bits == op::kSizeH ? 16 : bits == op::kSizeW ? 32 : 64;
        return one(Instruction{static_cast<uint8_t>(alu_cls | op::kSrcX | op::kMov), dst.number,
                               src.number, width, 0});
    }
    // Loads: "r1 = *(u32 *)(r2 + 4)", legacy "r0 = *(u8 *)skb[12]".
    if (in.accept("*")) {
        in.expect("(");
        const auto [size, is_signed] = parse_size(in);
        if (in.accept("skb")) {
            if (is_signed) throw Error("legacy packet loads take an unsigned type");
            if (dst.number != 0) throw Error("legacy packet loads always write r0");
            in.expect("[");
            Instruction insn{};
            if (auto src = in.accept_register()) {
                insn.opcode = op::kClassLd | op::kModeInd | size;
                insn.src = src->number;
                if (in.accept("+")) {
                    insn.imm = to_imm32(in.expect_number(), "offset");
                } else if (in.accept("-")) {
                    Number n = in.expect_number();
                    n.negative = !n.negative;
                    n.text = "-" + n.text;
                    insn.imm = to_imm32(n, "offset");
                }
            } else {
                insn.opcode = op::kClassLd | op::kModeAbs | size;
                insn.imm = to_imm32(in.expect_number(), "offset");
            }
            in.expect("]");
            in.expect_end();
            return one(insn);
        }
        const auto [src, offset] = parse_parenthesized_address(in);
        in.expect_end();
        const uint8_t mode = is_signed ? op::kModeMemSx : op::kModeMem;
        return one(Instruction{static_cast<uint8_t>(op::kClassLdx | mode | size), dst.number, src,
                               offset, 0});
    }
    // Register move: "r1 = r2" (before names: "r2" would read as one).
    if (auto src = in.accept_register()) {
        same_width(dst, *src);
        in.expect_end();
        return one(Instruction{static_cast<uint8_t>(alu_cls | op::kSrcX | op::kMov), dst.number,
                               src->number, 0, 0});
    }
    if (auto word = in.accept_identifier()) {
        std::string name = *word;
        for (std::string_view prefix : {"bswap", "be", "le"}) {
            if (!name.starts_with(prefix)) continue;
            const std::string_view width = std::string_view(name).substr(prefix.size());
            if (width != "16" && width != "32" && width != "64") continue;
            const Register src = in.expect_register();
            if (src.number != dst.number) {
                throw Error("byte swaps work in place: write 'r1 = " + name + " r1'");
            }
            in.expect_end();
            const uint8_t opcode = prefix == "bswap" ? op::kClassAlu64 | op::kEnd
                                   : prefix == "be"  ? op::kClassAlu | op::kSrcX | op::kEnd
                                                     : op::kClassAlu | op::kSrcK | op::kEnd;
            return one(Instruction{opcode, dst.number, 0, 0, std::stoi(std::string(width))});
        }
        if (name.starts_with("atomic_fetch_") || name.find("xchg") != std::string::npos) {
            return parse_fetch(in, name, dst);
        }
        if (dst.is32) throw Error("64-bit loads need a 64-bit register (rN)");
        return parse_pseudo_lddw(in, name, dst.number);
    }
    // Moves: "r1 = 5", "r1 = 0x123456789 ll".
    const Number value = in.expect_number();
    if (in.accept("ll")) {
        if (dst.is32) throw Error("64-bit loads need a 64-bit register (rN)");
        in.expect_end();
        const uint64_t bits = to_imm64(value);
        Instruction first{op::kLddw, dst.number, 0, 0, static_cast<int32_t>(static_cast<uint32_t>(bits))};
        Instruction second{0, 0, 0, 0, static_cast<int32_t>(static_cast<uint32_t>(bits >> 32))};
        return ParsedInstruction{{first, second}, {}, TargetField::none};
    }
    in.expect_end();
    return one(Instruction{static_cast<uint8_t>(alu_cls | op::kSrcK | op::kMov), dst.number, 0, 0,
                           to_imm32(value, "immediate")});
}

}  // namespace

bool is_c_syntax(std::string_view line) {
    Cursor in(line);
    if (in.peek() == '*') return true;
    if (in.next_is_register()) return in.peek() != '%';
    for (std::string_view keyword : {"if", "goto", "gotol"}) {
        if (in.accept(keyword)) return true;
    }
    if (in.accept("lock")) return in.peek() == '*';
    return false;
}

ParsedInstruction parse_c_syntax(Cursor& in) {
    if (in.accept("exit")) {
        in.expect_end();
        return one(Instruction{op::kClassJmp | op::kExit, 0, 0, 0, 0});
    }
    if (in.accept("call")) return parse_call(in);
    if (in.accept("gotol")) {
        ParsedInstruction parsed = one(Instruction{op::kClassJmp32 | op::kJa, 0, 0, 0, 0});
        set_target(parsed, parse_target(in), TargetField::imm);
        in.expect_end();
        return parsed;
    }
    if (in.accept("goto")) {
        ParsedInstruction parsed = one(Instruction{op::kClassJmp | op::kJa, 0, 0, 0, 0});
        set_target(parsed, parse_target(in), TargetField::offset);
        in.expect_end();
        return parsed;
    }
    if (in.accept("if")) return parse_if(in);
    if (in.accept("lock")) return parse_lock(in);
    if (in.accept("*")) return parse_store(in);

    const Register dst = in.expect_register();
    if (in.accept("=")) return parse_assignment(in, dst);
    const uint8_t alu_cls = dst.is32 ? op::kClassAlu : op::kClassAlu64;
    for (const Symbol& symbol : kAluSymbols) {
        if (!in.accept(symbol.text)) continue;
        Instruction insn{};
        insn.dst = dst.number;
        insn.offset = symbol.offset;
        if (auto src = in.accept_register()) {
            same_width(dst, *src);
            insn.opcode = alu_cls | op::kSrcX | symbol.op;
            insn.src = src->number;
        } else {
            insn.opcode = alu_cls | op::kSrcK | symbol.op;
            insn.imm = to_imm32(in.expect_number(), "immediate");
        }
        in.expect_end();
        return one(insn);
    }
    throw Error("expected '=' or an operator like '+=' after r" + std::to_string(dst.number));
}

}  // namespace ebpf::isa_detail
