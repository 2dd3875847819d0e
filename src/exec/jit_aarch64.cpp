// eBPF → AArch64 machine code with asmjit's a64::Assembler.
//
// Register mapping (AAPCS64). Helpers take their arguments in x0–x4 and
// return in x0, so eBPF r1–r5 sit in x0–x4 and r0 in x7 (r0 and r1 cannot
// share x0: a helper call copies x0 to x7 afterwards). r6–r9 and r10 sit in
// callee-saved registers, so they survive helper calls for free.
//
//   eBPF   AArch64  why
//   r0     x7       return value (copied from x0 after a helper call)
//   r1–r5  x0–x4    helper arguments 1–5
//   r6–r9  x19–x22  callee-saved
//   r10    x25      callee-saved; top of the current 512-byte frame
//   -      x26      the run's jit::Invocation (callee-saved)
//   -      x9–x12   scratch: immediates, quotients, atomic addresses, the
//                   exclusive store's status
//   -      x16      helper address (IP0, the intra-procedure-call register)
//
// Frames. Every eBPF function (the entry and each bpf-to-bpf callee) starts with
// the same prologue: save x29/x30 (frame record, so debuggers and perf can walk
// the stack), x19–x22 and the caller's x25 in 64 bytes, reserve 512 bytes
// below and point x25 at their top. 576 bytes keep sp 16-byte aligned, which
// AArch64 requires for every access through sp. The trampoline saves the C++
// caller's callee-saved registers and its stack pointer (in the Invocation),
// so a tail call or a run-time fault can unwind all frames at once.
//
// Semantics AArch64 gives for free: udiv/sdiv by zero yield 0 and msub then
// leaves the dividend (RFC 9669's x / 0 = 0, x % 0 = x); sdiv INT_MIN / -1
// wraps to INT_MIN without trapping; lslv/lsrv/asrv mask the count to 5/6
// bits; every write to a w register clears the upper 32 bits (ALU32).
#include <asmjit/arm/a64assembler.h>
#include <asmjit/arm/a64utils.h>

#include <array>
#include <algorithm>
#include <string>

#include "ebpf/abi.hpp"
#include "ebpf/error.hpp"
#include "jit_codegen.hpp"

namespace ebpf::jit {
namespace {

using namespace asmjit;

constexpr std::array<uint32_t, kRegisterCount> kRegisterMap = {7, 0, 1, 2, 3, 4, 19, 20, 21, 22, 25};
constexpr uint32_t kInvocationReg = 26;
constexpr uint32_t kTmp = 9, kImm = 10, kAddr = 11, kStatus = 12, kCallTarget = 16;
// Saved registers of an eBPF frame (x29, x30, x19–x22, x25: 56 of 64 bytes).
constexpr int32_t kSaveArea = 64;
// The trampoline's save area: x29, x30, x19–x22, x25, x26 (80 bytes, 16-aligned).
constexpr int32_t kTrampolineSave = 80;

class RecordingErrorHandler : public ErrorHandler {
public:
    void handleError(asmjit::Error err, const char* message, BaseEmitter*) override {
        if (first == kErrorOk) {
            first = err;
            text = message ? message : DebugUtils::errorAsString(err);
        }
    }
    asmjit::Error first = kErrorOk;
    std::string text;
};

// Thrown inside the compiler when a conditional branch is out of its ±1 MiB
// reach: the program is compiled again with every such branch inverted over
// an unconditional one (±128 MiB).
struct BranchOutOfRange {};

class Compiler {
public:
    Compiler(const ExecutableProgram& program, const ExecOptions& options, bool lse, bool far_branches,
             CodeSink* sink)
        : insns_(program.insns), sink_(sink), helpers_(program.helpers), blinding_(options.constant_blinding), lse_(lse),
          far_(far_branches) {
        if (blinding_) {
            random_.seed();
        }
    }

    CompiledCode compile() {
        layout_ = analyse_layout(insns_);
        code_.init(Environment(Arch::kAArch64));
        code_.setErrorHandler(&errors_);
        code_.attach(&a_);
        const size_t n = insns_.size();
        // Sized from the program so the buffer is not grown (copied) as it fills.
        code_.reserveBuffer(&code_.textSection()->buffer(), estimated_size());

        // Labels only where code branches to (as the x86-64 generator).
        labels_.assign(n, 0);
        for (size_t i = 0; i < n; ++i) {
            if (layout_.jump_target(i)) labels_[i] = a_.newLabel().id();
        }
        starts_.resize(layout_.functions.size());
        for (Label& start : starts_) start = a_.newLabel();
        unwind_ = a_.newLabel();

        CompiledCode out;
        const bool offsets = sink_ == nullptr;  // only a listing needs them
        if (offsets) out.insn_offsets.resize(n + 1);
        size_t next_function = 0;
        for (size_t i = 0; i < n; ++i) {
            const uint8_t flags = layout_.flags[i];
            if (flags & ProgramLayout::kFunctionStart) {
                if (i > 0 && falls_through(insns_, layout_, i - 1)) {
                    // Control that runs into a function from the instruction
                    // before stays in its own frame (as in the interpreter).
                    a_.b(body(i));
                }
                if (offsets) out.insn_offsets[i] = a_.offset();
                a_.bind(starts_[next_function++]);
                emit_prologue();
            } else if (offsets) {
                out.insn_offsets[i] = a_.offset();
            }
            if (flags & ProgramLayout::kJumpTarget) a_.bind(body(i));
            if (flags & ProgramLayout::kSecondSlot) continue;
            emit_instruction(i);
        }
        if (offsets) out.insn_offsets[n] = a_.offset();
        // Only a malformed program gets here; stop cleanly instead of running on.
        emit_abort(AbortReason::fell_off_end, n, 0);
        for (auto& stub : stubs_) {
            a_.bind(stub.label);
            emit_abort(stub.reason, stub.insn, stub.detail);
        }
        out.trampoline_offset = a_.offset();
        emit_trampoline();

        if (errors_.first == kErrorInvalidDisplacement && !far_) throw BranchOutOfRange{};
        if (errors_.first != kErrorOk) throw Error("JIT: AArch64 code generation failed: " + errors_.text);
        // One section at offset 0: the offsets taken while emitting are final.
        code_.flatten();
        const asmjit::Error links = code_.hasUnresolvedLinks() ? code_.resolveUnresolvedLinks() : kErrorOk;
        if ((links == kErrorInvalidDisplacement || errors_.first == kErrorInvalidDisplacement) && !far_)
            throw BranchOutOfRange{};
        if (links != kErrorOk || code_.relocateToBase(0) != kErrorOk || errors_.first != kErrorOk) {
            throw Error("JIT: AArch64 code generation failed: " +
                        (errors_.text.empty() ? std::string(DebugUtils::errorAsString(links)) : errors_.text));
        }
        const CodeBuffer& buffer = code_.textSection()->buffer();
        if (sink_) sink_->place({buffer.data(), buffer.size()});
        else out.code.assign(buffer.data(), buffer.data() + buffer.size());
        for (const Label& start : starts_) out.function_offsets.push_back(code_.labelOffsetFromBase(start));
        return out;
    }

private:
    struct Stub {
        Label label;
        AbortReason reason;
        size_t insn;
        uint64_t detail;
    };

    // Bytes of code for the program, a little over what it usually takes:
    // most instructions are one or two 4-byte instructions, LDDW up to four,
    // a function's prologue and the trampoline a few dozen, blinding adds two
    // or three per immediate.
    size_t estimated_size() const {
        const size_t n = insns_.size();
        const size_t per_insn = blinding_ ? 16 : 8;
        return n * per_insn + layout_.lddw_count * 16 + layout_.functions.size() * 48 + 512;
    }

    Label body(size_t i) const { return Label(labels_[i]); }
    Label function_start(size_t i) const {
        const auto it = std::lower_bound(layout_.functions.begin(), layout_.functions.end(), static_cast<uint32_t>(i));
        return starts_[static_cast<size_t>(it - layout_.functions.begin())];
    }
    size_t target(size_t insn, int64_t offset) const { return jump_target(insns_, insn, offset); }

    // --- registers and operands --------------------------------------------

    static a64::Gp x(int r) { return a64::x(kRegisterMap[r]); }
    static a64::Gp reg(int r, bool wide) {
        return wide ? a64::Gp(a64::x(kRegisterMap[r])) : a64::Gp(a64::w(kRegisterMap[r]));
    }
    static a64::Gp gp(uint32_t id, bool wide) { return wide ? a64::Gp(a64::x(id)) : a64::Gp(a64::w(id)); }
    a64::Mem invocation(int32_t offset) { return a64::ptr(a64::x(kInvocationReg), offset); }

    // `value` into `into` with movz/movn + movk, one instruction per 16-bit
    // chunk that differs from the background (all zeros or all ones).
    void move_constant(const a64::Gp& into, uint64_t value) {
        const bool wide = into.isGpX();
        const int chunks = wide ? 4 : 2;
        if (!wide) value &= 0xffffffffu;
        int zeros = 0, ones = 0;
        for (int c = 0; c < chunks; ++c) {
            const uint16_t part = static_cast<uint16_t>(value >> (16 * c));
            zeros += part == 0;
            ones += part == 0xffff;
        }
        const bool inverted = ones > zeros;
        const uint16_t background = inverted ? 0xffff : 0;
        bool first = true;
        for (int c = 0; c < chunks; ++c) {
            const uint16_t part = static_cast<uint16_t>(value >> (16 * c));
            if (part == background) continue;
            if (first) {
                if (inverted) a_.movn(into, Imm(static_cast<uint16_t>(~part)), Imm(16 * c));
                else a_.movz(into, Imm(part), Imm(16 * c));
                first = false;
            } else {
                a_.movk(into, Imm(part), Imm(16 * c));
            }
        }
        if (first) {  // every chunk is the background: 0 or all ones
            if (inverted) a_.movn(into, Imm(0));
            else a_.movz(into, Imm(0));
        }
    }

    uint32_t blinding_key() { return static_cast<uint32_t>(random_()); }

    // An immediate of the program into `into`: sign-extended (x) or as 32 bits
    // (w). With constant blinding the code holds imm ^ key and key, never imm.
    void load_immediate(const a64::Gp& into, int32_t imm) {
        const uint64_t value = into.isGpX() ? static_cast<uint64_t>(static_cast<int64_t>(imm))
                                            : static_cast<uint32_t>(imm);
        if (!blinding_) {
            move_constant(into, value);
            return;
        }
        const uint64_t key = into.isGpX() ? static_cast<uint64_t>(static_cast<int64_t>(static_cast<int32_t>(blinding_key())))
                                          : blinding_key();
        const a64::Gp other = gp(into.id() == kImm ? kTmp : kImm, into.isGpX());
        move_constant(into, value ^ key);
        move_constant(other, key);
        a_.eor(into, into, other);
    }

    // The immediate of an ALU/JMP K instruction in the scratch register x10/w10.
    a64::Gp immediate_register(int32_t imm, bool wide) {
        const a64::Gp scratch = gp(kImm, wide);
        load_immediate(scratch, imm);
        return scratch;
    }

    // [base + offset] for a `bytes`-wide access: the 9-bit signed unscaled or
    // the 12-bit scaled form when the offset fits one (asmjit picks), else
    // the offset in x11 as an index register.
    a64::Mem memory(int base, int16_t offset, int bytes) {
        if ((offset >= -256 && offset <= 255) || (offset >= 0 && offset % bytes == 0)) {
            return a64::ptr(x(base), offset);
        }
        move_constant(a64::x(kAddr), static_cast<uint64_t>(static_cast<int64_t>(offset)));
        return a64::ptr(x(base), a64::x(kAddr));
    }

    // Branches out of an instruction (to another instruction, a stub, the
    // unwinder). Conditional branches reach ±1 MiB; in far mode they jump
    // over an unconditional branch (±128 MiB) instead.
    void branch_if(a64::CondCode cc, const Label& to) {
        if (!far_) {
            a_.emit(BaseInst::composeARMInstId(a64::Inst::kIdB, cc), to);
            return;
        }
        Label skip = a_.newLabel();
        a_.emit(BaseInst::composeARMInstId(a64::Inst::kIdB, a64::negateCond(cc)), skip);
        a_.b(to);
        a_.bind(skip);
    }
    void branch_if_nonzero(const a64::Gp& value, const Label& to) {
        if (!far_) {
            a_.cbnz(value, to);
            return;
        }
        Label skip = a_.newLabel();
        a_.cbz(value, skip);
        a_.b(to);
        a_.bind(skip);
    }

    // --- frames ---------------------------------------------------------------

    void emit_prologue() {
        a_.stp(a64::x29, a64::x30, a64::ptr_pre(a64::sp, -kSaveArea));
        a_.mov(a64::x29, a64::sp);
        a_.stp(a64::x19, a64::x20, a64::ptr(a64::sp, 16));
        a_.stp(a64::x21, a64::x22, a64::ptr(a64::sp, 32));
        a_.str(a64::x25, a64::ptr(a64::sp, 48));
        a_.sub(a64::sp, a64::sp, Imm(kStackSize));
        a_.add(a64::x25, a64::sp, Imm(kStackSize));
    }

    void emit_epilogue() {
        a_.add(a64::sp, a64::sp, Imm(kStackSize));
        a_.ldr(a64::x25, a64::ptr(a64::sp, 48));
        a_.ldp(a64::x21, a64::x22, a64::ptr(a64::sp, 32));
        a_.ldp(a64::x19, a64::x20, a64::ptr(a64::sp, 16));
        a_.ldp(a64::x29, a64::x30, a64::ptr_post(a64::sp, kSaveArea));
        a_.ret(a64::x30);
    }

    // Called from C++ as Trampoline(x0-x4 = r1-r5, x5 = invocation).
    void emit_trampoline() {
        a_.stp(a64::x29, a64::x30, a64::ptr_pre(a64::sp, -kTrampolineSave));
        a_.mov(a64::x29, a64::sp);
        a_.stp(a64::x19, a64::x20, a64::ptr(a64::sp, 16));
        a_.stp(a64::x21, a64::x22, a64::ptr(a64::sp, 32));
        a_.stp(a64::x25, a64::x26, a64::ptr(a64::sp, 48));
        // r1..r5 arrive where they live (x0-x4); the invocation is the
        // sixth argument (x5).
        a_.mov(a64::x(kInvocationReg), a64::x5);
        a_.mov(a64::x(kTmp), a64::sp);
        a_.str(a64::x(kTmp), invocation(kInvocationUnwindRsp));
        a_.ldr(a64::x(kCallTarget), invocation(kInvocationTarget));
        // r0 and r6-r9 start at zero, as in the interpreter, so even an
        // unverified program that reads them sees the same values.
        for (int r : {0, 6, 7, 8, 9}) a_.mov(x(r), a64::xzr);
        a_.blr(a64::x(kCallTarget));
        Label exit = a_.newLabel();
        a_.bind(exit);
        a_.mov(a64::x0, x(0));
        a_.ldp(a64::x25, a64::x26, a64::ptr(a64::sp, 48));
        a_.ldp(a64::x21, a64::x22, a64::ptr(a64::sp, 32));
        a_.ldp(a64::x19, a64::x20, a64::ptr(a64::sp, 16));
        a_.ldp(a64::x29, a64::x30, a64::ptr_post(a64::sp, kTrampolineSave));
        a_.ret(a64::x30);
        // Unwinds every eBPF frame: back to the trampoline's stack, r0 as it is.
        a_.bind(unwind_);
        a_.ldr(a64::x(kTmp), invocation(kInvocationUnwindRsp));
        a_.mov(a64::sp, a64::x(kTmp));
        a_.b(exit);
    }

    void emit_abort(AbortReason reason, size_t insn, uint64_t detail) {
        move_constant(a64::x(kTmp), static_cast<uint64_t>(reason));
        a_.str(a64::x(kTmp), invocation(kInvocationAbortReason));
        move_constant(a64::x(kTmp), static_cast<uint64_t>(insn));
        a_.str(a64::x(kTmp), invocation(kInvocationAbortInsn));
        move_constant(a64::x(kTmp), detail);
        a_.str(a64::x(kTmp), invocation(kInvocationAbortDetail));
        a_.b(unwind_);
    }

    Label stub(AbortReason reason, size_t insn, uint64_t detail) {
        Label label = a_.newLabel();
        stubs_.push_back({label, reason, insn, detail});
        return label;
    }

    // --- instructions -----------------------------------------------------------

    void emit_instruction(size_t i) {
        const Instruction& in = insns_[i];
        switch (op::cls(in.opcode)) {
        case op::kClassAlu: emit_alu(i, in, false); break;
        case op::kClassAlu64: emit_alu(i, in, true); break;
        case op::kClassJmp: emit_jump(i, in, false); break;
        case op::kClassJmp32: emit_jump(i, in, true); break;
        case op::kClassLdx: emit_load(i, in); break;
        case op::kClassSt: emit_store_immediate(i, in); break;
        case op::kClassStx:
            if (op::mode(in.opcode) == op::kModeAtomic) emit_atomic(i, in);
            else emit_store_register(i, in);
            break;
        case op::kClassLd:
            if (in.opcode == op::kLddw) {
                emit_lddw(i, in, insns_[i + 1]);
                break;
            }
            throw Error("JIT: " + at(i) + "legacy packet load (LD ABS/IND, opcode 0x" + hex_digits(in.opcode, 2) +
                        ") is not supported by the JIT");
        }
    }

    [[noreturn]] void unsupported(size_t i, const Instruction& in) {
        throw Error("JIT: " + at(i) + "opcode 0x" + hex_digits(in.opcode, 2) + " (src " + std::to_string(in.src) +
                    ", offset " + std::to_string(in.offset) + ", imm " + std::to_string(in.imm) +
                    ") is not a valid instruction");
    }

    // The value of a K operand as the instruction sees it (sign-extended for
    // 64-bit operations, 32 bits for 32-bit ones).
    static uint64_t k_value(int32_t imm, bool wide) {
        return wide ? static_cast<uint64_t>(static_cast<int64_t>(imm)) : static_cast<uint32_t>(imm);
    }

    void emit_alu(size_t i, const Instruction& in, bool wide) {
        const uint8_t aop = op::alu_op(in.opcode);
        const bool is_x = op::is_x(in.opcode);
        const a64::Gp dst = reg(in.dst, wide);
        auto source = [&]() -> a64::Gp { return is_x ? reg(in.src, wide) : immediate_register(in.imm, wide); };
        switch (aop) {
        case op::kAdd:
        case op::kSub: {
            const bool add = aop == op::kAdd;
            if (!is_x && !blinding_ && in.imm > -4096 && in.imm < 4096) {
                const bool positive = in.imm >= 0;
                const Imm amount(positive ? in.imm : -in.imm);
                if (add == positive) a_.add(dst, dst, amount);
                else a_.sub(dst, dst, amount);
                break;
            }
            const a64::Gp src = source();
            if (add) a_.add(dst, dst, src);
            else a_.sub(dst, dst, src);
            break;
        }
        case op::kOr:
        case op::kAnd:
        case op::kXor: {
            const InstId id = aop == op::kOr ? a64::Inst::kIdOrr : aop == op::kAnd ? a64::Inst::kIdAnd
                                                                                   : a64::Inst::kIdEor;
            if (!is_x && !blinding_ && a64::Utils::isLogicalImm(k_value(in.imm, wide), wide ? 64 : 32)) {
                a_.emit(id, dst, dst, Imm(k_value(in.imm, wide)));
                break;
            }
            a_.emit(id, dst, dst, source());
            break;
        }
        case op::kMul: a_.mul(dst, dst, source()); break;
        case op::kMov: emit_mov(i, in, wide); break;
        case op::kNeg: a_.neg(dst, dst); break;
        case op::kLsh: case op::kRsh: case op::kArsh: emit_shift(in, wide, aop); break;
        case op::kDiv: case op::kMod: emit_divide(i, in, wide, aop == op::kMod); break;
        case op::kEnd: emit_byte_swap(i, in, wide); break;
        default: unsupported(i, in);
        }
    }

    void emit_mov(size_t i, const Instruction& in, bool wide) {
        const a64::Gp dst = reg(in.dst, wide);
        if (!op::is_x(in.opcode)) {
            load_immediate(dst, in.imm);
            return;
        }
        switch (in.offset) {
        case 0: a_.mov(dst, reg(in.src, wide)); break;
        case 8: a_.sxtb(dst, reg(in.src, false)); break;
        case 16: a_.sxth(dst, reg(in.src, false)); break;
        case 32:
            if (!wide) unsupported(i, in);
            a_.sxtw(dst, reg(in.src, false));
            break;
        default: unsupported(i, in);
        }
    }

    // lslv/lsrv/asrv take the count modulo the width, as eBPF requires.
    void emit_shift(const Instruction& in, bool wide, uint8_t aop) {
        const a64::Gp dst = reg(in.dst, wide);
        const InstId id = aop == op::kLsh ? a64::Inst::kIdLsl : aop == op::kRsh ? a64::Inst::kIdLsr : a64::Inst::kIdAsr;
        if (op::is_x(in.opcode)) {
            a_.emit(id, dst, dst, reg(in.src, wide));
            return;
        }
        if (blinding_) {
            a_.emit(id, dst, dst, immediate_register(in.imm, wide));
            return;
        }
        const int count = in.imm & (wide ? 63 : 31);
        if (count == 0) {
            if (!wide) a_.mov(dst, dst);  // still zero-extends
            return;
        }
        a_.emit(id, dst, dst, Imm(count));
    }

    // RFC 9669 division: see the header comment for why no test is needed.
    void emit_divide(size_t i, const Instruction& in, bool wide, bool modulo) {
        if (in.offset != 0 && in.offset != 1) unsupported(i, in);
        const bool is_signed = in.offset == 1;
        const a64::Gp dst = reg(in.dst, wide);
        const a64::Gp divisor = op::is_x(in.opcode) ? reg(in.src, wide) : immediate_register(in.imm, wide);
        const a64::Gp quotient = gp(kTmp, wide);
        if (is_signed) a_.sdiv(quotient, dst, divisor);
        else a_.udiv(quotient, dst, divisor);
        if (modulo) a_.msub(dst, quotient, divisor, dst);  // dst - quotient * divisor
        else a_.mov(dst, quotient);
    }

    // ALU END: K = to little-endian (a truncation on this host), X = to
    // big-endian; ALU64 END swaps unconditionally (ISA v4 bswap).
    void emit_byte_swap(size_t i, const Instruction& in, bool wide) {
        const bool swap = wide || op::is_x(in.opcode);
        const a64::Gp w = reg(in.dst, false);
        switch (in.imm) {
        case 16:
            if (swap) a_.rev16(w, w);
            a_.uxth(w, w);
            break;
        case 32:
            if (swap) a_.rev(w, w);
            else a_.mov(w, w);
            break;
        case 64:
            if (swap) a_.rev(x(in.dst), x(in.dst));
            break;
        default: unsupported(i, in);
        }
    }

    void emit_jump(size_t i, const Instruction& in, bool narrow) {
        const uint8_t jop = op::jmp_op(in.opcode);
        switch (jop) {
        case op::kExit: emit_epilogue(); return;
        case op::kCall: emit_call(i, in); return;
        case op::kJa: a_.b(body(target(i, narrow ? in.imm : in.offset))); return;
        default: break;
        }
        const bool wide = !narrow;
        const a64::Gp dst = reg(in.dst, wide);
        if (jop == op::kJset) {
            if (op::is_x(in.opcode)) a_.tst(dst, reg(in.src, wide));
            else if (!blinding_ && a64::Utils::isLogicalImm(k_value(in.imm, wide), wide ? 64 : 32))
                a_.tst(dst, Imm(k_value(in.imm, wide)));
            else a_.tst(dst, immediate_register(in.imm, wide));
        } else if (op::is_x(in.opcode)) {
            a_.cmp(dst, reg(in.src, wide));
        } else if (!blinding_ && in.imm >= 0 && in.imm < 4096) {
            a_.cmp(dst, Imm(in.imm));
        } else if (!blinding_ && in.imm < 0 && in.imm > -4096) {
            a_.cmn(dst, Imm(-in.imm));  // dst + (-imm): the flags of dst - imm
        } else {
            a_.cmp(dst, immediate_register(in.imm, wide));
        }
        a64::CondCode cc;
        switch (jop) {
        case op::kJeq: cc = a64::CondCode::kEQ; break;
        case op::kJne: cc = a64::CondCode::kNE; break;
        case op::kJset: cc = a64::CondCode::kNE; break;
        case op::kJgt: cc = a64::CondCode::kHI; break;
        case op::kJge: cc = a64::CondCode::kHS; break;
        case op::kJlt: cc = a64::CondCode::kLO; break;
        case op::kJle: cc = a64::CondCode::kLS; break;
        case op::kJsgt: cc = a64::CondCode::kGT; break;
        case op::kJsge: cc = a64::CondCode::kGE; break;
        case op::kJslt: cc = a64::CondCode::kLT; break;
        case op::kJsle: cc = a64::CondCode::kLE; break;
        default: unsupported(i, in);
        }
        branch_if(cc, body(target(i, in.offset)));
    }

    void emit_call(size_t i, const Instruction& in) {
        const a64::Gp tmp = a64::x(kTmp);
        if (in.src == op::kCallLocal) {
            const Label callee = function_start(target(i, in.imm));
            a_.ldr(tmp, invocation(kInvocationDepth));
            a_.cmp(tmp, Imm(kMaxCallDepth));
            branch_if(a64::CondCode::kHS, stub(AbortReason::call_depth, i, kMaxCallDepth));
            a_.add(tmp, tmp, Imm(1));
            a_.str(tmp, invocation(kInvocationDepth));
            a_.bl(callee);
            a_.ldr(tmp, invocation(kInvocationDepth));
            a_.sub(tmp, tmp, Imm(1));
            a_.str(tmp, invocation(kInvocationDepth));
            return;
        }
        if (in.src != op::kCallHelper) {
            throw Error("JIT: " + at(i) + "calls to kernel functions (call src " + std::to_string(in.src) +
                        ") are not supported");
        }
        const HelperFunction fn = helpers_ ? helpers_->find(in.imm) : nullptr;
        if (!fn) {
            a_.b(stub(AbortReason::missing_helper, i, static_cast<uint32_t>(in.imm)));
            return;
        }
        move_constant(a64::x(kCallTarget), reinterpret_cast<uint64_t>(fn));
        a_.blr(a64::x(kCallTarget));
        a_.mov(x(0), a64::x0);
        // A callback run from this helper may have failed (nested_exception).
        a_.ldr(tmp, invocation(kInvocationAbortReason));
        branch_if_nonzero(tmp, unwind_);
        if (in.imm == helper_id::tail_call) {
            // exec.hpp's contract: a successful tail call ends run() at once.
            a_.ldr(tmp, invocation(kInvocationState));
            a_.ldr(tmp, a64::ptr(tmp, static_cast<int32_t>(offsetof(RunState, tail_call_target))));
            branch_if_nonzero(tmp, unwind_);
        }
    }

    void emit_load(size_t i, const Instruction& in) {
        const int bytes = op::size_bytes(in.opcode);
        const a64::Mem source = memory(in.src, in.offset, bytes);
        if (op::mode(in.opcode) == op::kModeMemSx) {
            const a64::Gp dst = x(in.dst);
            switch (bytes) {
            case 1: a_.ldrsb(dst, source); return;
            case 2: a_.ldrsh(dst, source); return;
            case 4: a_.ldrsw(dst, source); return;
            default: unsupported(i, in);
            }
        }
        if (op::mode(in.opcode) != op::kModeMem) unsupported(i, in);
        switch (bytes) {
        case 1: a_.ldrb(reg(in.dst, false), source); return;
        case 2: a_.ldrh(reg(in.dst, false), source); return;
        case 4: a_.ldr(reg(in.dst, false), source); return;
        default: a_.ldr(x(in.dst), source); return;
        }
    }

    void store(const a64::Gp& value, const a64::Mem& target, int bytes) {
        switch (bytes) {
        case 1: a_.strb(value.isGpX() ? a64::Gp(a64::w(value.id())) : value, target); return;
        case 2: a_.strh(value.isGpX() ? a64::Gp(a64::w(value.id())) : value, target); return;
        case 4: a_.str(a64::Gp(a64::w(value.id())), target); return;
        default: a_.str(a64::Gp(a64::x(value.id())), target); return;
        }
    }

    void emit_store_immediate(size_t i, const Instruction& in) {
        if (op::mode(in.opcode) != op::kModeMem) unsupported(i, in);
        const int bytes = op::size_bytes(in.opcode);
        const a64::Mem target = memory(in.dst, in.offset, bytes);
        if (in.imm == 0 && !blinding_) {
            store(bytes == 8 ? a64::Gp(a64::xzr) : a64::Gp(a64::wzr), target, bytes);
            return;
        }
        store(immediate_register(in.imm, bytes == 8), target, bytes);
    }

    void emit_store_register(size_t i, const Instruction& in) {
        if (op::mode(in.opcode) != op::kModeMem) unsupported(i, in);
        const int bytes = op::size_bytes(in.opcode);
        store(x(in.src), memory(in.dst, in.offset, bytes), bytes);
    }

    // Atomic read-modify-write on [dst + offset], sequentially consistent
    // (the -al forms; dmb ish after an exclusive loop). The FETCH forms
    // leave the old value in src (r0 for cmpxchg), zero-extended for 32-bit
    // operations (a w register write).
    void emit_atomic(size_t i, const Instruction& in) {
        const int bytes = op::size_bytes(in.opcode);
        if (bytes != 4 && bytes != 8) unsupported(i, in);
        const bool wide = bytes == 8;
        const int32_t aop = in.imm;
        switch (aop) {
        case op::kAdd: case op::kOr: case op::kAnd: case op::kXor:
        case op::kAdd | op::kAtomicFetch: case op::kOr | op::kAtomicFetch:
        case op::kAnd | op::kAtomicFetch: case op::kXor | op::kAtomicFetch:
        case op::kAtomicXchg: case op::kAtomicCmpXchg: break;
        default: unsupported(i, in);
        }
        // The address in x11 (atomics take no offset).
        const a64::Gp address = a64::x(kAddr);
        if (in.offset == 0) {
            a_.mov(address, x(in.dst));
        } else if (in.offset > 0 && in.offset < 4096) {
            a_.add(address, x(in.dst), Imm(in.offset));
        } else if (in.offset < 0 && in.offset > -4096) {
            a_.sub(address, x(in.dst), Imm(-in.offset));
        } else {
            move_constant(address, static_cast<uint64_t>(static_cast<int64_t>(in.offset)));
            a_.add(address, x(in.dst), address);
        }
        const a64::Mem slot = a64::ptr(address);
        const a64::Gp src = reg(in.src, wide);
        const bool fetch = (aop & op::kAtomicFetch) != 0;
        if (lse_) {
            const a64::Gp old = fetch ? src : gp(a64::Gp::kIdZr, wide);
            switch (aop & ~op::kAtomicFetch) {
            case op::kAdd: a_.ldaddal(src, old, slot); return;
            case op::kOr: a_.ldsetal(src, old, slot); return;
            case op::kXor: a_.ldeoral(src, old, slot); return;
            case op::kAnd: {
                // LSE has "clear these bits": mem & src is mem & ~(~src).
                const a64::Gp inverted = gp(kTmp, wide);
                a_.mvn(inverted, src);
                a_.ldclral(inverted, old, slot);
                return;
            }
            default: break;
            }
            if (aop == op::kAtomicXchg) a_.swpal(src, src, slot);
            else a_.casal(reg(0, wide), src, slot);  // r0: expected in, old value out
            return;
        }
        // Load-/store-exclusive loop: old value in x9, new in x10, status in x12.
        const a64::Gp old = gp(kTmp, wide);
        const a64::Gp value = gp(kImm, wide);
        Label retry = a_.newLabel(), done = a_.newLabel();
        a_.bind(retry);
        a_.ldaxr(old, slot);
        switch (aop & ~op::kAtomicFetch) {
        case op::kAdd: a_.add(value, old, src); break;
        case op::kOr: a_.orr(value, old, src); break;
        case op::kAnd: a_.and_(value, old, src); break;
        case op::kXor: a_.eor(value, old, src); break;
        default:
            if (aop == op::kAtomicXchg) {
                a_.mov(value, src);
            } else {  // cmpxchg: store only when the slot holds r0
                a_.cmp(old, reg(0, wide));
                a_.b_ne(done);
                a_.mov(value, src);
            }
            break;
        }
        // asmjit wants the status register as wide as the value; the
        // instruction writes w12 either way.
        a_.stlxr(gp(kStatus, wide), value, slot);
        a_.cbnz(a64::w(kStatus), retry);
        a_.bind(done);
        a_.dmb(Imm(a64::Predicate::DB::kISH));
        if (aop == op::kAtomicCmpXchg) a_.mov(reg(0, wide), old);
        else if (fetch || aop == op::kAtomicXchg) a_.mov(src, old);
    }

    void emit_lddw(size_t i, const Instruction& in, const Instruction& next) {
        const a64::Gp dst = x(in.dst);
        switch (in.src) {
        case op::kPseudoImm64: {
            const uint64_t value =
                static_cast<uint32_t>(in.imm) | (static_cast<uint64_t>(static_cast<uint32_t>(next.imm)) << 32);
            if (!blinding_) {
                move_constant(dst, value);
                return;
            }
            const uint64_t key = random_();
            move_constant(dst, value ^ key);
            move_constant(a64::x(kImm), key);
            a_.eor(dst, dst, a64::x(kImm));
            return;
        }
        case op::kPseudoFunc:
            // The callback's address: call_function() receives it back.
            a_.adr(dst, function_start(target(i, in.imm)));
            return;
        default:
            throw Error("JIT: " + at(i) + "LDDW with src " + std::to_string(in.src) +
                        " (a map or BTF reference) must be resolved by the runtime before execution");
        }
    }

    std::span<const Instruction> insns_;
    CodeSink* sink_;
    const HelperTable* helpers_;
    bool blinding_;
    bool lse_;
    bool far_;
    BlindingKeys random_;
    CodeHolder code_;
    a64::Assembler a_;
    RecordingErrorHandler errors_;
    ProgramLayout layout_;
    std::vector<uint32_t> labels_;  // per instruction: its body label's ID where it is a jump target
    std::vector<Label> starts_;     // per function (layout_.functions): the label of its prologue
    Label unwind_;
    std::vector<Stub> stubs_;
};

}  // namespace

CompiledCode compile_aarch64(const ExecutableProgram& program, const ExecOptions& options, bool lse,
                             CodeSink* sink) {
    try {
        Compiler compiler(program, options, lse, false, sink);
        return compiler.compile();
    } catch (const BranchOutOfRange&) {
        Compiler compiler(program, options, lse, true, sink);
        return compiler.compile();
    }
}

}  // namespace ebpf::jit
