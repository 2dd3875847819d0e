#include "encodings.hpp"

#include <cstdio>
#include <initializer_list>

#include "ebpf/isa.hpp"

namespace ebpf::isa_detail {
namespace {

constexpr FieldRule field(Rule rule) { return FieldRule{rule, 0, {}}; }

constexpr FieldRule one_of(std::initializer_list<int32_t> values) {
    FieldRule rule{Rule::one_of, 0, {}};
    for (int32_t v : values) rule.values[rule.count++] = v;
    return rule;
}

constexpr FieldRule kZero = field(Rule::zero);
constexpr FieldRule kAny = field(Rule::any);
constexpr FieldRule kRead = field(Rule::read_reg);
constexpr FieldRule kWrite = field(Rule::write_reg);
constexpr FieldRule kJump = field(Rule::jump_target);

// The ALU operations and the offsets each accepts (sdiv/smod use offset 1,
// movsx the source width in bits; RFC 9669 section 4.1).
struct AluOp {
    uint8_t op;
    bool has_x;           // has a register-source form
    FieldRule offset_k;   // offsets allowed with an immediate source
    FieldRule offset_x32; // offsets allowed with a register source, 32-bit class
    FieldRule offset_x64; // offsets allowed with a register source, 64-bit class
};

constexpr AluOp kAluOps[] = {
    {op::kAdd, true, kZero, kZero, kZero},
    {op::kSub, true, kZero, kZero, kZero},
    {op::kMul, true, kZero, kZero, kZero},
    {op::kDiv, true, one_of({0, 1}), one_of({0, 1}), one_of({0, 1})},
    {op::kOr, true, kZero, kZero, kZero},
    {op::kAnd, true, kZero, kZero, kZero},
    {op::kLsh, true, kZero, kZero, kZero},
    {op::kRsh, true, kZero, kZero, kZero},
    {op::kMod, true, one_of({0, 1}), one_of({0, 1}), one_of({0, 1})},
    {op::kXor, true, kZero, kZero, kZero},
    {op::kMov, true, kZero, one_of({0, 8, 16}), one_of({0, 8, 16, 32})},
    {op::kArsh, true, kZero, kZero, kZero},
};

constexpr uint8_t kConditionalJumps[] = {op::kJeq,  op::kJgt,  op::kJge,  op::kJset, op::kJne,
                                         op::kJsgt, op::kJsge, op::kJlt,  op::kJle,  op::kJslt,
                                         op::kJsle};

constexpr uint8_t kSizes[] = {op::kSizeW, op::kSizeH, op::kSizeB, op::kSizeDW};

constexpr std::array<Encoding, 256> build_table() {
    std::array<Encoding, 256> table{};
    auto set = [&table](uint8_t opcode, Form form, FieldRule dst, FieldRule src, FieldRule offset,
                        FieldRule imm) { table[opcode] = Encoding{form, dst, src, offset, imm}; };

    for (uint8_t cls : {op::kClassAlu, op::kClassAlu64}) {
        const bool is64 = cls == op::kClassAlu64;
        for (const AluOp& alu : kAluOps) {
            set(cls | op::kSrcK | alu.op, Form::alu, kWrite, kZero, alu.offset_k, kAny);
            if (alu.has_x) {
                set(cls | op::kSrcX | alu.op, Form::alu, kWrite, kRead,
                    is64 ? alu.offset_x64 : alu.offset_x32, kZero);
            }
        }
        set(cls | op::kSrcK | op::kNeg, Form::alu_neg, kWrite, kZero, kZero, kZero);
        // ALU: K = to little-endian, X = to big-endian. ALU64 K: unconditional bswap.
        set(cls | op::kSrcK | op::kEnd, Form::alu_end, kWrite, kZero, kZero, one_of({16, 32, 64}));
        if (!is64) {
            set(cls | op::kSrcX | op::kEnd, Form::alu_end, kWrite, kZero, kZero,
                one_of({16, 32, 64}));
        }
    }

    for (uint8_t cls : {op::kClassJmp, op::kClassJmp32}) {
        for (uint8_t jop : kConditionalJumps) {
            set(cls | op::kSrcK | jop, Form::jump, kRead, kZero, kJump, kAny);
            set(cls | op::kSrcX | jop, Form::jump, kRead, kRead, kJump, kZero);
        }
    }
    set(op::kClassJmp | op::kJa, Form::jump, kZero, kZero, kJump, kZero);
    set(op::kClassJmp32 | op::kJa, Form::gotol, kZero, kZero, kZero, kJump);
    // The call's imm is checked by validate() according to src.
    set(op::kClassJmp | op::kCall, Form::call, kZero,
        one_of({op::kCallHelper, op::kCallLocal, op::kCallBtf}), kZero, kAny);
    set(op::kClassJmp | op::kExit, Form::exit, kZero, kZero, kZero, kZero);

    set(op::kLddw, Form::lddw, kWrite,
        one_of({op::kPseudoImm64, op::kPseudoMapFd, op::kPseudoMapValue, op::kPseudoBtfId,
                op::kPseudoFunc, op::kPseudoMapIdx, op::kPseudoMapIdxValue}),
        kZero, kAny);
    for (uint8_t size : {op::kSizeW, op::kSizeH, op::kSizeB}) {
        // Legacy packet loads write r0 implicitly; dst is reserved.
        set(op::kClassLd | op::kModeAbs | size, Form::ld_legacy, kZero, kZero, kZero, kAny);
        set(op::kClassLd | op::kModeInd | size, Form::ld_legacy, kZero, kRead, kZero, kAny);
        set(op::kClassLdx | op::kModeMemSx | size, Form::ldx_sx, kWrite, kRead, kAny, kZero);
    }
    for (uint8_t size : kSizes) {
        set(op::kClassLdx | op::kModeMem | size, Form::ldx, kWrite, kRead, kAny, kZero);
        set(op::kClassSt | op::kModeMem | size, Form::st, kRead, kZero, kAny, kAny);
        set(op::kClassStx | op::kModeMem | size, Form::stx, kRead, kRead, kAny, kZero);
    }
    FieldRule atomic_ops{Rule::one_of, static_cast<uint8_t>(kAtomicOps.size()), kAtomicOps};
    for (uint8_t size : {op::kSizeW, op::kSizeDW}) {
        set(op::kClassStx | op::kModeAtomic | size, Form::atomic, kRead, kRead, kAny, atomic_ops);
    }
    return table;
}

constexpr std::array<Encoding, 256> kTable = build_table();

}  // namespace

const Encoding& encoding(uint8_t opcode) { return kTable[opcode]; }

std::string opcode_name(uint8_t opcode) {
    static constexpr const char* kAluNames[16] = {"add", "sub", "mul", "div", "or", "and",
                                                  "lsh", "rsh", "neg", "mod", "xor", "mov",
                                                  "arsh", "end", "alu 0xe", "alu 0xf"};
    static constexpr const char* kJmpNames[16] = {"ja",   "jeq",  "jgt", "jge", "jset", "jne",
                                                  "jsgt", "jsge", "call", "exit", "jlt", "jle",
                                                  "jslt", "jsle", "jmp 0xe", "jmp 0xf"};
    static constexpr const char* kSizeNames[4] = {"w", "h", "b", "dw"};
    const uint8_t cls = op::cls(opcode);
    std::string name;
    switch (cls) {
    case op::kClassAlu:
    case op::kClassAlu64:
        if (op::alu_op(opcode) == op::kEnd) {
            name = cls == op::kClassAlu64 ? "bswap" : op::is_x(opcode) ? "be" : "le";
            break;
        }
        name = kAluNames[opcode >> 4];
        name += cls == op::kClassAlu ? "32" : "64";
        if (op::alu_op(opcode) != op::kNeg) name += op::is_x(opcode) ? " X" : " K";
        break;
    case op::kClassJmp:
    case op::kClassJmp32: {
        const uint8_t jop = op::jmp_op(opcode);
        if (jop == op::kJa && cls == op::kClassJmp32) {
            name = "gotol";
        } else {
            name = kJmpNames[opcode >> 4];
            if (cls == op::kClassJmp32) name += "32";
        }
        if (jop != op::kJa && jop != op::kCall && jop != op::kExit) name += op::is_x(opcode) ? " X" : " K";
        break;
    }
    default: {
        static constexpr const char* kClassNames[4] = {"ld", "ldx", "st", "stx"};
        static constexpr const char* kModeNames[8] = {"imm", "abs", "ind", "mem",
                                                      "memsx", "mode 0xa0", "atomic", "mode 0xe0"};
        name = std::string(kClassNames[cls]) + " " + kModeNames[opcode >> 5] + " " +
               kSizeNames[op::size(opcode) >> 3];
    }
    }
    char hex[16];
    std::snprintf(hex, sizeof hex, " (0x%02x)", opcode);
    return name + hex;
}

}  // namespace ebpf::isa_detail
