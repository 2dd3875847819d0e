// The bpf_conformance / uBPF assembler syntax: "mnemonic operands", e.g.
// "add32 %r0, 1", "ldxw %r0, [%r1+4]", "jeq %r1, 2, +3", "lock fetch add [%r1], %r2".
#include <string>
#include <unordered_map>

#include "asm_syntax.hpp"
#include "ebpf/error.hpp"

namespace ebpf::isa_detail {
namespace {

// How a mnemonic's operands are written.
enum class Shape : uint8_t {
    alu,       // dst, src|imm
    unary,     // dst (neg, le/be/swap: the rest is in the mnemonic)
    jump,      // dst, src|imm, target
    ja,        // target (offset)
    ja32,      // target (imm)
    lddw,      // dst, imm64
    ldx,       // dst, [src+off]
    st,        // [dst+off], imm
    stx,       // [dst+off], src
    ld_abs,    // imm
    ld_ind,    // src, imm
    exit,
};

struct Mnemonic {
    Shape shape;
    uint8_t opcode;   // with the K source bit; the X bit is added for a register operand
    int16_t offset;   // sdiv/smod: 1, movsx: source width
    int32_t imm;      // le/be/swap: width
};

using MnemonicTable = std::unordered_map<std::string, Mnemonic>;

MnemonicTable build_mnemonics() {
    MnemonicTable table;
    struct Named {
        const char* name;
        uint8_t code;
        int16_t offset;
    };
    static constexpr Named kAlu[] = {
        {"add", op::kAdd, 0}, {"sub", op::kSub, 0},  {"mul", op::kMul, 0},   {"div", op::kDiv, 0},
        {"sdiv", op::kDiv, 1}, {"or", op::kOr, 0},   {"and", op::kAnd, 0},   {"lsh", op::kLsh, 0},
        {"rsh", op::kRsh, 0}, {"mod", op::kMod, 0},  {"smod", op::kMod, 1},  {"xor", op::kXor, 0},
        {"mov", op::kMov, 0}, {"arsh", op::kArsh, 0},
    };
    for (const Named& alu : kAlu) {
        const std::string name = alu.name;
        table[name] = {Shape::alu, static_cast<uint8_t>(op::kClassAlu64 | alu.code), alu.offset, 0};
        table[name + "64"] = table[name];
        table[name + "32"] = {Shape::alu, static_cast<uint8_t>(op::kClassAlu | alu.code), alu.offset, 0};
    }
    table["neg"] = table["neg64"] = {Shape::unary, op::kClassAlu64 | op::kNeg, 0, 0};
    table["neg32"] = {Shape::unary, op::kClassAlu | op::kNeg, 0, 0};
    // movsx<from><to>: sign-extend the low <from> bits into a <to>-bit result.
    table["movsx832"] = {Shape::alu, op::kClassAlu | op::kMov, 8, 0};
    table["movsx1632"] = {Shape::alu, op::kClassAlu | op::kMov, 16, 0};
    table["movsx864"] = {Shape::alu, op::kClassAlu64 | op::kMov, 8, 0};
    table["movsx1664"] = {Shape::alu, op::kClassAlu64 | op::kMov, 16, 0};
    table["movsx3264"] = {Shape::alu, op::kClassAlu64 | op::kMov, 32, 0};
    for (int width : {16, 32, 64}) {
        const std::string bits = std::to_string(width);
        table["le" + bits] = {Shape::unary, op::kClassAlu | op::kSrcK | op::kEnd, 0, width};
        table["be" + bits] = {Shape::unary, op::kClassAlu | op::kSrcX | op::kEnd, 0, width};
        table["swap" + bits] = {Shape::unary, op::kClassAlu64 | op::kEnd, 0, width};
        table["bswap" + bits] = table["swap" + bits];
    }

    static constexpr Named kJumps[] = {
        {"jeq", op::kJeq, 0},   {"jgt", op::kJgt, 0},   {"jge", op::kJge, 0}, {"jset", op::kJset, 0},
        {"jne", op::kJne, 0},   {"jsgt", op::kJsgt, 0}, {"jsge", op::kJsge, 0}, {"jlt", op::kJlt, 0},
        {"jle", op::kJle, 0},   {"jslt", op::kJslt, 0}, {"jsle", op::kJsle, 0},
    };
    for (const Named& jump : kJumps) {
        table[jump.name] = {Shape::jump, static_cast<uint8_t>(op::kClassJmp | jump.code), 0, 0};
        table[std::string(jump.name) + "32"] = {
            Shape::jump, static_cast<uint8_t>(op::kClassJmp32 | jump.code), 0, 0};
    }
    table["ja"] = {Shape::ja, op::kClassJmp | op::kJa, 0, 0};
    table["ja32"] = table["gotol"] = {Shape::ja32, op::kClassJmp32 | op::kJa, 0, 0};
    table["exit"] = {Shape::exit, op::kClassJmp | op::kExit, 0, 0};
    table["lddw"] = {Shape::lddw, op::kLddw, 0, 0};

    struct Sized {
        const char* suffix;
        uint8_t size;
    };
    static constexpr Sized kSizes[] = {
        {"b", op::kSizeB}, {"h", op::kSizeH}, {"w", op::kSizeW}, {"dw", op::kSizeDW}};
    for (const Sized& s : kSizes) {
        const std::string suffix = s.suffix;
        table["ldx" + suffix] = {Shape::ldx, static_cast<uint8_t>(op::kClassLdx | op::kModeMem | s.size), 0, 0};
        table["st" + suffix] = {Shape::st, static_cast<uint8_t>(op::kClassSt | op::kModeMem | s.size), 0, 0};
        table["stx" + suffix] = {Shape::stx, static_cast<uint8_t>(op::kClassStx | op::kModeMem | s.size), 0, 0};
        if (s.size == op::kSizeDW) continue;
        table["ldxs" + suffix] = {Shape::ldx, static_cast<uint8_t>(op::kClassLdx | op::kModeMemSx | s.size), 0, 0};
        table["ldabs" + suffix] = {Shape::ld_abs, static_cast<uint8_t>(op::kClassLd | op::kModeAbs | s.size), 0, 0};
        table["ldind" + suffix] = {Shape::ld_ind, static_cast<uint8_t>(op::kClassLd | op::kModeInd | s.size), 0, 0};
    }
    return table;
}

const MnemonicTable& mnemonics() {
    static const MnemonicTable table = build_mnemonics();
    return table;
}

ParsedInstruction one(Instruction insn) { return ParsedInstruction{{insn}, {}, TargetField::none}; }

// "[%r1+4]", "[%r10-8]", "[%r1]"
std::pair<uint8_t, int16_t> parse_memory(Cursor& in) {
    in.expect("[");
    const Register base = in.expect_register();
    int16_t offset = 0;
    const bool minus = in.accept("-");
    if (minus || in.accept("+")) {
        Number n = in.expect_number();
        if (n.text[0] == '+' || n.text[0] == '-') throw Error("offset '" + n.text + "' has two signs");
        n.negative = minus;
        n.text = (minus ? "-" : "+") + n.text;
        offset = to_offset16(n, "offset");
    }
    in.expect("]");
    return {base.number, offset};
}

// "lock [fetch] add[32] [%r1+0], %r2"; also xchg and cmpxchg (always fetch).
ParsedInstruction parse_lock(Cursor& in) {
    const bool fetch = in.accept("fetch");
    std::string name = in.expect_identifier();
    uint8_t size = op::kSizeDW;
    if (name.ends_with("32")) {
        size = op::kSizeW;
        name.resize(name.size() - 2);
    } else if (name.ends_with("64")) {
        name.resize(name.size() - 2);
    }
    int32_t operation = 0;
    if (name == "add") operation = op::kAdd;
    else if (name == "or") operation = op::kOr;
    else if (name == "and") operation = op::kAnd;
    else if (name == "xor") operation = op::kXor;
    else if (name == "xchg") operation = op::kAtomicXchg;
    else if (name == "cmpxchg") operation = op::kAtomicCmpXchg;
    else throw Error("unknown atomic operation '" + name + "' (add, or, and, xor, xchg, cmpxchg)");
    if (fetch) operation |= op::kAtomicFetch;
    in.accept(",");
    const auto [base, offset] = parse_memory(in);
    in.expect(",");
    const Register src = in.expect_register();
    in.expect_end();
    return one(Instruction{static_cast<uint8_t>(op::kClassStx | op::kModeAtomic | size), base,
                           src.number, offset, operation});
}

}  // namespace

ParsedInstruction parse_conformance_syntax(Cursor& in) {
    const std::string name = in.expect_identifier();
    if (name == "call") return parse_call(in);
    if (name == "lock") return parse_lock(in);
    const auto found = mnemonics().find(name);
    if (found == mnemonics().end()) throw Error("unknown instruction '" + name + "'");
    const Mnemonic& m = found->second;
    Instruction insn{};
    insn.opcode = m.opcode;
    insn.offset = m.offset;
    insn.imm = m.imm;
    ParsedInstruction parsed;
    switch (m.shape) {
    case Shape::alu:
        insn.dst = in.expect_register().number;
        in.expect(",");
        if (auto src = in.accept_register()) {
            insn.opcode |= op::kSrcX;
            insn.src = src->number;
        } else {
            if (m.offset > 1) throw Error(name + " needs a source register");
            insn.imm = to_imm32(in.expect_number(), "immediate");
        }
        break;
    case Shape::unary: insn.dst = in.expect_register().number; break;
    case Shape::jump: {
        insn.dst = in.expect_register().number;
        in.expect(",");
        if (auto src = in.accept_register()) {
            insn.opcode |= op::kSrcX;
            insn.src = src->number;
        } else {
            insn.imm = to_imm32(in.expect_number(), "immediate");
        }
        in.expect(",");
        parsed = one(insn);
        set_target(parsed, parse_target(in), TargetField::offset);
        in.expect_end();
        return parsed;
    }
    case Shape::ja:
    case Shape::ja32:
        parsed = one(insn);
        set_target(parsed, parse_target(in), m.shape == Shape::ja ? TargetField::offset : TargetField::imm);
        in.expect_end();
        return parsed;
    case Shape::lddw: {
        insn.dst = in.expect_register().number;
        in.expect(",");
        const uint64_t value = to_imm64(in.expect_number());
        in.expect_end();
        insn.imm = static_cast<int32_t>(static_cast<uint32_t>(value));
        Instruction second{0, 0, 0, 0, static_cast<int32_t>(static_cast<uint32_t>(value >> 32))};
        return ParsedInstruction{{insn, second}, {}, TargetField::none};
    }
    case Shape::ldx: {
        insn.dst = in.expect_register().number;
        in.expect(",");
        const auto [base, offset] = parse_memory(in);
        insn.src = base;
        insn.offset = offset;
        break;
    }
    case Shape::st:
    case Shape::stx: {
        const auto [base, offset] = parse_memory(in);
        insn.dst = base;
        insn.offset = offset;
        in.expect(",");
        if (m.shape == Shape::st) {
            insn.imm = to_imm32(in.expect_number(), "immediate");
        } else {
            insn.src = in.expect_register().number;
        }
        break;
    }
    case Shape::ld_abs: insn.imm = to_imm32(in.expect_number(), "offset"); break;
    case Shape::ld_ind:
        insn.src = in.expect_register().number;
        in.expect(",");
        insn.imm = to_imm32(in.expect_number(), "offset");
        break;
    case Shape::exit: break;
    }
    in.expect_end();
    return one(insn);
}

}  // namespace ebpf::isa_detail
