// Randomized differential test: seeded random valid programs (straight-line
// and with forward branches) run in the interpreter and the JIT, with and
// without constant blinding; every register and the stack slots they touched
// are written to memory at the end and compared.
#include <random>

#include "jit_test_support.hpp"

namespace ebpf::jit_test {
namespace {

constexpr uint64_t kInteresting[] = {0, 1, uint64_t(-1), uint64_t(INT64_MIN), uint64_t(INT32_MIN), 0xffffffff,
                                     0x80000000, 31, 32, 63, 64, uint64_t(-2)};

class Generator {
public:
    explicit Generator(uint64_t seed) : random_(seed) {}

    uint64_t value() {
        if (pick(3) == 0) return kInteresting[pick(std::size(kInteresting))];
        return random_();
    }
    int32_t imm() {
        switch (pick(4)) {
        case 0: return static_cast<int32_t>(kInteresting[pick(std::size(kInteresting))]);
        case 1: return static_cast<int32_t>(pick(70)) - 3;
        default: return static_cast<int32_t>(random_());
        }
    }
    size_t pick(size_t n) { return static_cast<size_t>(random_() % n); }
    int reg() { return static_cast<int>(pick(10)); }  // r0..r9

    // Layout: save r1 at [r10-512]; r0..r9 = random; stack slots -8..-64 =
    // random; `count` random instructions; dump r0..r9 and the slots to memory.
    Program program(size_t count, bool branches) {
        Program p{stx(op::kSizeDW, 10, 1, -512)};
        for (int r = 0; r < 10; ++r) lddw(p, r, value());
        for (int16_t s = 1; s <= kSlots; ++s) p.push_back(stx(op::kSizeDW, 10, static_cast<int>(pick(10)), -8 * s));
        const size_t body = p.size();
        std::vector<size_t> jumps;  // indexes of forward jumps to patch
        for (size_t k = 0; k < count; ++k) {
            const size_t kind = pick(branches ? 10 : 8);
            if (kind < 5) {
                emit_alu(p);
            } else if (kind < 6) {
                emit_memory(p);
            } else if (kind < 7) {
                emit_atomic(p);
            } else if (kind < 8) {
                const uint8_t end_ops[] = {op::kClassAlu | op::kSrcK | op::kEnd, op::kClassAlu | op::kSrcX | op::kEnd,
                                           op::kClassAlu64 | op::kEnd};
                const int32_t widths[] = {16, 32, 64};
                p.push_back(insn(end_ops[pick(3)], reg(), 0, 0, widths[pick(3)]));
            } else {
                jumps.push_back(p.size());
                const uint8_t conditions[] = {op::kJeq, op::kJgt, op::kJge, op::kJset, op::kJne, op::kJsgt,
                                              op::kJsge, op::kJlt, op::kJle, op::kJslt, op::kJsle, op::kJa};
                const uint8_t jop = conditions[pick(std::size(conditions))];
                const bool wide = pick(2) == 0;
                if (jop == op::kJa) p.push_back(ja(0));
                else if (pick(2)) p.push_back(jmp_reg(jop, wide, reg(), reg(), 0));
                else p.push_back(jmp_imm(jop, wide, reg(), imm(), 0));
            }
        }
        const size_t end = p.size();
        for (size_t j : jumps) {  // forward only, so every program terminates
            const size_t target = j + 1 + pick(end - j);
            size_t t = target;
            while (t < end && t > body && p[t - 1].opcode == op::kLddw) ++t;  // never into an LDDW's second slot
            p[j].offset = static_cast<int16_t>(t - j - 1);
        }
        // dump: r0 to a slot, r0 = saved r1, then registers and slots to memory
        p.push_back(stx(op::kSizeDW, 10, 0, -504));
        p.push_back(ldx(op::kSizeDW, 0, 10, -512));
        for (int r = 1; r < 10; ++r) p.push_back(stx(op::kSizeDW, 0, r, static_cast<int16_t>(8 * r)));
        p.push_back(ldx(op::kSizeDW, 1, 10, -504));
        p.push_back(stx(op::kSizeDW, 0, 1, 0));
        for (int16_t s = 1; s <= kSlots; ++s) {
            p.push_back(ldx(op::kSizeDW, 1, 10, -8 * s));
            p.push_back(stx(op::kSizeDW, 0, 1, static_cast<int16_t>(72 + 8 * s)));
        }
        p.push_back(ldx(op::kSizeDW, 0, 0, 0));
        p.push_back(exit_insn());
        return p;
    }

    static constexpr int16_t kSlots = 8;
    static constexpr size_t kMemorySize = 80 + 8 * kSlots;

private:
    void emit_alu(Program& p) {
        const uint8_t ops[] = {op::kAdd, op::kSub, op::kMul, op::kDiv, op::kOr,  op::kAnd, op::kLsh,
                               op::kRsh, op::kNeg, op::kMod, op::kXor, op::kMov, op::kArsh};
        const uint8_t aop = ops[pick(std::size(ops))];
        const bool wide = pick(2) == 0;
        int16_t offset = 0;
        if ((aop == op::kDiv || aop == op::kMod) && pick(2)) offset = 1;
        if (aop == op::kNeg) {
            p.push_back(alu_imm(aop, wide, reg(), 0));
        } else if (pick(2)) {
            if (aop == op::kMov && pick(3) == 0) {
                const int16_t widths[] = {8, 16, 32};
                offset = widths[pick(wide ? 3 : 2)];
            }
            p.push_back(alu_reg(aop, wide, reg(), reg(), offset));
        } else {
            p.push_back(alu_imm(aop, wide, reg(), imm(), offset));
        }
        if (pick(8) == 0) {  // a fresh 64-bit constant now and then
            lddw(p, reg(), value());
        }
    }

    // Loads and stores on the initialised stack slots only.
    void emit_memory(Program& p) {
        const uint8_t sizes[] = {op::kSizeB, op::kSizeH, op::kSizeW, op::kSizeDW};
        const uint8_t size = sizes[pick(4)];
        const int bytes = op::size_bytes(size);
        const int16_t offset = static_cast<int16_t>(-8 * (1 + static_cast<int>(pick(kSlots))) +
                                                    static_cast<int>(pick(static_cast<size_t>(9 - bytes))));
        switch (pick(3)) {
        case 0: p.push_back(ldx(size, reg(), 10, offset, size != op::kSizeDW && pick(2))); break;
        case 1: p.push_back(stx(size, 10, reg(), offset)); break;
        default: p.push_back(st(size, 10, offset, imm())); break;
        }
    }

    void emit_atomic(Program& p) {
        const int32_t operations[] = {op::kAdd, op::kOr, op::kAnd, op::kXor, op::kAdd | op::kAtomicFetch,
                                      op::kOr | op::kAtomicFetch, op::kAnd | op::kAtomicFetch,
                                      op::kXor | op::kAtomicFetch, op::kAtomicXchg, op::kAtomicCmpXchg};
        const bool wide = pick(2) == 0;
        const int16_t offset = static_cast<int16_t>(-8 * (1 + static_cast<int>(pick(kSlots))) + (wide ? 0 : 4 * static_cast<int>(pick(2))));
        p.push_back(atomic(wide ? op::kSizeDW : op::kSizeW, 10, reg(), offset, operations[pick(std::size(operations))]));
    }

    std::mt19937_64 random_;
};

void run_seeds(uint64_t first_seed, int programs, size_t length, bool branches) {
    for (int k = 0; k < programs; ++k) {
        const uint64_t seed = first_seed + static_cast<uint64_t>(k);
        Generator generator(seed);
        const Program p = generator.program(length, branches);
        const std::vector<uint8_t> memory(Generator::kMemorySize);
        expect_same(p, memory, "seed " + std::to_string(seed));
        ExecOptions blinded;
        blinded.constant_blinding = true;
        expect_same(p, memory, "seed " + std::to_string(seed) + " (constant blinding)", nullptr, blinded);
        if (::testing::Test::HasFailure()) return;
    }
}

TEST(JitRandom, StraightLineProgramsMatchInterpreter) { run_seeds(1000, 400, 60, false); }

TEST(JitRandom, BranchyProgramsMatchInterpreter) { run_seeds(50000, 400, 80, true); }

}  // namespace
}  // namespace ebpf::jit_test
