// decode_program(): eBPF instructions → the interpreter's records
// (interpreter_decode.hpp). Everything that can be decided once is decided
// here, so that the run loop's handlers are a few machine instructions each.
#include "interpreter_decode.hpp"

#include <string>

#include "ebpf/abi.hpp"
#include "ebpf/error.hpp"

namespace ebpf::interp {

#if EBPF_WITH_INTERPRETER

namespace {

using namespace op;

std::string where(size_t pc) { return "instruction " + std::to_string(pc); }

uint64_t sign_extend(int32_t imm) { return static_cast<uint64_t>(static_cast<int64_t>(imm)); }

// The operation of one ALU instruction, by eBPF operation code, 64 then 32 bit.
Op alu_op_for(uint8_t code, bool is64, bool x) {
    // Each row: K and X forms are adjacent in Op (…k then …x).
    auto pick = [&](Op k64, Op k32) {
        const Op k = is64 ? k64 : k32;
        return static_cast<Op>(static_cast<uint8_t>(k) + (x ? 1 : 0));
    };
    switch (code) {
    case kAdd: return pick(Op::add64k, Op::add32k);
    case kSub: return pick(Op::sub64k, Op::sub32k);
    case kMul: return pick(Op::mul64k, Op::mul32k);
    case kOr: return pick(Op::or64k, Op::or32k);
    case kAnd: return pick(Op::and64k, Op::and32k);
    case kXor: return pick(Op::xor64k, Op::xor32k);
    case kLsh: return pick(Op::lsh64k, Op::lsh32k);
    case kRsh: return pick(Op::rsh64k, Op::rsh32k);
    case kArsh: return pick(Op::arsh64k, Op::arsh32k);
    case kMov: return pick(Op::mov64k, Op::mov32k);
    default: return Op::unsupported;
    }
}

// Conditional jumps: 11 conditions × {64k, 64x, 32k, 32x}, in Op order.
Op jmp_op_for(uint8_t code, bool is64, bool x) {
    Op base;
    switch (code) {
    case kJeq: base = Op::jeq64k; break;
    case kJne: base = Op::jne64k; break;
    case kJgt: base = Op::jgt64k; break;
    case kJge: base = Op::jge64k; break;
    case kJlt: base = Op::jlt64k; break;
    case kJle: base = Op::jle64k; break;
    case kJset: base = Op::jset64k; break;
    case kJsgt: base = Op::jsgt64k; break;
    case kJsge: base = Op::jsge64k; break;
    case kJslt: base = Op::jslt64k; break;
    case kJsle: base = Op::jsle64k; break;
    default: return Op::unsupported;
    }
    return static_cast<Op>(static_cast<uint8_t>(base) + (is64 ? 0 : 2) + (x ? 1 : 0));
}

class Decoder {
public:
    Decoder(std::span<const Instruction> insns, std::span<Decoded> out) : insns_(insns), out_(out) {}

    void run() {
        if (out_.size() != insns_.size() + 1) throw Error("interpreter: decode buffer of the wrong size");
        const size_t count = insns_.size();
        for (size_t pc = 0; pc < count; ++pc) {
            Decoded& d = out_[pc];
            d = decode(pc);
            if (insns_[pc].opcode == kLddw) {
                if (pc + 1 >= count) throw Error(where(pc) + ": LDDW is missing its second slot");
                out_[++pc] = Decoded{.op = Op::lddw_second_slot, .plain = Op::lddw_second_slot};
            }
        }
        out_[count] = Decoded{.op = Op::past_end, .plain = Op::past_end};
        fuse();
    }

private:
    // A jump or call target: inside the program, or the sentinel right after it
    // (which fails cleanly). validate() has already rejected both; this is the
    // decoder not trusting that.
    int32_t target(size_t pc, int64_t relative, const char* what) const {
        const int64_t to = static_cast<int64_t>(pc) + 1 + relative;
        if (to < 0 || to > static_cast<int64_t>(insns_.size())) {
            throw Error(where(pc) + ": " + what + " to instruction " + std::to_string(to) + " is outside the program");
        }
        return static_cast<int32_t>(to);
    }

    Decoded decode(size_t pc) const {
        const Instruction& insn = insns_[pc];
        Decoded d;
        d.dst = insn.dst;
        d.src = insn.src;
        d.off = insn.offset;
        d.imm = static_cast<uint32_t>(insn.imm);  // the original bits, for unsupported forms' messages
        d.op = decode_op(pc, insn, d);
        d.plain = d.op;
        if (d.op == Op::unsupported) d.imm = insn.opcode;
        return d;
    }

    Op decode_op(size_t pc, const Instruction& insn, Decoded& d) const {
        const uint8_t opcode = insn.opcode;
        switch (cls(opcode)) {
        case kClassAlu64:
        case kClassAlu: return decode_alu(insn, d);
        case kClassJmp:
        case kClassJmp32: return decode_jump(pc, insn, d);
        case kClassLdx: {
            const bool sx = mode(opcode) == kModeMemSx;
            if (mode(opcode) != kModeMem && !sx) return Op::unsupported;
            switch (size(opcode)) {
            case kSizeB: return sx ? Op::ldxsb : Op::ldxb;
            case kSizeH: return sx ? Op::ldxsh : Op::ldxh;
            case kSizeW: return sx ? Op::ldxsw : Op::ldxw;
            default: return sx ? Op::unsupported : Op::ldxdw;
            }
        }
        case kClassSt:
            if (mode(opcode) != kModeMem) return Op::unsupported;
            d.imm = sign_extend(insn.imm);  // stored truncated to the access size
            switch (size(opcode)) {
            case kSizeB: return Op::stb;
            case kSizeH: return Op::sth;
            case kSizeW: return Op::stw;
            default: return Op::stdw;
            }
        case kClassStx:
            if (mode(opcode) == kModeAtomic) {
                d.imm = static_cast<uint32_t>(insn.imm);  // the atomic operation
                if (size(opcode) == kSizeW) return Op::atomic32;
                if (size(opcode) == kSizeDW) return Op::atomic64;
                return Op::unsupported;
            }
            if (mode(opcode) != kModeMem) return Op::unsupported;
            switch (size(opcode)) {
            case kSizeB: return Op::stxb;
            case kSizeH: return Op::stxh;
            case kSizeW: return Op::stxw;
            default: return Op::stxdw;
            }
        case kClassLd:
            if (opcode == kLddw) return decode_lddw(pc, insn, d);
            throw Error(where(pc) + ": legacy packet access (LD ABS/IND) is not supported; use direct packet access");
        }
        return Op::unsupported;
    }

    Op decode_lddw(size_t pc, const Instruction& insn, Decoded& d) const {
        if (pc + 1 >= insns_.size()) throw Error(where(pc) + ": LDDW is missing its second slot");
        if (insn.src == kPseudoFunc) {
            const int32_t to = target(pc, insn.imm, "function reference");
            if (static_cast<size_t>(to) >= insns_.size()) {
                throw Error(where(pc) + ": function reference to instruction " + std::to_string(to) +
                            " is outside the program");
            }
            d.imm = reinterpret_cast<uint64_t>(&out_[static_cast<size_t>(to)]);
            d.src = 0;
            return Op::lddw;
        }
        if (insn.src != kPseudoImm64) {
            throw Error(where(pc) + ": LDDW with src " + std::to_string(insn.src) +
                        " (a map or BTF reference) must be resolved by the runtime before it runs");
        }
        d.imm = static_cast<uint32_t>(insn.imm) |
                (static_cast<uint64_t>(static_cast<uint32_t>(insns_[pc + 1].imm)) << 32);
        return Op::lddw;
    }

    static Op decode_alu(const Instruction& insn, Decoded& d) {
        const uint8_t opcode = insn.opcode;
        const bool is64 = cls(opcode) == kClassAlu64;
        const bool x = is_x(opcode);
        const uint8_t code = alu_op(opcode);
        // 64-bit K operands sign-extend, 32-bit ones are the low 32 bits.
        d.imm = is64 ? sign_extend(insn.imm) : static_cast<uint32_t>(insn.imm);
        switch (code) {
        case kNeg: return is64 ? Op::neg64 : Op::neg32;
        case kEnd:
            if (!is64 && !x) {  // to little-endian: a truncation on this host
                if (insn.imm == 16) return Op::le16;
                if (insn.imm == 32) return Op::le32;
                return insn.imm == 64 ? Op::nop : Op::unsupported;
            }
            // to big-endian (ALU X) and the unconditional swap (ALU64 K)
            if (insn.imm == 16) return Op::bswap16;
            if (insn.imm == 32) return Op::bswap32;
            return insn.imm == 64 ? Op::bswap64 : Op::unsupported;
        case kDiv:
        case kMod: {
            const bool is_signed = insn.offset != 0;  // as the run loop always did: any non-zero offset
            Op base = code == kDiv ? (is_signed ? Op::sdiv64k : Op::div64k) : (is_signed ? Op::smod64k : Op::mod64k);
            if (!is64) {
                base = code == kDiv ? (is_signed ? Op::sdiv32k : Op::div32k) : (is_signed ? Op::smod32k : Op::mod32k);
            }
            return static_cast<Op>(static_cast<uint8_t>(base) + (x ? 1 : 0));
        }
        case kLsh:
        case kRsh:
        case kArsh:
            d.imm &= is64 ? 63 : 31;  // the shift count is masked, as the run loop does for X
            break;
        case kMov:
            if (insn.offset != 0) {  // MOVSX
                if (!x) {            // not a valid encoding; computed once if ever allowed
                    if (insn.offset == 8) d.imm = is64 ? sign_extend(static_cast<int8_t>(insn.imm)) : static_cast<uint32_t>(static_cast<int8_t>(insn.imm));
                    if (insn.offset == 16) d.imm = is64 ? sign_extend(static_cast<int16_t>(insn.imm)) : static_cast<uint32_t>(static_cast<int16_t>(insn.imm));
                    return is64 ? Op::mov64k : Op::mov32k;
                }
                switch (insn.offset) {
                case 8: return is64 ? Op::movsx8_64 : Op::movsx8_32;
                case 16: return is64 ? Op::movsx16_64 : Op::movsx16_32;
                case 32: return is64 ? Op::movsx32_64 : Op::mov32x;
                default: return Op::unsupported;
                }
            }
            break;
        default: break;
        }
        return alu_op_for(code, is64, x);
    }

    Op decode_jump(size_t pc, const Instruction& insn, Decoded& d) const {
        const uint8_t opcode = insn.opcode;
        const bool is64 = cls(opcode) == kClassJmp;
        const uint8_t code = jmp_op(opcode);
        if (code == kJa) {
            // JA's target is in offset; JMP32 JA (gotol) keeps it in imm.
            d.off = target(pc, is64 ? insn.offset : insn.imm, "jump");
            return Op::ja;
        }
        if (code == kCall && is64) {
            if (insn.src == kCallLocal) {
                d.off = target(pc, insn.imm, "call");
                if (static_cast<size_t>(d.off) >= insns_.size()) {
                    throw Error(where(pc) + ": call to instruction " + std::to_string(d.off) + " is outside the program");
                }
                return Op::call_local;
            }
            if (insn.src != kCallHelper) throw Error(where(pc) + ": kfunc calls (call src 2) are not supported");
            // The helper is looked up when called: the table may change
            // between runs (the runtime fills it once, tests swap entries).
            d.off = insn.imm;
            return insn.imm == helper_id::tail_call ? Op::call_tail : Op::call_helper;
        }
        if (code == kExit && is64) return Op::exit;
        const Op op = jmp_op_for(code, is64, is_x(opcode));
        if (op == Op::unsupported) return op;
        d.imm = is64 ? sign_extend(insn.imm) : static_cast<uint32_t>(insn.imm);
        d.off = target(pc, insn.offset, "jump");
        return op;
    }

    // Marks the fast loop's fused pairs (the checked loop keeps `plain`). The
    // second instruction must not be the second slot of an LDDW (it never is:
    // the first would be the LDDW) and keeps its own record.
    void fuse() {
        for (size_t pc = 0; pc + 1 < insns_.size(); ++pc) {
            Decoded& first = out_[pc];
            const Decoded& second = out_[pc + 1];
            if (first.plain == Op::lsh64k && first.imm == 32 && second.plain == Op::rsh64k && second.imm == 32 &&
                second.dst == first.dst) {
                first.op = Op::zext32_pair;
                continue;
            }
            if (first.plain != Op::add64k) continue;
            switch (second.plain) {
            case Op::jne64k: first.op = Op::add64k_jne64k; break;
            case Op::jlt64k: first.op = Op::add64k_jlt64k; break;
            case Op::jgt64k: first.op = Op::add64k_jgt64k; break;
            case Op::jslt64k: first.op = Op::add64k_jslt64k; break;
            case Op::jsgt64k: first.op = Op::add64k_jsgt64k; break;
            case Op::jeq64k: first.op = Op::add64k_jeq64k; break;
            default: break;
            }
        }
    }

    std::span<const Instruction> insns_;
    std::span<Decoded> out_;
};

}  // namespace

void decode_program(std::span<const Instruction> insns, std::span<Decoded> out) {
    Decoder(insns, out).run();
}

#endif  // EBPF_WITH_INTERPRETER

}  // namespace ebpf::interp
