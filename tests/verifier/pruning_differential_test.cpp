// Differential test aimed at state pruning: random programs full of joins
// (forward branches), copies that link scalars (64-bit moves, moves by a
// constant), 32-bit ALU ops and moves, sign-extending moves, spills and
// refills of 1, 4 and 8 bytes, variable-offset reads of spills, immediates
// over spills, and calls of subprograms that pass a value through, use it as
// a stack offset, or bound the caller's copy of it. Their inputs are loaded from the
// memory, so one program takes different paths for different inputs. Every
// accepted program must run without a bounds violation in the bounds-checked
// interpreter for every input tried: a state wrongly pruned at a join
// (precision, liveness or a link lost) shows up as an out-of-bounds access.
// It found the linked-copy precision hole of precision.cpp (seed 181746 of
// the generator before its last two idioms were added). Longer runs:
// PRUNE_SEEDS=1000000 PRUNE_INPUT_SEED=7; PRUNE_DEBUG=1 prints why programs
// were rejected (the generator should keep a fair share accepted).
#include <gtest/gtest.h>

#include <cstdlib>
#include <random>

#include "ebpf/error.hpp"
#include "ebpf/exec.hpp"
#include "ebpf/verifier.hpp"

namespace ebpf::testing {
namespace {

constexpr uint64_t kMemSize = 64;

Instruction make(uint8_t opcode, int dst, int src, int16_t off, int32_t imm) {
    return make_instruction(opcode, dst, src, off, imm);
}

class PruningGenerator {
public:
    explicit PruningGenerator(uint64_t seed) : rng_(seed) {}

    // r9 keeps the memory pointer across calls; r0, r3-r8 are scalars.
    std::vector<Instruction> program() {
        std::vector<Instruction> p;
        p.push_back(make(op::kClassAlu64 | op::kMov | op::kSrcX, 9, 1, 0, 0));
        for (int off = -8; off >= -32; off -= 8) p.push_back(make(op::kClassSt | op::kModeMem | op::kSizeDW, 10, 0, static_cast<int16_t>(off), 0));
        for (int r : {0, 3, 4, 5, 6, 7, 8})
            p.push_back(make(op::kClassLdx | op::kModeMem | size(), r, 9, static_cast<int16_t>(8 * pick(0, 7)), 0));
        const int body = pick(6, 30);
        for (int i = 0; i < body; ++i) emit(p);
        const size_t body_end = p.size();  // forward jumps land up to the `r0 = 0` here
        p.push_back(make(op::kClassAlu64 | op::kMov, 0, 0, 0, 0));
        p.push_back(make(op::kClassJmp | op::kExit, 0, 0, 0, 0));
        // Subprograms: pass the argument through; use it as an offset into
        // the callee's own stack.
        pass_ = static_cast<int>(p.size());
        p.push_back(make(op::kClassAlu64 | op::kMov | op::kSrcX, 0, 1, 0, 0));
        p.push_back(make(op::kClassJmp | op::kExit, 0, 0, 0, 0));
        use_ = static_cast<int>(p.size());
        p.push_back(make(op::kClassAlu64 | op::kAdd | op::kSrcX, 1, 10, 0, 0));
        p.push_back(make(op::kClassSt | op::kModeMem | op::kSizeB, 1, 0, -16, 0));
        p.push_back(make(op::kClassAlu64 | op::kMov, 0, 0, 0, 0));
        p.push_back(make(op::kClassJmp | op::kExit, 0, 0, 0, 0));
        // Returns whether the argument is above 15 (the caller's copy learns it).
        bound_ = static_cast<int>(p.size());
        p.push_back(make(op::kClassJmp | op::kJgt, 1, 0, 2, 15));
        p.push_back(make(op::kClassAlu64 | op::kMov, 0, 0, 0, 0));
        p.push_back(make(op::kClassJmp | op::kExit, 0, 0, 0, 0));
        p.push_back(make(op::kClassAlu64 | op::kMov, 0, 0, 0, 1));
        p.push_back(make(op::kClassJmp | op::kExit, 0, 0, 0, 0));
        for (auto [at, bounding] : bounds_) p[at].imm = bound_ - static_cast<int>(at) - 1;
        for (auto [at, pass] : calls_) p[at].imm = (pass ? pass_ : use_) - static_cast<int>(at) - 1;
        for (size_t at : jumps_) p[at].offset = static_cast<int16_t>(pick(0, static_cast<int>(body_end - at - 1)));
        return p;
    }

private:
    int pick(int lo, int hi) { return std::uniform_int_distribution<int>(lo, hi)(rng_); }
    int reg() { return std::array{0, 3, 4, 5, 6, 7, 8}[static_cast<size_t>(pick(0, 6))]; }
    uint8_t size() { return std::array{op::kSizeB, op::kSizeH, op::kSizeW, op::kSizeDW}[static_cast<size_t>(pick(0, 3))]; }
    int32_t small() { return std::array{0, 1, 7, 8, 15, 16, -1, -8, 0x7fffffff, -0x7fffffff - 1}[static_cast<size_t>(pick(0, 9))]; }

    // Often (not always) a bound right before an access: a mask, or a jump
    // over the access that may land on it from elsewhere.
    void bound(std::vector<Instruction>& p, int a, int32_t max) {
        switch (pick(0, 3)) {
        case 0: p.push_back(make(op::kClassAlu64 | op::kAnd, a, 0, 0, max)); break;
        case 1: p.push_back(make(op::kClassJmp | op::kJgt, a, 0, 3, max)); break;
        case 2: p.push_back(make(op::kClassJmp32 | op::kJgt, a, 0, 3, max)); break;
        default: break;  // bounded (or not) by earlier instructions on some paths
        }
    }

    void emit(std::vector<Instruction>& p) {
        const int a = reg(), b = reg();
        switch (pick(0, 14)) {
        case 12: {  // a subprogram bounds a copy of a: the caller uses a when it says so
            p.push_back(make(op::kClassAlu64 | op::kMov | op::kSrcX, 1, a, 0, 0));
            bounds_.push_back({p.size(), true});
            p.push_back(make(op::kClassJmp | op::kCall, 0, op::kCallLocal, 0, 0));
            for (int r : {3, 4, 5})
                if (r != a) p.push_back(make(op::kClassLdx | op::kModeMem | op::kSizeB, r, 9, static_cast<int16_t>(pick(0, 63)), 0));
            p.push_back(make(op::kClassJmp | op::kJne, 0, 0, 3, 0));
            p.push_back(make(op::kClassAlu64 | op::kAdd | op::kSrcX, a, 10, 0, 0));
            p.push_back(make(op::kClassSt | op::kModeMem | op::kSizeB, a, 0, -16, 0));
            p.push_back(make(op::kClassAlu64 | op::kMov, a, 0, 0, 0));
            break;
        }
        case 13:  // variable-offset read of the spill area: fp-32 + (a & 8)
            p.push_back(make(op::kClassAlu64 | op::kAnd, a, 0, 0, 8));
            p.push_back(make(op::kClassAlu64 | op::kAdd | op::kSrcX, a, 10, 0, 0));
            p.push_back(make(op::kClassLdx | op::kModeMem | op::kSizeDW, b == a ? (a == 3 ? 4 : 3) : b, a, -32, 0));
            p.push_back(make(op::kClassAlu64 | op::kMov, a, 0, 0, 0));
            break;
        case 14:  // an immediate over a spill (a zero or a number, 8 or 4 bytes)
            p.push_back(make(op::kClassSt | op::kModeMem | (pick(0, 1) ? op::kSizeDW : op::kSizeW), 10, 0,
                             static_cast<int16_t>(-8 * pick(1, 4)), pick(0, 1) ? 0 : pick(0, 20)));
            break;
        case 0: {  // ALU with an immediate or a register, 64 or 32 bit
            const uint8_t ops[] = {op::kAdd, op::kSub, op::kAnd, op::kOr, op::kRsh, op::kLsh, op::kXor, op::kMul};
            const uint8_t cls = pick(0, 1) ? op::kClassAlu64 : op::kClassAlu;
            const uint8_t o = ops[pick(0, 7)];
            const bool shift = o == op::kRsh || o == op::kLsh;
            if (pick(0, 1) && !shift) p.push_back(make(cls | o | op::kSrcX, a, b, 0, 0));
            else p.push_back(make(cls | o, a, 0, 0, shift ? pick(0, 31) : small()));
            break;
        }
        case 1:  // mask to a small range
            p.push_back(make(op::kClassAlu64 | op::kAnd, a, 0, 0, pick(0, 1) ? 7 : 15));
            break;
        case 2:  // copies: linked 64-bit, 32-bit, sign-extending
            switch (pick(0, 2)) {
            case 0: p.push_back(make(op::kClassAlu64 | op::kMov | op::kSrcX, a, b, 0, 0)); break;
            case 1: p.push_back(make(op::kClassAlu | op::kMov | op::kSrcX, a, b, 0, 0)); break;
            default: p.push_back(make(op::kClassAlu64 | op::kMov | op::kSrcX, a, b, static_cast<int16_t>(8 << pick(0, 2)), 0));
            }
            break;
        case 3:  // a copy moved by a constant
            p.push_back(make(op::kClassAlu64 | op::kMov | op::kSrcX, a, b, 0, 0));
            p.push_back(make(op::kClassAlu64 | (pick(0, 1) ? op::kAdd : op::kSub), a, 0, 0, small()));
            break;
        case 4:
        case 5: {  // forward jump: a diamond that joins later
            const uint8_t jops[] = {op::kJeq, op::kJne, op::kJgt, op::kJge, op::kJlt, op::kJle,
                                    op::kJsgt, op::kJsge, op::kJslt, op::kJsle, op::kJset};
            const uint8_t cls = pick(0, 2) ? op::kClassJmp : op::kClassJmp32;
            if (pick(0, 2)) p.push_back(make(cls | jops[pick(0, 10)], a, 0, 0, small()));
            else p.push_back(make(cls | jops[pick(0, 10)] | op::kSrcX, a, b, 0, 0));
            jumps_.push_back(p.size() - 1);
            break;
        }
        case 6:  // spill
            p.push_back(make(op::kClassStx | op::kModeMem | std::array{op::kSizeB, op::kSizeW, op::kSizeDW}[static_cast<size_t>(pick(0, 2))],
                             10, a, static_cast<int16_t>(-8 * pick(1, 4)), 0));
            break;
        case 7:  // refill
            p.push_back(make(op::kClassLdx | op::kModeMem | std::array{op::kSizeB, op::kSizeW, op::kSizeDW}[static_cast<size_t>(pick(0, 2))],
                             a, 10, static_cast<int16_t>(-8 * pick(1, 4)), 0));
            break;
        case 8:
        case 9:  // variable-offset stack write at fp-16 + a: safe for a in [0, 15]
            bound(p, a, 15);
            p.push_back(make(op::kClassAlu64 | op::kAdd | op::kSrcX, a, 10, 0, 0));
            p.push_back(make(op::kClassSt | op::kModeMem | op::kSizeB, a, 0, -16, 0));
            p.push_back(make(op::kClassAlu64 | op::kMov, a, 0, 0, 0));
            break;
        case 10:  // variable-offset read of the memory
            bound(p, a, 63);
            p.push_back(make(op::kClassAlu64 | op::kAdd | op::kSrcX, a, 9, 0, 0));
            p.push_back(make(op::kClassLdx | op::kModeMem | op::kSizeB, b == a ? (a == 3 ? 4 : 3) : b, a, 0, 0));
            p.push_back(make(op::kClassAlu64 | op::kMov, a, 0, 0, 0));
            break;
        default: {  // call a subprogram with a as its argument
            p.push_back(make(op::kClassAlu64 | op::kMov | op::kSrcX, 1, a, 0, 0));
            const bool pass = pick(0, 1);
            calls_.push_back({p.size(), pass});
            p.push_back(make(op::kClassJmp | op::kCall, 0, op::kCallLocal, 0, 0));
            // R1-R5 are gone: fresh inputs for R3-R5, maybe the result in b.
            for (int r : {3, 4, 5})
                p.push_back(make(op::kClassLdx | op::kModeMem | op::kSizeB, r, 9, static_cast<int16_t>(pick(0, 63)), 0));
            if (pick(0, 1)) p.push_back(make(op::kClassAlu64 | op::kMov | op::kSrcX, b, 0, 0, 0));
            break;
        }
        }
    }

    std::mt19937_64 rng_;
    std::vector<size_t> jumps_;
    std::vector<std::pair<size_t, bool>> calls_, bounds_;
    int pass_ = 0, use_ = 0, bound_ = 0;
};

TEST(VerifierDifferential, PrunedProgramsNeverViolateBounds) {
    if (!interpreter_available()) GTEST_SKIP() << "interpreter compiled out";
    HelperTable helpers;
    size_t accepted = 0, rejected = 0;
    std::mt19937_64 inputs(std::getenv("PRUNE_INPUT_SEED") ? std::strtoull(std::getenv("PRUNE_INPUT_SEED"), nullptr, 10) : 42);
    const uint64_t seeds = std::getenv("PRUNE_SEEDS") ? std::strtoull(std::getenv("PRUNE_SEEDS"), nullptr, 10) : 30000;
    for (uint64_t seed = 1; seed <= seeds; ++seed) {
        PruningGenerator gen(seed);
        std::vector<Instruction> insns = gen.program();
        VerifyOptions options;
        options.mem_size = kMemSize;
        const VerifyResult result = verify_instructions(insns, ProgramType::raw_memory, {}, options);
        if (!result.ok) {
            if (std::getenv("PRUNE_DEBUG")) std::printf("%s\n", result.errors.empty() ? "?" : result.errors[0].message.c_str());
            ++rejected;
            continue;
        }
        ++accepted;
        ExecOptions exec;
        exec.bounds_check = true;
        exec.instruction_budget = 100000;
        auto engine = make_interpreter({insns, &helpers}, exec);
        for (int run = 0; run < 48; ++run) {
            std::vector<uint8_t> memory(kMemSize);
            // Mostly small bytes (so that ranges are hit at their edges), some all-ones.
            for (auto& byte : memory) byte = static_cast<uint8_t>(run % 3 == 0 ? inputs() : inputs() % 20);
            if (run == 0) std::fill(memory.begin(), memory.end(), 0);
            if (run == 1) std::fill(memory.begin(), memory.end(), 0xff);
            try {
                engine->run(reinterpret_cast<uint64_t>(memory.data()), memory.size());
            } catch (const Error& e) {
                ADD_FAILURE() << "seed " << seed << " run " << run << ": verified program faulted: " << e.what() << "\n"
                              << disassemble_program(insns);
                break;
            }
        }
    }
    EXPECT_GT(accepted, 300u);
    EXPECT_GT(rejected, 300u);
    RecordProperty("accepted", static_cast<int>(accepted));
    std::printf("accepted %zu, rejected %zu\n", accepted, rejected);
}

}  // namespace
}  // namespace ebpf::testing
