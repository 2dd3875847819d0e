// Differential test: random well-formed programs (seeded) that the verifier
// accepts must run in the bounds-checked interpreter without a single bounds
// violation. The generator mixes in-bounds and out-of-bounds accesses to the
// input memory and the stack, pointer arithmetic with masked and unmasked
// scalars, and forward branches that refine them.
#include <gtest/gtest.h>

#include <random>

#include "ebpf/error.hpp"
#include "ebpf/exec.hpp"
#include "ebpf/verifier.hpp"

namespace ebpf::testing {
namespace {

constexpr uint64_t kMemSize = 64;

Instruction make(uint8_t opcode, int dst, int src, int16_t off, int32_t imm) { return make_instruction(opcode, dst, src, off, imm); }

class Generator {
public:
    explicit Generator(uint64_t seed) : rng_(seed) {}

    std::vector<Instruction> program() {
        std::vector<Instruction> p;
        // r0, r3..r9 start as small constants (r1 = memory, r2 = its length).
        for (int r : {0, 3, 4, 5, 6, 7, 8, 9}) p.push_back(make(op::kClassAlu64 | op::kMov, r, 0, 0, pick(-8, 80)));
        const int body = pick(4, 24);
        for (int i = 0; i < body; ++i) emit(p, body - i);
        p.push_back(make(op::kClassJmp | op::kExit, 0, 0, 0, 0));
        return p;
    }

private:
    int pick(int lo, int hi) { return std::uniform_int_distribution<int>(lo, hi)(rng_); }
    int scalar_reg() { return std::array{0, 3, 4, 5, 6, 7, 8, 9}[static_cast<size_t>(pick(0, 7))]; }
    uint8_t size() { return std::array{op::kSizeB, op::kSizeH, op::kSizeW, op::kSizeDW}[static_cast<size_t>(pick(0, 3))]; }

    // One instruction (or a short idiom); `left` instructions remain, so
    // forward jumps stay inside the program.
    void emit(std::vector<Instruction>& p, int left) {
        const uint8_t alu_ops[] = {op::kAdd, op::kSub, op::kMul, op::kDiv, op::kOr, op::kAnd,
                                   op::kLsh, op::kRsh, op::kMod, op::kXor, op::kArsh, op::kMov};
        switch (pick(0, 9)) {
        case 0:
        case 1: {  // scalar ALU, 64 or 32 bit, immediate or register
            uint8_t cls = pick(0, 1) ? op::kClassAlu64 : op::kClassAlu;
            uint8_t o = alu_ops[pick(0, 11)];
            if (pick(0, 1)) p.push_back(make(cls | o | op::kSrcX, scalar_reg(), scalar_reg(), 0, 0));
            else p.push_back(make(cls | o, scalar_reg(), 0, 0, pick(-70, 70)));
            break;
        }
        case 2: {  // load from memory at a constant offset (maybe outside)
            p.push_back(make(op::kClassLdx | op::kModeMem | size(), scalar_reg(), 1, static_cast<int16_t>(pick(-4, 70)), 0));
            break;
        }
        case 3: {  // store to memory
            p.push_back(make(op::kClassStx | op::kModeMem | size(), 1, scalar_reg(), static_cast<int16_t>(pick(-4, 70)), 0));
            break;
        }
        case 4: {  // pointer + scalar (maybe masked), then access
            int s = scalar_reg();
            if (pick(0, 2)) p.push_back(make(op::kClassAlu64 | op::kAnd, s, 0, 0, pick(0, 127)));
            p.push_back(make(op::kClassAlu64 | op::kMov | op::kSrcX, 2, 1, 0, 0));
            p.push_back(make(op::kClassAlu64 | op::kAdd | op::kSrcX, 2, s, 0, 0));
            p.push_back(make(op::kClassLdx | op::kModeMem | size(), scalar_reg(), 2, static_cast<int16_t>(pick(0, 8)), 0));
            // r2 is no longer the length: restore it.
            p.push_back(make(op::kClassAlu64 | op::kMov, 2, 0, 0, static_cast<int32_t>(kMemSize)));
            break;
        }
        case 5: {  // stack store then load, offsets maybe uninitialised or outside
            int16_t off = static_cast<int16_t>(-8 * pick(1, 66));
            if (pick(0, 3)) p.push_back(make(op::kClassStx | op::kModeMem | op::kSizeDW, 10, scalar_reg(), off, 0));
            p.push_back(make(op::kClassLdx | op::kModeMem | size(), scalar_reg(), 10, static_cast<int16_t>(off + pick(0, 7)), 0));
            break;
        }
        case 6:
        case 7: {  // forward conditional jump on scalars
            const uint8_t jops[] = {op::kJeq, op::kJne, op::kJgt, op::kJge, op::kJlt, op::kJle,
                                    op::kJsgt, op::kJsge, op::kJslt, op::kJsle, op::kJset};
            uint8_t cls = pick(0, 3) ? op::kClassJmp : op::kClassJmp32;
            int16_t off = static_cast<int16_t>(pick(0, std::max(0, left - 1)));
            p.push_back(make(cls | jops[pick(0, 10)], scalar_reg(), 0, off, pick(-5, 70)));
            break;
        }
        case 8: {  // bounds check against the length, then variable access
            int s = scalar_reg();
            p.push_back(make(op::kClassJmp | op::kJge | op::kSrcX, s, 2, 3, 0));
            p.push_back(make(op::kClassAlu64 | op::kMov | op::kSrcX, 3 == s ? 4 : 3, 1, 0, 0));
            p.push_back(make(op::kClassAlu64 | op::kAdd | op::kSrcX, 3 == s ? 4 : 3, s, 0, 0));
            p.push_back(make(op::kClassLdx | op::kModeMem | size(), 0, 3 == s ? 4 : 3, 0, 0));
            break;
        }
        default: {  // atomic add on the stack or memory
            p.push_back(make(op::kClassSt | op::kModeMem | op::kSizeDW, 10, 0, -8, 1));
            p.push_back(make(op::kClassStx | op::kModeAtomic | op::kSizeDW, pick(0, 1) ? 10 : 1, scalar_reg(),
                             static_cast<int16_t>(pick(0, 1) ? -8 : pick(0, 64)), op::kAdd));
            break;
        }
        }
    }

    std::mt19937_64 rng_;
};

TEST(VerifierDifferential, AcceptedProgramsNeverViolateBounds) {
    if (!interpreter_available()) GTEST_SKIP() << "interpreter compiled out";
    HelperTable helpers;
    size_t accepted = 0, rejected = 0;
    for (uint64_t seed = 1; seed <= 3000; ++seed) {
        Generator gen(seed);
        std::vector<Instruction> insns = gen.program();
        VerifyOptions options;
        options.mem_size = kMemSize;
        const VerifyResult result = verify_instructions(insns, ProgramType::raw_memory, {}, options);
        if (!result.ok) {
            ++rejected;
            continue;
        }
        ++accepted;
        ExecOptions exec;
        exec.bounds_check = true;
        exec.instruction_budget = 100000;
        auto engine = make_interpreter({insns, &helpers}, exec);
        std::vector<uint8_t> memory(kMemSize, 0x5a);
        try {
            engine->run(reinterpret_cast<uint64_t>(memory.data()), memory.size());
        } catch (const Error& e) {
            ADD_FAILURE() << "seed " << seed << ": verified program faulted: " << e.what() << "\n"
                          << disassemble_program(insns);
        }
    }
    // The generator must exercise both verdicts to mean anything.
    EXPECT_GT(accepted, 200u);
    EXPECT_GT(rejected, 300u);
    RecordProperty("accepted", static_cast<int>(accepted));
}

}  // namespace
}  // namespace ebpf::testing
