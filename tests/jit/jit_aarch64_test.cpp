// The AArch64 code generator on any host: every conformance program compiles
// (LSE and exclusive-loop atomics), the instructions chosen for the cases
// RFC 9669 singles out, and its code size per eBPF instruction beside the
// x86-64 JIT's. Running the code is the other JIT tests' job on an AArch64
// host (the `aarch64` preset runs them under qemu-aarch64).
#include <gtest/gtest.h>

#include <cstdio>
#include <cstring>
#include <filesystem>
#include <string>

#include "conformance_data.hpp"
#include "ebpf/isa.hpp"
#include "ebpf/jit.hpp"
#include "jit_codegen.hpp"
#include "jit_test_support.hpp"

namespace ebpf::jit_test {
namespace {

std::string arm(const Program& p, bool lse = true) {
    (void)lse;
    return jit_disassemble({p, nullptr}, {}, JitArch::aarch64);
}

size_t body_size(const jit::CompiledCode& code) { return code.insn_offsets.back(); }

TEST(JitAarch64, EveryConformanceProgramCompilesAndSizesAreReported) {
    size_t programs = 0, instructions = 0, x86_bytes = 0, arm_bytes = 0, arm_llsc_bytes = 0;
    for (const auto& entry : std::filesystem::directory_iterator(EBPF_CONFORMANCE_DIR)) {
        if (entry.path().extension() != ".data") continue;
        const conformance::TestCase test = conformance::read_test_case(entry.path().string());
        std::vector<Instruction> insns;
        try {
            insns = assemble(test.assembly);
            validate(insns);
        } catch (const Error&) {
            continue;  // files that test the assembler or the validator
        }
        const ExecutableProgram program{insns, nullptr};
        jit::CompiledCode x86, a64, llsc;
        try {
            x86 = jit::compile_x86_64(program, {});
        } catch (const Error&) {
            // Whatever the x86-64 JIT refuses, the AArch64 one must refuse too.
            EXPECT_THROW(jit::compile_aarch64(program, {}, true), Error) << entry.path();
            continue;
        }
        ASSERT_NO_THROW(a64 = jit::compile_aarch64(program, {}, true)) << entry.path();
        ASSERT_NO_THROW(llsc = jit::compile_aarch64(program, {}, false)) << entry.path();
        ASSERT_EQ(a64.insn_offsets.size(), insns.size() + 1) << entry.path();
        EXPECT_EQ(a64.code.size() % 4, 0u) << entry.path();
        ++programs;
        instructions += insns.size();
        x86_bytes += body_size(x86);
        arm_bytes += body_size(a64);
        arm_llsc_bytes += body_size(llsc);
    }
    ASSERT_GT(programs, 200u);
    std::printf("conformance programs: %zu, eBPF instructions: %zu\n", programs, instructions);
    std::printf("x86-64 JIT:  %zu bytes, %.2f bytes per eBPF instruction\n", x86_bytes,
                double(x86_bytes) / double(instructions));
    std::printf("AArch64 JIT: %zu bytes, %.2f bytes (%.2f instructions) per eBPF instruction (LSE atomics)\n",
                arm_bytes, double(arm_bytes) / double(instructions), double(arm_bytes) / 4.0 / double(instructions));
    std::printf("AArch64 JIT: %zu bytes with exclusive-load/store atomics\n", arm_llsc_bytes);
    RecordProperty("x86_64_bytes_per_insn", std::to_string(double(x86_bytes) / double(instructions)));
    RecordProperty("aarch64_bytes_per_insn", std::to_string(double(arm_bytes) / double(instructions)));
}

TEST(JitAarch64, DivisionNeedsNoBranchesAndModuloUsesMsub) {
    // udiv/sdiv by zero give 0 and msub then keeps the dividend; sdiv wraps
    // INT_MIN / -1: no compare, no branch, no stub.
    const std::string text = arm({alu_reg(op::kDiv, true, 0, 1), alu_reg(op::kMod, false, 2, 3),
                                  alu_reg(op::kDiv, true, 4, 5, 1), alu_imm(op::kMod, true, 0, -1, 1), exit_insn()});
    EXPECT_NE(text.find("udiv x9, x7, x0"), std::string::npos) << text;
    EXPECT_NE(text.find("udiv w9, w1, w2"), std::string::npos) << text;
    EXPECT_NE(text.find("msub w1, w9, w2, w1"), std::string::npos) << text;
    EXPECT_NE(text.find("sdiv x9, x3, x4"), std::string::npos) << text;
    const std::string body = text.substr(0, text.find("; run-time fault stubs"));
    EXPECT_EQ(body.find("b."), std::string::npos) << text;
    EXPECT_EQ(body.find("cbz"), std::string::npos) << text;
}

TEST(JitAarch64, AtomicsUseLseOrExclusiveLoops) {
    const Program p{insn(op::kClassStx | op::kModeAtomic | op::kSizeDW, 10, 1, -8, op::kAdd | op::kAtomicFetch),
                    insn(op::kClassStx | op::kModeAtomic | op::kSizeW, 10, 2, -16, op::kAtomicCmpXchg), exit_insn()};
    const auto lse = jit::compile_aarch64({p, nullptr}, {}, true);
    const auto llsc = jit::compile_aarch64({p, nullptr}, {}, false);
    auto has_word = [](const jit::CompiledCode& code, uint32_t mask, uint32_t value) {
        for (size_t at = 0; at + 4 <= code.insn_offsets.back(); at += 4) {
            uint32_t word;
            std::memcpy(&word, code.code.data() + at, 4);
            if ((word & mask) == value) return true;
        }
        return false;
    };
    // ldaddal x0, x0, [x11]; casal w7, w1, [x11]
    EXPECT_TRUE(has_word(lse, 0xffffffff, 0xf8e00160));
    EXPECT_TRUE(has_word(lse, 0xffffffff, 0x88e7fd61));
    // ldaxr / stlxr (any registers), no LSE
    EXPECT_FALSE(has_word(llsc, 0xffffffff, 0xf8e00160));
    EXPECT_TRUE(has_word(llsc, 0xbffffc00, 0x885ffc00));  // ldaxr
    EXPECT_TRUE(has_word(llsc, 0xbfe0fc00, 0x8800fc00));  // stlxr
    // capstone 4 predates LSE: the listing shows the word and decodes on.
    const std::string text = jit_disassemble({p, nullptr}, {}, JitArch::aarch64);
    EXPECT_NE(text.find(".inst 0xf8e00160"), std::string::npos) << text;
    EXPECT_NE(text.find("entry trampoline"), std::string::npos) << text;
}

TEST(JitAarch64, LoadOffsetsOutsideTheImmediateFormsUseAnIndexRegister) {
    const std::string text = arm({ldx(op::kSizeH, 0, 1, -511), ldx(op::kSizeDW, 0, 1, 32761),
                                  ldx(op::kSizeDW, 0, 10, -8), ldx(op::kSizeW, 0, 1, 4096), exit_insn()});
    EXPECT_NE(text.find("ldrh w7, [x0, x11]"), std::string::npos) << text;
    EXPECT_NE(text.find("ldr x7, [x0, x11]"), std::string::npos) << text;
    EXPECT_NE(text.find("ldur x7, [x25, #-8]"), std::string::npos) << text;
    EXPECT_NE(text.find("ldr w7, [x0, #0x1000]"), std::string::npos) << text;
}

uint64_t calls = 0;
uint64_t count_call(uint64_t, uint64_t, uint64_t, uint64_t, uint64_t) { return ++calls; }

TEST(JitAarch64, FarConditionalBranchesAreInvertedOverAnUnconditionalOne) {
    // 40000 helper calls: more than 1 MiB of code, so the check after the
    // first call cannot reach the unwinder at the end with cbnz (±1 MiB).
    HelperTable helpers;
    helpers.set(100, count_call);
    Program p;
    for (int k = 0; k < 40000; ++k) p.push_back(call_helper(100));
    p.push_back(exit_insn());
    const jit::CompiledCode code = jit::compile_aarch64({p, &helpers}, {}, true);
    ASSERT_GT(code.insn_offsets.back(), 1u << 20);
    bool inverted = false;  // cbz x9, +8 (over the `b` to the unwinder)
    for (size_t at = code.insn_offsets[0]; at < code.insn_offsets[1]; at += 4) {
        uint32_t word;
        std::memcpy(&word, code.code.data() + at, 4);
        inverted |= word == 0xb4000049u;
    }
    EXPECT_TRUE(inverted);
#if defined(__aarch64__)
    calls = 0;
    EXPECT_EQ(make_jit({p, &helpers})->run(0, 0), 40000u);
#endif
}

}  // namespace
}  // namespace ebpf::jit_test
