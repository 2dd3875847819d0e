// Every ALU, jump and memory instruction on edge-case values, in register
// combinations that hit the JIT's special cases (r0 = rax and r3 = rdx for
// div/mod, r4 = rcx for shifts), compared with the interpreter.
#include <array>
#include <cinttypes>
#include <cstdio>

#include "jit_test_support.hpp"

namespace ebpf::jit_test {
namespace {

constexpr std::array<uint64_t, 14> kValues = {
    0,          1,          2,          3,          uint64_t(-1),        uint64_t(INT64_MIN), uint64_t(INT32_MIN),
    0x7fffffff, 0xffffffff, 0x80000000, 63,         uint64_t(-7),        0x123456789abcdef0, 0xfedcba9876543210,
};
constexpr std::array<int32_t, 10> kImmediates = {0, 1, -1, INT32_MIN, INT32_MAX, 3, -7, 31, 63, 0x12345};

struct RegisterPair {
    int dst, src;
};
// Plain registers, the registers the JIT borrows (rax, rdx, rcx), and same-register forms.
constexpr std::array<RegisterPair, 10> kPairs = {{
    {2, 6}, {0, 1}, {1, 0}, {3, 4}, {4, 3}, {0, 3}, {3, 0}, {4, 4}, {0, 0}, {9, 5},
}};

// A register that is neither dst nor src, to hold the output pointer.
int spare(RegisterPair pair, int avoid = -1) {
    for (int r : {7, 8, 6, 5, 2}) {
        if (r != pair.dst && r != pair.src && r != avoid) return r;
    }
    return 1;
}

std::string describe(const char* what, RegisterPair pair, uint64_t a, uint64_t b) {
    char text[200];
    std::snprintf(text, sizeof text, "%s dst=r%d src=r%d a=0x%" PRIx64 " b=0x%" PRIx64, what, pair.dst, pair.src,
                  a, b);
    return text;
}

struct AluCase {
    uint8_t aop;
    int16_t offset;
};
constexpr std::array<AluCase, 17> kBinaryOps = {{
    {op::kAdd, 0}, {op::kSub, 0}, {op::kMul, 0}, {op::kDiv, 0}, {op::kDiv, 1}, {op::kOr, 0},
    {op::kAnd, 0}, {op::kLsh, 0}, {op::kRsh, 0}, {op::kMod, 0}, {op::kMod, 1}, {op::kXor, 0},
    {op::kMov, 0}, {op::kArsh, 0}, {op::kMov, 8}, {op::kMov, 16}, {op::kMov, 32},
}};

// One program per (registers, a, b): every binary op in both widths, register
// form, each result stored to memory through a spare register.
Program binary_register_program(RegisterPair pair, uint64_t a, uint64_t b) {
    const int out = spare(pair);
    Program p{mov_reg(out, 1)};
    int slot = 0;
    for (bool wide : {true, false}) {
        for (const AluCase& c : kBinaryOps) {
            if (!wide && c.offset == 32) continue;  // no 32-bit movsx from 32 bits
            lddw(p, pair.dst, a);
            lddw(p, pair.src, b);
            p.push_back(alu_reg(c.aop, wide, pair.dst, pair.src, c.offset));
            p.push_back(stx(op::kSizeDW, out, pair.dst, static_cast<int16_t>(8 * slot++)));
            // the source must survive too (borrowed rcx/rdx/rax are restored)
            p.push_back(stx(op::kSizeDW, out, pair.src, static_cast<int16_t>(8 * slot++)));
        }
    }
    p.push_back(mov_imm(0, 0));
    p.push_back(exit_insn());
    return p;
}

TEST(JitSemantics, BinaryAluRegisterFormsMatchInterpreter) {
    for (RegisterPair pair : kPairs) {
        for (uint64_t a : kValues) {
            for (uint64_t b : kValues) {
                const Program p = binary_register_program(pair, a, b);
                expect_same(p, std::vector<uint8_t>(8 * 80), describe("alu X", pair, a, b));
                if (HasFailure()) return;
            }
        }
    }
}

TEST(JitSemantics, BinaryAluImmediateFormsMatchInterpreter) {
    for (int dst : {0, 3, 4, 6}) {
        for (uint64_t a : kValues) {
            const RegisterPair pair{dst, dst};
            const int out = spare(pair);
            Program p{mov_reg(out, 1)};
            int slot = 0;
            for (int32_t imm : kImmediates) {
                for (bool wide : {true, false}) {
                    for (const AluCase& c : kBinaryOps) {
                        if (c.aop == op::kMov && c.offset != 0) continue;  // movsx has no K form
                        lddw(p, dst, a);
                        p.push_back(alu_imm(c.aop, wide, dst, imm, c.offset));
                        p.push_back(stx(op::kSizeDW, out, dst, static_cast<int16_t>(8 * slot++)));
                    }
                }
            }
            p.push_back(exit_insn());
            expect_same(p, std::vector<uint8_t>(8 * slot), describe("alu K", pair, a, 0));
            if (HasFailure()) return;
        }
    }
}

TEST(JitSemantics, UnaryNegAndByteOrderMatchInterpreter) {
    for (int dst : {0, 3, 4, 9}) {
        for (uint64_t a : kValues) {
            const RegisterPair pair{dst, dst};
            const int out = spare(pair);
            Program p{mov_reg(out, 1)};
            int slot = 0;
            for (bool wide : {true, false}) {
                lddw(p, dst, a);
                p.push_back(alu_imm(op::kNeg, wide, dst, 0));
                p.push_back(stx(op::kSizeDW, out, dst, static_cast<int16_t>(8 * slot++)));
            }
            for (int32_t width : {16, 32, 64}) {
                for (uint8_t opcode : {uint8_t(op::kClassAlu | op::kSrcK | op::kEnd),
                                       uint8_t(op::kClassAlu | op::kSrcX | op::kEnd),
                                       uint8_t(op::kClassAlu64 | op::kEnd)}) {
                    lddw(p, dst, a);
                    p.push_back(insn(opcode, dst, 0, 0, width));
                    p.push_back(stx(op::kSizeDW, out, dst, static_cast<int16_t>(8 * slot++)));
                }
            }
            p.push_back(exit_insn());
            expect_same(p, std::vector<uint8_t>(8 * slot), describe("neg/end", pair, a, 0));
        }
    }
}

constexpr std::array<uint8_t, 11> kConditions = {op::kJeq, op::kJgt, op::kJge, op::kJset, op::kJne, op::kJsgt,
                                                 op::kJsge, op::kJlt, op::kJle, op::kJslt, op::kJsle};

TEST(JitSemantics, ConditionalJumpsMatchInterpreter) {
    const std::array<RegisterPair, 4> pairs = {{{1, 2}, {0, 3}, {4, 4}, {6, 9}}};
    for (RegisterPair pair : pairs) {
        const int out = spare(pair);
        const int flag = spare(pair, out);
        for (uint64_t a : kValues) {
            for (uint64_t b : kValues) {
                Program p{mov_reg(out, 1)};
                int slot = 0;
                for (bool wide : {true, false}) {
                    for (uint8_t jop : kConditions) {
                        for (bool x : {true, false}) {
                            lddw(p, pair.dst, a);
                            lddw(p, pair.src, b);
                            p.push_back(mov_imm(flag, 0));
                            p.push_back(x ? jmp_reg(jop, wide, pair.dst, pair.src, 1)
                                          : jmp_imm(jop, wide, pair.dst, static_cast<int32_t>(b), 1));
                            p.push_back(mov_imm(flag, 1));
                            p.push_back(stx(op::kSizeDW, out, flag, static_cast<int16_t>(8 * slot++)));
                        }
                    }
                }
                p.push_back(exit_insn());
                expect_same(p, std::vector<uint8_t>(8 * slot), describe("jcc", pair, a, b));
                if (HasFailure()) return;
            }
        }
    }
}

TEST(JitSemantics, LoadsStoresAndSignExtensionMatchInterpreter) {
    for (uint64_t a : kValues) {
        Program p;
        // r1 = memory: store a at 0, read it back in every size and mode at 8 + ...
        lddw(p, 3, a);
        p.push_back(stx(op::kSizeDW, 1, 3, 0));
        int16_t at = 8;
        for (uint8_t size : {op::kSizeB, op::kSizeH, op::kSizeW, op::kSizeDW}) {
            for (bool sx : {false, true}) {
                if (sx && size == op::kSizeDW) continue;
                for (int dst : {0, 4, 7}) {
                    p.push_back(ldx(size, dst, 1, 0, sx));
                    p.push_back(stx(op::kSizeDW, 1, dst, at));
                    at += 8;
                }
            }
            p.push_back(stx(size, 1, 3, at));  // sized store of a register
            at += 8;
            p.push_back(st(size, 1, at, static_cast<int32_t>(a)));  // sized store of an immediate
            at += 8;
        }
        // the stack: through r10 and a copy of it
        p.push_back(stx(op::kSizeDW, 10, 3, -8));
        p.push_back(mov_reg(2, 10));
        p.push_back(ldx(op::kSizeW, 0, 2, -8, true));
        p.push_back(st(op::kSizeDW, 10, -512, -2));
        p.push_back(ldx(op::kSizeDW, 5, 10, -512));
        p.push_back(alu_reg(op::kAdd, true, 0, 5));
        p.push_back(exit_insn());
        expect_same(p, std::vector<uint8_t>(static_cast<size_t>(at)), describe("ld/st", {0, 0}, a, 0));
    }
}

// Every register as the base of a load or store and as the stored or loaded
// register, with displacements 0, 8-bit and 32-bit (the x86-64 JIT encodes
// these itself: rbp/r13 bases need a displacement byte even for 0, byte stores
// of rsi/rdi/rbp need a REX prefix), plain and blinded.
TEST(JitSemantics, MemoryOperandsThroughEveryRegisterMatchInterpreter) {
    const uint8_t sizes[] = {op::kSizeB, op::kSizeH, op::kSizeW, op::kSizeDW};
    for (int base = 0; base <= 9; ++base) {
        Program p;
        p.push_back(mov_reg(base == 1 ? 0 : base, 1));
        if (base == 1) p.push_back(mov_reg(1, 0));
        for (int r = 0; r <= 9; ++r) {
            if (r != base) lddw(p, r, 0x8192a3b4c5d6e7f8ull + 0x0101010101010101ull * static_cast<uint64_t>(r));
        }
        int16_t at = 0;
        for (uint8_t size : sizes) {
            for (int src = 0; src <= 9; ++src) {
                if (src == base) continue;  // a pointer: differs between the engines' copies of memory
                p.push_back(stx(size, base, src, at));
                at += 8;
            }
            p.push_back(st(size, base, at, -0x12345678));
            at += 8;
            p.push_back(st(size, base, at, 0x7f));
            at += 8;
        }
        const int16_t stored = at;
        for (uint8_t size : sizes) {
            for (int dst = 0; dst <= 9; ++dst) {
                if (dst == base) continue;
                p.push_back(ldx(size, dst, base, static_cast<int16_t>((dst * 8 + size) % stored)));
                p.push_back(stx(op::kSizeDW, base, dst, at));
                at += 8;
            }
        }
        p.push_back(mov_imm(0, 0));
        p.push_back(exit_insn());
        const std::vector<uint8_t> memory(static_cast<size_t>(at));
        expect_same(p, memory, "memory operands through base r" + std::to_string(base));
        ExecOptions blinded;
        blinded.constant_blinding = true;
        expect_same(p, memory, "memory operands through base r" + std::to_string(base) + ", blinded", nullptr,
                    blinded);
    }
}

// A compare with 0 right after an ALU operation on the same register: the
// x86-64 JIT may read the flags that operation left (jeq/jne), but not after
// a 64-bit result for a 32-bit test, nor where the compare is a jump target.
TEST(JitSemantics, ZeroTestsAfterAluMatchInterpreter) {
    const uint64_t values[] = {0, 1, uint64_t(-1), 0x100000000ull, 0xffffffff, 0x80000000, 7, uint64_t(INT64_MIN)};
    const uint8_t alus[] = {op::kAdd, op::kSub, op::kAnd, op::kOr, op::kXor, op::kMul, op::kLsh};
    const uint8_t jumps[] = {op::kJeq, op::kJne, op::kJsgt, op::kJgt, op::kJsle, op::kJset};
    for (uint64_t a : values) {
        for (uint64_t b : values) {
            Program p;
            lddw(p, 6, 0);  // results, one per case
            lddw(p, 3, a);
            int slot = 0;
            for (uint8_t aop : alus) {
                for (bool alu_wide : {true, false}) {
                    for (bool jump_wide : {true, false}) {
                        for (uint8_t jop : jumps) {
                            lddw(p, 3, a);
                            lddw(p, 4, b);
                            p.push_back(alu_reg(aop, alu_wide, 3, 4));
                            p.push_back(jmp_imm(jop, jump_wide, 3, 0, 1));
                            p.push_back(alu_imm(op::kAdd, true, 6, int32_t{1} << (slot % 31)));  // a 32-bit immediate: shifts below 31
                            ++slot;
                        }
                    }
                }
            }
            // The compare as a jump target: reached from a compare of r4 too.
            lddw(p, 3, a);
            lddw(p, 4, b);
            p.push_back(jmp_imm(op::kJeq, true, 4, 7, 1));
            p.push_back(alu_reg(op::kSub, true, 3, 4));
            p.push_back(jmp_imm(op::kJne, true, 3, 0, 1));
            p.push_back(alu_imm(op::kXor, true, 6, 0x55));
            p.push_back(mov_reg(0, 6));
            p.push_back(exit_insn());
            expect_same(p, {}, describe("zero test after alu", {3, 4}, a, b));
            if (HasFailure()) return;
        }
    }
}

// "dst = src; dst += x" (the x86-64 JIT makes it one lea) from every source
// register, including the frame pointer and dst itself, with register and
// immediate addends, followed by a test of dst against 0 (lea sets no flags).
TEST(JitSemantics, MoveThenAddMatchInterpreter) {
    const int32_t immediates[] = {0, 1, -1, 127, 128, -129, INT32_MAX, INT32_MIN};
    for (uint64_t a : {uint64_t(0), uint64_t(5), uint64_t(-5), uint64_t(INT64_MAX)}) {
        Program p;
        p.push_back(mov_reg(6, 1));  // the output
        for (int r = 0; r <= 9; ++r) {
            if (r != 6) lddw(p, r, a + static_cast<uint64_t>(r) * 0x10001);
        }
        int16_t at = 0;
        for (int dst : {0, 3, 4, 7, 8, 9}) {
            for (int src : {0, 1, 2, 3, 4, 5, 7, 8, 9, 10}) {
                for (int addend : {0, 2, 4, 7, 9, dst, src}) {
                    p.push_back(mov_reg(dst, src));
                    p.push_back(alu_reg(op::kAdd, true, dst, addend));
                    p.push_back(jmp_imm(op::kJne, true, dst, 0, 1));
                    p.push_back(alu_imm(op::kXor, true, dst, 0x5a5a));
                    if (src != 10 && addend != 10) p.push_back(stx(op::kSizeDW, 6, dst, at));  // not an address
                    at += 8;
                    lddw(p, dst, a ^ static_cast<uint64_t>(at));
                }
                for (int32_t imm : immediates) {
                    p.push_back(mov_reg(dst, src));
                    p.push_back(alu_imm(op::kAdd, true, dst, imm));
                    p.push_back(jmp_imm(op::kJeq, true, dst, 0, 1));
                    p.push_back(alu_imm(op::kOr, true, dst, 0x100));
                    if (src != 10) p.push_back(stx(op::kSizeDW, 6, dst, at));
                    at += 8;
                    lddw(p, dst, a ^ static_cast<uint64_t>(at));
                }
            }
        }
        p.push_back(mov_imm(0, 0));
        p.push_back(exit_insn());
        const std::vector<uint8_t> memory(static_cast<size_t>(at));
        expect_same(p, memory, "move then add, a=" + std::to_string(a));
        ExecOptions blinded;
        blinded.constant_blinding = true;
        expect_same(p, memory, "move then add, blinded, a=" + std::to_string(a), nullptr, blinded);
    }
}

TEST(JitSemantics, AtomicsMatchInterpreter) {
    const std::array<int32_t, 10> operations = {
        op::kAdd, op::kOr, op::kAnd, op::kXor, op::kAdd | op::kAtomicFetch, op::kOr | op::kAtomicFetch,
        op::kAnd | op::kAtomicFetch, op::kXor | op::kAtomicFetch, op::kAtomicXchg, op::kAtomicCmpXchg};
    // base register, source register: r0 in both roles matters (cmpxchg and the fetch loop use rax)
    const std::array<RegisterPair, 5> pairs = {{{1, 2}, {0, 2}, {1, 0}, {6, 4}, {3, 4}}};
    for (RegisterPair pair : pairs) {
        for (uint64_t a : {uint64_t(0), uint64_t(-1), uint64_t(0x123456789abcdef0), uint64_t(0x80000000)}) {
            for (uint64_t b : {uint64_t(0x0f0f0f0f0f0f0f0f), uint64_t(-1), uint64_t(0x123456789abcdef0)}) {
                for (uint8_t size : {op::kSizeW, op::kSizeDW}) {
                    for (int32_t aop : operations) {
                        Program p;
                        // memory[0] = a; base = r1 (copied); r0 = a or b for cmpxchg success/failure
                        lddw(p, 5, a);
                        p.push_back(stx(op::kSizeDW, 1, 5, 0));
                        p.push_back(mov_reg(7, 1));
                        if (pair.dst != 1) p.push_back(mov_reg(pair.dst, 1));
                        lddw(p, pair.src, b);
                        if (pair.dst != 0 && pair.src != 0) lddw(p, 0, (b & 1) ? a : b);
                        p.push_back(atomic(size, pair.dst, pair.src, 0, aop));
                        p.push_back(stx(op::kSizeDW, 7, pair.src, 8));
                        // r0 as the base holds an address that differs between the runs
                        if (pair.dst == 0 && aop != op::kAtomicCmpXchg) p.push_back(alu_reg(op::kSub, true, 0, 7));
                        p.push_back(stx(op::kSizeDW, 7, 0, 16));
                        p.push_back(exit_insn());
                        expect_same(p, std::vector<uint8_t>(24),
                                    describe("atomic", pair, a, b) + " op=" + std::to_string(aop) +
                                        " size=" + std::to_string(size));
                        if (HasFailure()) return;
                    }
                }
            }
        }
    }
}

TEST(JitSemantics, Lddw64BitImmediateAndJump32Forms) {
    for (uint64_t a : kValues) {
        Program p;
        lddw(p, 0, a);
        p.push_back(insn(op::kClassJmp32 | op::kJa, 0, 0, 0, 1));  // gotol +1
        p.push_back(mov_imm(0, 5));
        p.push_back(jmp_imm(op::kJeq, false, 0, static_cast<int32_t>(a), 1));  // JMP32 compares low halves
        p.push_back(alu_imm(op::kAdd, true, 0, 1));
        p.push_back(exit_insn());
        expect_same(p, {}, describe("lddw", {0, 0}, a, 0));
    }
}

}  // namespace
}  // namespace ebpf::jit_test
