// eBPF → x86-64 machine code with asmjit's x86::Assembler.
//
// Register mapping. eBPF r1–r5 sit in the System V argument registers, so a
// helper call needs no moves; r6–r9 and r10 sit in callee-saved registers, so
// they survive helper calls for free; r0 is rax, where helpers return.
//
//   eBPF   x86-64   why
//   r0     rax      return value of helpers and of the program
//   r1     rdi      helper argument 1
//   r2     rsi      helper argument 2
//   r3     rdx      helper argument 3 (saved around div/mod, which use rdx)
//   r4     rcx      helper argument 4 (saved around variable shifts, which use cl)
//   r5     r8       helper argument 5
//   r6     rbx      callee-saved
//   r7     r13      callee-saved
//   r8     r14      callee-saved
//   r9     r15      callee-saved
//   r10    rbp      callee-saved; top of the current 512-byte frame
//   -      r12      the run's jit::Invocation (callee-saved)
//   -      r9–r11   scratch (blinded constants, divisors, saved rax/rdx/rcx)
//
// Frames. Every bpf-to-bpf callee starts with the same prologue: push rbx,
// r13, r14, r15, rbp (so r6–r9 and the caller's r10 come back at exit), reserve
// 512 bytes and point rbp at their top. With the return address that is 560
// bytes, a multiple of 16, so rsp stays 16-byte aligned for helper calls at
// every depth. The trampoline saves the C++ caller's callee-saved registers and
// its stack pointer (in the Invocation), so a tail call or a run-time fault can
// unwind all frames at once, with or without the entry function's frame.
// The entry function, when only the trampoline can enter it
// (plan_entry_frame), pushes nothing: it reserves 512 bytes only when it
// uses r10, plus 8 when it calls anything (it is entered with rsp = 8 mod 16;
// calls need 0). An entry that calls nothing and cannot fault is a leaf: it
// saves the callee-saved registers it uses and run() calls it directly.
#include "jit_codegen.hpp"

#include <asmjit/x86.h>

#include <algorithm>
#include <array>
#include <cstdint>
#include <cstring>
#include <string>

#include "ebpf/abi.hpp"
#include "ebpf/error.hpp"

namespace ebpf::jit {
namespace {

using namespace asmjit;

constexpr std::array<uint32_t, kRegisterCount> kRegisterMap = {
    x86::Gp::kIdAx,  x86::Gp::kIdDi,  x86::Gp::kIdSi,  x86::Gp::kIdDx,
    x86::Gp::kIdCx,  x86::Gp::kIdR8,  x86::Gp::kIdBx,  x86::Gp::kIdR13,
    x86::Gp::kIdR14, x86::Gp::kIdR15, x86::Gp::kIdBp,
};
constexpr uint32_t kInvocationReg = x86::Gp::kIdR12;

// Records asmjit's first error; compile_x86_64 turns it into an ebpf::Error.
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

class Compiler {
public:
    Compiler(const ExecutableProgram& program, const ExecOptions& options, CodeSink* sink)
        : insns_(program.insns), sink_(sink), helpers_(program.helpers), blinding_(options.constant_blinding) {
        if (blinding_) {
            random_.seed();
        }
    }

    CompiledCode compile() {
        layout_ = analyse_layout(insns_);
        code_.init(Environment(Arch::kX64));  // x86-64 code on any host (listings); only x86-64 runs it
        code_.setErrorHandler(&errors_);
        code_.attach(&a_);
        const size_t n = insns_.size();
        // Sized from the program so the buffer is not grown (copied) as it fills.
        code_.reserveBuffer(&code_.textSection()->buffer(), estimated_size());

        // Labels only where code jumps or calls to: a body label (after the
        // prologue) for every jump target, and a start label for every function.
        labels_.assign(n, 0);
        for (size_t i = 0; i < n; ++i) {
            if (layout_.jump_target(i)) labels_[i] = a_.newLabel().id();
        }
        starts_.resize(layout_.functions.size());
        for (Label& start : starts_) start = a_.newLabel();
        unwind_ = a_.newLabel();
        plan_entry_frame();

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
                    a_.jmp(body(i));
                }
                if (offsets) out.insn_offsets[i] = a_.offset();
                a_.bind(starts_[next_function++]);
                if (i == 0) emit_entry_prologue();
                else emit_prologue();
            } else if (offsets) {
                out.insn_offsets[i] = a_.offset();
            }
            if (flags & ProgramLayout::kJumpTarget) a_.bind(body(i));
            if (flags & ProgramLayout::kSecondSlot) continue;
            if (fused_next_) {  // emitted with the instruction before
                fused_next_ = false;
                continue;
            }
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

        if (errors_.first != kErrorOk) throw Error("JIT: x86-64 code generation failed: " + errors_.text);
        // One section at offset 0: the offsets taken while emitting are final.
        code_.flatten();
        if (code_.hasUnresolvedLinks()) code_.resolveUnresolvedLinks();
        if (code_.relocateToBase(0) != kErrorOk || errors_.first != kErrorOk) {
            throw Error("JIT: x86-64 code generation failed: " +
                        (errors_.text.empty() ? std::string("relocation") : errors_.text));
        }
        const CodeBuffer& buffer = code_.textSection()->buffer();
        if (sink_) sink_->place({buffer.data(), buffer.size()});
        else out.code.assign(buffer.data(), buffer.data() + buffer.size());
        for (const Label& start : starts_) out.function_offsets.push_back(code_.labelOffsetFromBase(start));
        out.entry_is_leaf = entry_leaf_;
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
    // most instructions are one x86-64 instruction of 3-7 bytes, LDDW is 10,
    // a function's prologue and the trampoline about 30, blinding doubles
    // the immediates.
    size_t estimated_size() const {
        const size_t n = insns_.size();
        const size_t per_insn = blinding_ ? 16 : 8;
        return n * per_insn + layout_.lddw_count * 16 + layout_.functions.size() * 32 + 256;
    }

    Label body(size_t i) const { return Label(labels_[i]); }
    Label function_start(size_t i) const {
        const auto it = std::lower_bound(layout_.functions.begin(), layout_.functions.end(), static_cast<uint32_t>(i));
        return starts_[static_cast<size_t>(it - layout_.functions.begin())];
    }
    size_t target(size_t insn, int64_t offset) const { return jump_target(insns_, insn, offset); }

    // --- direct encoding ------------------------------------------------------
    //
    // asmjit's generic encoder (x86::Assembler::_emit: operand checks and
    // instruction-table lookups for every instruction) was the largest part of
    // a compile. The few shapes most eBPF instructions become are encoded here
    // straight into the assembler's buffer, as asmjit's own writer does:
    // register-register and register-immediate ALU operations, immediate moves,
    // loads and stores at [base + disp]. Everything else, and everything that
    // refers to a label, still goes through asmjit. Operands are register IDs
    // (x86::Gp::kIdAx...).

    // One instruction being encoded (at most 15 bytes).
    struct Bytes {
        uint8_t b[16];
        size_t n = 0;
        void u8(uint32_t v) { b[n++] = static_cast<uint8_t>(v); }
        void u16(uint32_t v) { u8(v); u8(v >> 8); }
        void u32(uint32_t v) {
            std::memcpy(b + n, &v, 4);
            n += 4;
        }
        void u64(uint64_t v) {
            std::memcpy(b + n, &v, 8);
            n += 8;
        }
        // REX for a `wide` (64-bit) operation with ModRM.reg `reg` and
        // ModRM.rm `rm`; `force` keeps it when byte register 4-7 must mean
        // spl/bpl/sil/dil rather than ah/ch/dh/bh.
        void rex(bool wide, uint32_t reg, uint32_t rm, bool force = false) {
            const uint32_t r = 0x40 | (wide ? 8 : 0) | ((reg >> 3) << 2) | (rm >> 3);
            if (r != 0x40 || force) u8(r);
        }
        void modrm_reg(uint32_t reg, uint32_t rm) { u8(0xc0 | (reg & 7) << 3 | (rm & 7)); }
        // [base + disp]: rbp/r13 need a displacement even when it is 0,
        // rsp/r12 a SIB byte.
        void modrm_mem(uint32_t reg, uint32_t base, int32_t disp) {
            const uint32_t mod = (disp == 0 && (base & 7) != 5) ? 0x00 : (disp >= -128 && disp <= 127) ? 0x40 : 0x80;
            u8(mod | (reg & 7) << 3 | (base & 7));
            if ((base & 7) == 4) u8(0x24);
            if (mod == 0x40) u8(static_cast<uint32_t>(disp));
            else if (mod == 0x80) u32(static_cast<uint32_t>(disp));
        }
    };

    void put(const Bytes& bytes) {
        if (a_.remainingSpace() < bytes.n) {
            const asmjit::Error err = code_.growBuffer(&a_._section->_buffer, bytes.n);
            if (err != kErrorOk) {
                a_.reportError(err);
                return;
            }
        }
        std::memcpy(a_._bufferPtr, bytes.b, bytes.n);
        a_._bufferPtr += bytes.n;
        CodeBuffer& buffer = a_._section->_buffer;
        buffer._size = std::max(buffer._size, a_.offset());
    }

    // op r/m, r (MR form): add 01, or 09, and 21, sub 29, xor 31, cmp 39, test 85, mov 89.
    static constexpr uint8_t kAddRR = 0x01, kOrRR = 0x09, kAndRR = 0x21, kSubRR = 0x29, kXorRR = 0x31,
                             kCmpRR = 0x39, kTestRR = 0x85, kMovRR = 0x89;
    // op r/m, imm (81 /ext id, 83 /ext ib): add 0, or 1, and 4, sub 5, xor 6, cmp 7.
    static constexpr uint8_t kAddRI = 0, kOrRI = 1, kAndRI = 4, kSubRI = 5, kXorRI = 6, kCmpRI = 7;

    void alu_rr(uint8_t opcode, bool wide, uint32_t dst, uint32_t src) {
        Bytes e;
        e.rex(wide, src, dst);
        e.u8(opcode);
        e.modrm_reg(src, dst);
        put(e);
    }

    // `imm` sign-extended for a wide operation; its 32 bits otherwise.
    void alu_ri(uint8_t ext, bool wide, uint32_t dst, int32_t imm) {
        Bytes e;
        e.rex(wide, 0, dst);
        if (imm >= -128 && imm <= 127) {
            e.u8(0x83);
            e.modrm_reg(ext, dst);
            e.u8(static_cast<uint32_t>(imm));
        } else {
            e.u8(0x81);
            e.modrm_reg(ext, dst);
            e.u32(static_cast<uint32_t>(imm));
        }
        put(e);
    }

    void test_ri(bool wide, uint32_t dst, int32_t imm) {
        Bytes e;
        e.rex(wide, 0, dst);
        e.u8(0xf7);
        e.modrm_reg(0, dst);
        e.u32(static_cast<uint32_t>(imm));
        put(e);
    }

    // imul dst, src / imul dst, dst, imm
    void imul_rr(bool wide, uint32_t dst, uint32_t src) {
        Bytes e;
        e.rex(wide, dst, src);
        e.u8(0x0f);
        e.u8(0xaf);
        e.modrm_reg(dst, src);
        put(e);
    }
    void imul_ri(bool wide, uint32_t dst, int32_t imm) {
        Bytes e;
        e.rex(wide, dst, dst);
        const bool small = imm >= -128 && imm <= 127;
        e.u8(small ? 0x6b : 0x69);
        e.modrm_reg(dst, dst);
        if (small) e.u8(static_cast<uint32_t>(imm));
        else e.u32(static_cast<uint32_t>(imm));
        put(e);
    }

    // shl /4, shr /5, sar /7 by an immediate count; neg is F7 /3.
    void shift_ri(uint8_t ext, bool wide, uint32_t dst, uint32_t count) {
        Bytes e;
        e.rex(wide, 0, dst);
        e.u8(0xc1);
        e.modrm_reg(ext, dst);
        e.u8(count);
        put(e);
    }
    void shift_cl(uint8_t ext, bool wide, uint32_t dst) {
        Bytes e;
        e.rex(wide, 0, dst);
        e.u8(0xd3);
        e.modrm_reg(ext, dst);
        put(e);
    }

    // A jump over a few instructions of the same template: emitted with a
    // zero rel8 and patched by land() (no asmjit label).
    static constexpr uint8_t kJnzShort = 0x75, kJmpShort = 0xeb;
    size_t short_jump(uint8_t opcode) {
        Bytes e;
        e.u8(opcode);
        e.u8(0);
        put(e);
        return a_.offset();  // the end of the jump, where rel8 counts from
    }
    void land(size_t jump_end) {
        const size_t distance = a_.offset() - jump_end;
        if (distance > 127) throw Error("JIT: internal error: a template's short jump is out of range");
        a_.bufferData()[jump_end - 1] = static_cast<uint8_t>(distance);
    }

    void neg_r(bool wide, uint32_t dst) {
        Bytes e;
        e.rex(wide, 0, dst);
        e.u8(0xf7);
        e.modrm_reg(3, dst);
        put(e);
    }

    // mov r32, imm32 (zero-extends).
    void mov_ri32(uint32_t dst, uint32_t imm) {
        Bytes e;
        e.rex(false, 0, dst);
        e.u8(0xb8 + (dst & 7));
        e.u32(imm);
        put(e);
    }
    // mov r64, imm64 in the shortest form: mov r32 (zero-extends), mov r64 with
    // a sign-extended imm32, or movabs.
    void mov_ri64(uint32_t dst, uint64_t imm) {
        if (imm <= 0xffffffffu) return mov_ri32(dst, static_cast<uint32_t>(imm));
        Bytes e;
        e.rex(true, 0, dst);
        if (static_cast<int64_t>(imm) == static_cast<int32_t>(imm)) {
            e.u8(0xc7);
            e.modrm_reg(0, dst);
            e.u32(static_cast<uint32_t>(imm));
        } else {
            e.u8(0xb8 + (dst & 7));
            e.u64(imm);
        }
        put(e);
    }

    // dst = [base + disp], zero-extended to 64 bits (movzx for 1 and 2 bytes).
    void load(int bytes, uint32_t dst, uint32_t base, int32_t disp) {
        Bytes e;
        e.rex(bytes == 8, dst, base);
        if (bytes == 1 || bytes == 2) {
            e.u8(0x0f);
            e.u8(bytes == 1 ? 0xb6 : 0xb7);
        } else {
            e.u8(0x8b);
        }
        e.modrm_mem(dst, base, disp);
        put(e);
    }

    // [base + disp] = the low `bytes` of src.
    void store(int bytes, uint32_t base, int32_t disp, uint32_t src) {
        Bytes e;
        if (bytes == 2) e.u8(0x66);
        e.rex(bytes == 8, src, base, bytes == 1 && src >= 4);
        e.u8(bytes == 1 ? 0x88 : 0x89);
        e.modrm_mem(src, base, disp);
        put(e);
    }

    // [base + disp] = imm (8 bytes: sign-extended).
    void store_imm(int bytes, uint32_t base, int32_t disp, int32_t imm) {
        Bytes e;
        if (bytes == 2) e.u8(0x66);
        e.rex(bytes == 8, 0, base);
        e.u8(bytes == 1 ? 0xc6 : 0xc7);
        e.modrm_mem(0, base, disp);
        if (bytes == 1) e.u8(static_cast<uint32_t>(imm));
        else if (bytes == 2) e.u16(static_cast<uint32_t>(imm));
        else e.u32(static_cast<uint32_t>(imm));
        put(e);
    }

    // An ALU or compare instruction with a register or (maybe blinded) immediate source.
    void alu_source(uint8_t rr_opcode, uint8_t ri_ext, const Instruction& in, bool wide) {
        const uint32_t dst = kRegisterMap[in.dst];
        if (op::is_x(in.opcode)) {
            alu_rr(rr_opcode, wide, dst, kRegisterMap[in.src]);
        } else if (!blinding_) {
            if (rr_opcode == kTestRR) test_ri(wide, dst, in.imm);
            else alu_ri(ri_ext, wide, dst, in.imm);
        } else {
            load_immediate(gp(x86::Gp::kIdR10, wide), in.imm);
            alu_rr(rr_opcode, wide, dst, x86::Gp::kIdR10);
        }
    }

    // --- registers and operands --------------------------------------------

    static x86::Gp q(int r) { return x86::gpq(kRegisterMap[r]); }
    static x86::Gp d(int r) { return x86::gpd(kRegisterMap[r]); }
    static x86::Gp reg(int r, bool wide) { return wide ? q(r) : d(r); }
    static x86::Gp gp(uint32_t id, bool wide) { return wide ? x86::Gp(x86::gpq(id)) : x86::Gp(x86::gpd(id)); }
    static x86::Gp sized(uint32_t id, int bytes) {
        switch (bytes) {
        case 1: return x86::gpb(id);
        case 2: return x86::gpw(id);
        case 4: return x86::gpd(id);
        default: return x86::gpq(id);
        }
    }
    static x86::Mem memory(int base, int16_t offset, int bytes) {
        return x86::ptr(q(base), offset, static_cast<uint32_t>(bytes));
    }
    x86::Mem invocation(int32_t offset) { return x86::qword_ptr(x86::gpq(kInvocationReg), offset); }

    uint32_t blinding_key() { return static_cast<uint32_t>(random_()); }

    // Loads the sign-extended (wide) or 32-bit immediate into `into`; with
    // constant blinding the code holds imm ^ key and key, never imm itself.
    void load_immediate(const x86::Gp& into, int32_t imm) {
        const bool wide = into.size() == 8;
        const uint32_t id = into.id();
        auto mov = [&](int32_t value) {
            if (wide) mov_ri64(id, static_cast<uint64_t>(static_cast<int64_t>(value)));
            else mov_ri32(id, static_cast<uint32_t>(value));
        };
        if (!blinding_) {
            mov(imm);
            return;
        }
        const uint32_t key = blinding_key();
        mov(static_cast<int32_t>(static_cast<uint32_t>(imm) ^ key));
        alu_ri(kXorRI, wide, id, static_cast<int32_t>(key));
    }

    // The source operand of an ALU/JMP K instruction: the immediate itself, or a
    // scratch register holding it when constants are blinded.
    Operand immediate_operand(int32_t imm, bool wide) {
        if (!blinding_) return Imm(wide ? static_cast<int64_t>(imm) : static_cast<int64_t>(static_cast<uint32_t>(imm)));
        x86::Gp scratch = gp(x86::Gp::kIdR10, wide);
        load_immediate(scratch, imm);
        return scratch;
    }

    // --- frames ---------------------------------------------------------------

    void emit_prologue() {
        a_.push(x86::rbx);
        a_.push(x86::r13);
        a_.push(x86::r14);
        a_.push(x86::r15);
        a_.push(x86::rbp);
        a_.sub(x86::rsp, kStackSize);
        a_.lea(x86::rbp, x86::ptr(x86::rsp, kStackSize));
    }

    // The entry function's own frame (plan_entry_frame). Only the
    // trampoline calls it, and the trampoline saved every callee-saved
    // register already, so it pushes nothing; it reserves the 512 bytes
    // only when it uses r10, and 8 bytes more when it calls anything: it is
    // entered with rsp = 8 (mod 16), as every function is, and a helper or
    // an eBPF callee must be called with rsp = 0 (mod 16).
    // A leaf entry (entry_leaf_) is a C function of r1-r5 that run() may call
    // without the trampoline: it saves the callee-saved registers it uses and
    // zeroes the eBPF registers that start at zero (the trampoline's job),
    // and needs no alignment: it calls nothing.
    void emit_entry_prologue() {
        if (!entry_lean_) return emit_prologue();
        if (entry_leaf_) {
            for (int r = 6; r <= kFramePointer; ++r) {
                if (entry_uses_[r]) a_.push(q(r));
            }
            for (int r : {0, 6, 7, 8, 9}) {
                if ((r == 0 || entry_uses_[r]) && !first_instruction_sets(r)) alu_rr(kXorRR, false, kRegisterMap[r], kRegisterMap[r]);
            }
        }
        if (entry_frame_ == 0) return;
        a_.sub(x86::rsp, entry_frame_);
        if (entry_uses_[kFramePointer]) a_.lea(x86::rbp, x86::ptr(x86::rsp, entry_frame_));
    }

    void emit_entry_epilogue() {
        if (entry_frame_ != 0) a_.add(x86::rsp, entry_frame_);
        if (entry_leaf_) {
            for (int r = kFramePointer; r >= 6; --r) {
                if (entry_uses_[r]) a_.pop(q(r));
            }
        }
        a_.ret();
    }

    // Whether instruction 0 sets all 64 bits of register r without reading it.
    bool first_instruction_sets(int r) const {
        const Instruction& in = insns_[0];
        if (in.opcode == op::kLddw) return in.dst == r;
        const uint8_t cls = op::cls(in.opcode);
        if (cls != op::kClassAlu && cls != op::kClassAlu64) return false;
        return op::alu_op(in.opcode) == op::kMov && in.dst == r && (!op::is_x(in.opcode) || in.src != r);
    }

    // Whether the entry function (instructions [0, next function)) can go
    // without the prologue every function has (entry_lean_), and the frame
    // it needs then. It can when only the trampoline enters it (no
    // bpf-to-bpf call targets instruction 0; a callback's call_function()
    // goes through the trampoline too) and its code is its own: no jump
    // leaves it or comes into it from elsewhere and its last instruction
    // does not run on into the next function, so every exit reached from
    // instruction 0 is one of its own (with its own epilogue) and no other
    // function's exit runs on its frame. Anything else keeps the full
    // prologue for it, as for every other function. A lean entry that calls
    // nothing and cannot run off the end of the program never needs the
    // invocation (r12) or the abort path: it is a leaf (entry_leaf_).
    void plan_entry_frame() {
        const size_t n = insns_.size();
        const size_t end = layout_.functions.size() > 1 ? layout_.functions[1] : n;
        bool calls = false;
        entry_lean_ = entry_leaf_ = false;
        entry_uses_.fill(false);
        for (size_t i = 0; i < n; ++i) {
            if (layout_.second_slot(i)) continue;
            const Instruction& in = insns_[i];
            const bool inside = i < end;
            // Registers read or written, or passed on (r1 = r10, a store of
            // r10...): over-approximated by either register field.
            if (inside) entry_uses_[in.dst] = entry_uses_[in.src] = true;
            const uint8_t cls = op::cls(in.opcode);
            if (cls != op::kClassJmp && cls != op::kClassJmp32) continue;
            const uint8_t jop = op::jmp_op(in.opcode);
            if (jop == op::kExit) continue;
            if (jop == op::kCall) {
                if (in.src == op::kCallLocal && target(i, in.imm) == 0) return;
                if (inside) calls = true;
                continue;
            }
            const int64_t offset = (cls == op::kClassJmp32 && jop == op::kJa) ? in.imm : in.offset;
            if ((target(i, offset) < end) != inside) return;
        }
        if (end < n && falls_through(insns_, layout_, end - 1)) return;
        entry_lean_ = true;
        entry_leaf_ = !calls && !falls_through(insns_, layout_, end - 1);
        entry_end_ = end;
        entry_frame_ = (entry_uses_[kFramePointer] ? kStackSize : 0) + (calls ? 8 : 0);
    }

    void emit_epilogue() {
        a_.add(x86::rsp, kStackSize);
        a_.pop(x86::rbp);
        a_.pop(x86::r15);
        a_.pop(x86::r14);
        a_.pop(x86::r13);
        a_.pop(x86::rbx);
        a_.ret();
    }

    // Called from C++ as Trampoline. 6 pushes + 8 bytes keep rsp 16-aligned
    // at the call into the eBPF function.
    void emit_trampoline() {
        a_.push(x86::rbp);
        a_.push(x86::rbx);
        a_.push(x86::r12);
        a_.push(x86::r13);
        a_.push(x86::r14);
        a_.push(x86::r15);
        a_.sub(x86::rsp, 8);
        // r1..r5 arrive where they live (rdi, rsi, rdx, rcx, r8); the
        // invocation is the sixth argument.
        a_.mov(x86::r12, x86::r9);
        a_.mov(invocation(kInvocationUnwindRsp), x86::rsp);
        // r0 and r6-r9 start at zero, as in the interpreter, so even an
        // unverified program that reads them sees the same values.
        a_.xor_(x86::eax, x86::eax);
        a_.xor_(x86::ebx, x86::ebx);
        a_.xor_(x86::r13d, x86::r13d);
        a_.xor_(x86::r14d, x86::r14d);
        a_.xor_(x86::r15d, x86::r15d);
        a_.call(invocation(kInvocationTarget));
        Label exit = a_.newLabel();
        a_.bind(exit);
        a_.add(x86::rsp, 8);
        a_.pop(x86::r15);
        a_.pop(x86::r14);
        a_.pop(x86::r13);
        a_.pop(x86::r12);
        a_.pop(x86::rbx);
        a_.pop(x86::rbp);
        a_.ret();
        // Unwinds every eBPF frame: back to the trampoline's stack, r0 as it is.
        a_.bind(unwind_);
        a_.mov(x86::rsp, invocation(kInvocationUnwindRsp));
        a_.jmp(exit);
    }

    void emit_abort(AbortReason reason, size_t insn, uint64_t detail) {
        a_.mov(x86::r11, Imm(static_cast<uint64_t>(reason)));
        a_.mov(invocation(kInvocationAbortReason), x86::r11);
        a_.mov(x86::r11, Imm(static_cast<uint64_t>(insn)));
        a_.mov(invocation(kInvocationAbortInsn), x86::r11);
        a_.mov(x86::r11, Imm(detail));
        a_.mov(invocation(kInvocationAbortDetail), x86::r11);
        a_.jmp(unwind_);
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

    void emit_alu(size_t i, const Instruction& in, bool wide) {
        const uint8_t aop = op::alu_op(in.opcode);
        const bool x = op::is_x(in.opcode);
        const x86::Gp dst = reg(in.dst, wide);
        auto source = [&]() -> Operand { return x ? Operand(reg(in.src, wide)) : immediate_operand(in.imm, wide); };
        switch (aop) {
        case op::kAdd:
            alu_source(kAddRR, kAddRI, in, wide);
            zero_flag_of_ = i;
            break;
        case op::kSub:
            alu_source(kSubRR, kSubRI, in, wide);
            zero_flag_of_ = i;
            break;
        case op::kOr:
            alu_source(kOrRR, kOrRI, in, wide);
            zero_flag_of_ = i;
            break;
        case op::kAnd:
            alu_source(kAndRR, kAndRI, in, wide);
            zero_flag_of_ = i;
            break;
        case op::kXor:
            alu_source(kXorRR, kXorRI, in, wide);
            zero_flag_of_ = i;
            break;
        case op::kMul:
            if (x || blinding_) imul_rr(wide, dst.id(), source().as<x86::Gp>().id());
            else imul_ri(wide, dst.id(), in.imm);
            break;
        case op::kMov: emit_mov(i, in, wide); break;
        case op::kNeg: neg_r(wide, dst.id()); break;
        case op::kLsh: case op::kRsh: case op::kArsh: emit_shift(in, wide, aop); break;
        case op::kDiv: case op::kMod: emit_divide(i, in, wide, aop == op::kMod); break;
        case op::kEnd: emit_byte_swap(i, in, wide); break;
        default: unsupported(i, in);
        }
    }

    void emit_mov(size_t i, const Instruction& in, bool wide) {
        const x86::Gp dst = reg(in.dst, wide);
        if (!op::is_x(in.opcode)) {
            load_immediate(dst, in.imm);
            return;
        }
        const uint32_t src = kRegisterMap[in.src];
        switch (in.offset) {
        case 0:
            if (wide && fuse_add(i, in)) break;
            alu_rr(kMovRR, wide, dst.id(), src);
            break;
        case 8: a_.movsx(dst, x86::gpb(src)); break;
        case 16: a_.movsx(dst, x86::gpw(src)); break;
        case 32:
            if (!wide) unsupported(i, in);
            a_.movsxd(dst, x86::gpd(src));
            break;
        default: unsupported(i, in);
        }
    }

    // "dst = src; dst += x" as one lea dst, [src + x] (64-bit, flags
    // untouched), when the add is not a jump target. Sets fused_next_.
    bool fuse_add(size_t i, const Instruction& in) {
        if (i + 1 >= insns_.size() || layout_.flags[i + 1] != 0) return false;
        const Instruction& next = insns_[i + 1];
        if (next.dst != in.dst) return false;
        const uint32_t dst = kRegisterMap[in.dst], base = kRegisterMap[in.src];
        Bytes e;
        if (next.opcode == (op::kClassAlu64 | op::kSrcX | op::kAdd)) {
            // The add reads dst as it is after the move, i.e. src.
            const uint32_t index = next.src == in.dst ? base : kRegisterMap[next.src];
            if (index == x86::Gp::kIdSp) return false;  // never an index
            e.u8(0x48 | ((dst >> 3) << 2) | ((index >> 3) << 1) | (base >> 3));
            e.u8(0x8d);
            const bool disp = (base & 7) == 5;  // rbp/r13 as base need a displacement
            e.u8((disp ? 0x40 : 0x00) | (dst & 7) << 3 | 4);
            e.u8((index & 7) << 3 | (base & 7));
            if (disp) e.u8(0);
        } else if (next.opcode == (op::kClassAlu64 | op::kSrcK | op::kAdd) && !blinding_) {
            e.rex(true, dst, base);
            e.u8(0x8d);
            e.modrm_mem(dst, base, next.imm);
        } else {
            return false;
        }
        put(e);
        fused_next_ = true;
        return true;
    }

    // x86 masks shift counts to 5/6 bits exactly as eBPF requires.
    void emit_shift(const Instruction& in, bool wide, uint8_t aop) {
        const uint32_t dst = kRegisterMap[in.dst];
        const uint8_t ext = aop == op::kLsh ? 4 : aop == op::kRsh ? 5 : 7;  // shl, shr, sar
        uint32_t source = kRegisterMap[in.src];
        if (!op::is_x(in.opcode)) {
            const int count = in.imm & (wide ? 63 : 31);
            if (!blinding_) {
                if (count == 0) {
                    if (!wide) alu_rr(kMovRR, false, dst, dst);  // still zero-extends
                    return;
                }
                shift_ri(ext, wide, dst, static_cast<uint32_t>(count));
                return;
            }
            load_immediate(x86::r10, in.imm);
            source = x86::Gp::kIdR10;
        }
        if (source == x86::Gp::kIdCx) {  // r4 is rcx already
            shift_cl(ext, wide, dst);
            if (!wide) alu_rr(kMovRR, false, dst, dst);
            return;
        }
        alu_rr(kMovRR, true, x86::Gp::kIdR11, x86::Gp::kIdCx);
        alu_rr(kMovRR, true, x86::Gp::kIdCx, source);
        // r4 itself is shifted in its saved copy.
        const uint32_t target = in.dst == 4 ? uint32_t(x86::Gp::kIdR11) : dst;
        shift_cl(ext, wide, target);
        if (!wide) alu_rr(kMovRR, false, target, target);
        alu_rr(kMovRR, true, x86::Gp::kIdCx, x86::Gp::kIdR11);
    }

    // RFC 9669: x / 0 = 0; x % 0 = x (ALU: its low 32 bits); signed x / -1 = -x
    // and x % -1 = 0, which x86 idiv would fault on for INT_MIN.
    void emit_divide(size_t i, const Instruction& in, bool wide, bool modulo) {
        const bool is_signed = in.offset == 1;
        if (in.offset != 0 && in.offset != 1) unsupported(i, in);
        const uint32_t dst = kRegisterMap[in.dst];
        const bool x = op::is_x(in.opcode);
        auto zero = [&] { alu_rr(kXorRR, false, dst, dst); };
        auto by_zero = [&] {
            if (!modulo) zero();
            else if (!wide) alu_rr(kMovRR, false, dst, dst);
        };
        auto by_minus_one = [&] {
            if (!modulo) neg_r(wide, dst);
            else zero();
        };
        if (!x && in.imm == 0) return by_zero();
        if (!x && is_signed && in.imm == -1) return by_minus_one();
        constexpr uint32_t kDivisor = x86::Gp::kIdR11, kAx = x86::Gp::kIdAx, kDx = x86::Gp::kIdDx;
        if (x) alu_rr(kMovRR, wide, kDivisor, kRegisterMap[in.src]);
        else load_immediate(gp(kDivisor, wide), in.imm);

        size_t to_done[2];
        size_t dones = 0;
        if (x) {
            alu_rr(kTestRR, wide, kDivisor, kDivisor);
            const size_t nonzero = short_jump(kJnzShort);
            by_zero();
            to_done[dones++] = short_jump(kJmpShort);
            land(nonzero);
            if (is_signed) {
                alu_ri(kCmpRI, wide, kDivisor, -1);
                const size_t general = short_jump(kJnzShort);
                by_minus_one();
                to_done[dones++] = short_jump(kJmpShort);
                land(general);
            }
        }
        alu_rr(kMovRR, true, x86::Gp::kIdR9, kAx);
        alu_rr(kMovRR, true, x86::Gp::kIdR10, kDx);
        alu_rr(kMovRR, wide, kAx, dst);
        Bytes e;
        if (is_signed) {
            e.rex(wide, 0, 0);
            e.u8(0x99);  // cqo / cdq
        } else {
            e.u8(0x31);  // xor edx, edx
            e.modrm_reg(kDx, kDx);
        }
        e.rex(wide, 0, kDivisor);
        e.u8(0xf7);
        e.modrm_reg(is_signed ? 7 : 6, kDivisor);  // idiv / div r11
        put(e);
        alu_rr(kMovRR, wide, kDivisor, modulo ? kDx : kAx);
        alu_rr(kMovRR, true, kAx, x86::Gp::kIdR9);
        alu_rr(kMovRR, true, kDx, x86::Gp::kIdR10);
        alu_rr(kMovRR, wide, dst, kDivisor);
        for (size_t k = 0; k < dones; ++k) land(to_done[k]);
    }

    // ALU END: K = to little-endian (a truncation on this host), X = to
    // big-endian; ALU64 END swaps unconditionally (ISA v4 bswap).
    void emit_byte_swap(size_t i, const Instruction& in, bool wide) {
        const bool swap = wide || op::is_x(in.opcode);
        const uint32_t id = kRegisterMap[in.dst];
        switch (in.imm) {
        case 16:
            if (swap) a_.ror(x86::gpw(id), 8);
            a_.movzx(x86::gpd(id), x86::gpw(id));
            break;
        case 32:
            if (swap) a_.bswap(x86::gpd(id));
            else a_.mov(x86::gpd(id), x86::gpd(id));
            break;
        case 64:
            if (swap) a_.bswap(x86::gpq(id));
            break;
        default: unsupported(i, in);
        }
    }

    void emit_jump(size_t i, const Instruction& in, bool narrow) {
        const uint8_t jop = op::jmp_op(in.opcode);
        switch (jop) {
        case op::kExit:
            if (entry_lean_ && i < entry_end_) emit_entry_epilogue();
            else emit_epilogue();
            return;
        case op::kCall: emit_call(i, in); return;
        case op::kJa: a_.jmp(body(target(i, narrow ? in.imm : in.offset))); return;
        default: break;
        }
        const bool wide = !narrow;
        if (jop != op::kJset && !op::is_x(in.opcode) && in.imm == 0) {
            // Against 0: test r, r sets ZF and SF as cmp r, 0 does and clears
            // CF and OF as it does, so every condition reads the same; and
            // after an add/sub/and/or/xor of the same register the flags
            // already say whether it is zero.
            const bool zf_ready = (jop == op::kJeq || jop == op::kJne) && zero_flag_ready(i, in, wide);
            if (!zf_ready) alu_rr(kTestRR, wide, kRegisterMap[in.dst], kRegisterMap[in.dst]);
        } else if (jop == op::kJset) {
            alu_source(kTestRR, 0, in, wide);
        } else {
            alu_source(kCmpRR, kCmpRI, in, wide);
        }
        const Label to = body(target(i, in.offset));
        switch (jop) {
        case op::kJeq: a_.je(to); break;
        case op::kJne: a_.jne(to); break;
        case op::kJset: a_.jnz(to); break;
        case op::kJgt: a_.ja(to); break;
        case op::kJge: a_.jae(to); break;
        case op::kJlt: a_.jb(to); break;
        case op::kJle: a_.jbe(to); break;
        case op::kJsgt: a_.jg(to); break;
        case op::kJsge: a_.jge(to); break;
        case op::kJslt: a_.jl(to); break;
        case op::kJsle: a_.jle(to); break;
        default: unsupported(i, in);
        }
    }

    // Whether the instruction before jump `i` (falling into it, never jumped
    // to) was an add/sub/and/or/xor of the register the jump tests, whose last
    // x86 instruction set ZF from that register's value (zero_flag_of_; a
    // fused lea sets no flags): the 32-bit forms
    // zero-extend, so their ZF holds for a 64-bit test too; a 64-bit result's
    // ZF does not hold for a 32-bit test.
    bool zero_flag_ready(size_t i, const Instruction& in, bool wide) const {
        if (i == 0 || zero_flag_of_ != i - 1 || layout_.jump_target(i) || layout_.second_slot(i - 1)) return false;
        const Instruction& prev = insns_[i - 1];
        const uint8_t cls = op::cls(prev.opcode);
        if ((cls != op::kClassAlu && cls != op::kClassAlu64) || prev.dst != in.dst) return false;
        if (cls == op::kClassAlu64 && !wide) return false;
        switch (op::alu_op(prev.opcode)) {
        case op::kAdd:
        case op::kSub:
        case op::kAnd:
        case op::kOr:
        case op::kXor: return true;
        default: return false;
        }
    }

    void emit_call(size_t i, const Instruction& in) {
        if (in.src == op::kCallLocal) {
            const Label callee = function_start(target(i, in.imm));
            a_.cmp(invocation(kInvocationDepth), Imm(kMaxCallDepth));
            a_.jae(stub(AbortReason::call_depth, i, kMaxCallDepth));
            a_.inc(invocation(kInvocationDepth));
            a_.call(callee);
            a_.dec(invocation(kInvocationDepth));
            return;
        }
        if (in.src != op::kCallHelper) {
            throw Error("JIT: " + at(i) + "calls to kernel functions (call src " + std::to_string(in.src) +
                        ") are not supported");
        }
        const HelperFunction fn = helpers_ ? helpers_->find(in.imm) : nullptr;
        if (!fn) {
            a_.jmp(stub(AbortReason::missing_helper, i, static_cast<uint32_t>(in.imm)));
            return;
        }
        a_.mov(x86::r11, Imm(reinterpret_cast<uint64_t>(fn)));
        a_.call(x86::r11);
        // A callback run from this helper may have failed (nested_exception).
        a_.cmp(invocation(kInvocationAbortReason), Imm(0));
        a_.jne(unwind_);
        if (in.imm == helper_id::tail_call) {
            // exec.hpp's contract: a successful tail call ends run() at once.
            a_.mov(x86::r11, invocation(kInvocationState));
            a_.cmp(x86::qword_ptr(x86::r11, static_cast<int32_t>(offsetof(RunState, tail_call_target))), Imm(0));
            a_.jne(unwind_);
        }
    }

    void emit_load(size_t i, const Instruction& in) {
        const int bytes = op::size_bytes(in.opcode);
        const x86::Mem source = memory(in.src, in.offset, bytes);
        const uint32_t dst = kRegisterMap[in.dst];
        if (op::mode(in.opcode) == op::kModeMemSx) {
            if (bytes == 8) unsupported(i, in);
            if (bytes == 4) a_.movsxd(x86::gpq(dst), source);
            else a_.movsx(x86::gpq(dst), source);
            return;
        }
        if (op::mode(in.opcode) != op::kModeMem) unsupported(i, in);
        load(bytes, dst, kRegisterMap[in.src], in.offset);
    }

    void emit_store_immediate(size_t i, const Instruction& in) {
        if (op::mode(in.opcode) != op::kModeMem) unsupported(i, in);
        const int bytes = op::size_bytes(in.opcode);
        if (!blinding_) {
            store_imm(bytes, kRegisterMap[in.dst], in.offset, in.imm);
            return;
        }
        load_immediate(x86::r10, in.imm);
        store(bytes, kRegisterMap[in.dst], in.offset, x86::Gp::kIdR10);
    }

    void emit_store_register(size_t i, const Instruction& in) {
        if (op::mode(in.opcode) != op::kModeMem) unsupported(i, in);
        const int bytes = op::size_bytes(in.opcode);
        store(bytes, kRegisterMap[in.dst], in.offset, kRegisterMap[in.src]);
    }

    // Atomic read-modify-write on [dst + offset] with lock-prefixed
    // instructions; the FETCH forms leave the old value in src (r0 for
    // cmpxchg), zero-extended for 32-bit operations.
    void emit_atomic(size_t i, const Instruction& in) {
        const int bytes = op::size_bytes(in.opcode);
        if (bytes != 4 && bytes != 8) unsupported(i, in);
        const bool wide = bytes == 8;
        const x86::Mem target = memory(in.dst, in.offset, bytes);
        const x86::Gp src = reg(in.src, wide);
        const int32_t aop = in.imm;
        const bool fetch = (aop & op::kAtomicFetch) != 0;
        switch (aop) {
        case op::kAdd: a_.lock().add(target, src); return;
        case op::kOr: a_.lock().or_(target, src); return;
        case op::kAnd: a_.lock().and_(target, src); return;
        case op::kXor: a_.lock().xor_(target, src); return;
        case op::kAdd | op::kAtomicFetch: a_.lock().xadd(target, src); return;
        case op::kAtomicXchg: a_.xchg(target, src); return;
        case op::kAtomicCmpXchg:
            a_.lock().cmpxchg(target, src);
            if (!wide) a_.mov(x86::eax, x86::eax);
            return;
        case op::kOr | op::kAtomicFetch:
        case op::kAnd | op::kAtomicFetch:
        case op::kXor | op::kAtomicFetch: break;
        default: unsupported(i, in);
        }
        (void)fetch;
        // fetch-or/and/xor: a compare-exchange loop, which needs rax; r0 is
        // kept in r9 meanwhile and the address in r10 (the base may be r0).
        const x86::Gp old = gp(x86::Gp::kIdAx, wide);
        const x86::Gp value = gp(x86::Gp::kIdR11, wide);
        const x86::Gp operand = in.src == 0 ? gp(x86::Gp::kIdR9, wide) : src;
        a_.lea(x86::r10, x86::ptr(q(in.dst), in.offset));
        a_.mov(x86::r9, x86::rax);
        const x86::Mem slot = x86::ptr(x86::r10, 0, static_cast<uint32_t>(bytes));
        a_.mov(old, slot);
        Label retry = a_.newLabel();
        a_.bind(retry);
        a_.mov(value, old);
        if ((aop & 0xf0) == op::kOr) a_.or_(value, operand);
        else if ((aop & 0xf0) == op::kAnd) a_.and_(value, operand);
        else a_.xor_(value, operand);
        a_.lock().cmpxchg(slot, value);
        a_.jne(retry);
        if (in.src == 0) {
            if (!wide) a_.mov(x86::eax, x86::eax);
        } else {
            a_.mov(src, old);
            a_.mov(x86::rax, x86::r9);
        }
    }

    void emit_lddw(size_t i, const Instruction& in, const Instruction& next) {
        const x86::Gp dst = q(in.dst);
        switch (in.src) {
        case op::kPseudoImm64: {
            const uint64_t value = static_cast<uint32_t>(in.imm) | (static_cast<uint64_t>(static_cast<uint32_t>(next.imm)) << 32);
            if (!blinding_) {
                mov_ri64(dst.id(), value);
                return;
            }
            const uint64_t key = random_();
            mov_ri64(dst.id(), value ^ key);
            mov_ri64(x86::Gp::kIdR10, key);
            alu_rr(kXorRR, true, dst.id(), x86::Gp::kIdR10);
            return;
        }
        case op::kPseudoFunc:
            // The callback's address: call_function() receives it back.
            a_.lea(dst, x86::ptr(function_start(target(i, in.imm))));
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
    BlindingKeys random_;
    CodeHolder code_;
    x86::Assembler a_;
    RecordingErrorHandler errors_;
    ProgramLayout layout_;
    std::vector<uint32_t> labels_;  // per instruction: its body label's ID where it is a jump target
    std::vector<Label> starts_;     // per function (layout_.functions): the label of its prologue
    Label unwind_;
    std::vector<Stub> stubs_;
    // The entry function's frame (plan_entry_frame).
    bool entry_lean_ = false;       // no saved registers: only the trampoline enters it
    bool entry_leaf_ = false;       // lean, calls nothing, cannot fault: a C function run() calls directly
    std::array<bool, kRegisterCount> entry_uses_{};  // registers it names (r10: a 512-byte frame)
    int32_t entry_frame_ = 0;       // bytes below the return address: 0, 8, 512 or 520
    size_t entry_end_ = 0;          // the first instruction after the entry function
    bool fused_next_ = false;         // the next instruction was emitted with this one (fuse_add)
    size_t zero_flag_of_ = SIZE_MAX;  // the instruction whose result ZF holds (add/sub/and/or/xor)
};

}  // namespace

CompiledCode compile_x86_64(const ExecutableProgram& program, const ExecOptions& options, CodeSink* sink) {
    Compiler compiler(program, options, sink);
    return compiler.compile();
}

}  // namespace ebpf::jit
