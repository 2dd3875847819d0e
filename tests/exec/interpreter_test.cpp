// Arithmetic, byte order and jump semantics of the interpreter (RFC 9669).
#include <gtest/gtest.h>

#include <cstdint>
#include <limits>

#include "ebpf/error.hpp"
#include "program_builder.hpp"

namespace ebpf::test {
namespace {

constexpr uint64_t kInt64Min = static_cast<uint64_t>(std::numeric_limits<int64_t>::min());

// r0 = a; r1 = b; r0 <op> r1 (ALU64 register form); exit.
uint64_t alu64(uint8_t operation, uint64_t a, uint64_t b, int16_t offset = 0) {
    Program p{};
    p.lddw(0, a).lddw(1, b).add(alu64_reg(operation, 0, 1, offset)).add(exit_insn());
    return run(p.insns);
}
uint64_t alu32(uint8_t operation, uint64_t a, uint64_t b, int16_t offset = 0) {
    Program p{};
    p.lddw(0, a).lddw(1, b).add(alu32_reg(operation, 0, 1, offset)).add(exit_insn());
    return run(p.insns);
}

TEST(Interpreter, ReturnsR0) { EXPECT_EQ(run({mov(0, 42), exit_insn()}), 42u); }

TEST(Interpreter, ArgumentsArriveInR1AndR2) {
    EXPECT_EQ(run({movr(0, 1), alu64_reg(kSub, 0, 2), exit_insn()}, 10, 3), 7u);
}

TEST(Interpreter, UnsignedDivisionAndModuloByZero) {
    EXPECT_EQ(alu64(kDiv, 17, 0), 0u);
    EXPECT_EQ(alu64(kMod, 17, 0), 17u);
    EXPECT_EQ(alu64(kDiv, 17, 5), 3u);
    EXPECT_EQ(alu64(kMod, 17, 5), 2u);
    // 32-bit: mod by zero keeps the low half and clears the upper half.
    EXPECT_EQ(alu32(kMod, 0x1234567800000011ull, 0), 0x11u);
    EXPECT_EQ(alu32(kDiv, 0xffffffff00000011ull, 0), 0u);
}

TEST(Interpreter, SignedDivisionAndModulo) {
    const uint64_t minus7 = static_cast<uint64_t>(-7);
    EXPECT_EQ(alu64(kDiv, minus7, 2, 1), static_cast<uint64_t>(-3));
    EXPECT_EQ(alu64(kMod, minus7, 2, 1), static_cast<uint64_t>(-1));
    EXPECT_EQ(alu64(kMod, 7, static_cast<uint64_t>(-2), 1), 1u);
    EXPECT_EQ(alu64(kDiv, minus7, 0, 1), 0u);
    EXPECT_EQ(alu64(kMod, minus7, 0, 1), minus7);
    // INT_MIN / -1 must not trap: it wraps to INT_MIN, and the remainder is 0.
    EXPECT_EQ(alu64(kDiv, kInt64Min, static_cast<uint64_t>(-1), 1), kInt64Min);
    EXPECT_EQ(alu64(kMod, kInt64Min, static_cast<uint64_t>(-1), 1), 0u);
    EXPECT_EQ(alu32(kDiv, 0x80000000u, 0xffffffffu, 1), 0x80000000u);
    EXPECT_EQ(alu32(kMod, 0x80000000u, 0xffffffffu, 1), 0u);
    EXPECT_EQ(alu32(kDiv, 0xfffffff9u, 2, 1), 0xfffffffdu);  // -7 / 2 = -3, zero-extended
}

TEST(Interpreter, DivisionByImmediateSignExtends) {
    // ALU64 udiv by K: the immediate is sign-extended, then taken as unsigned.
    EXPECT_EQ(run({mov(0, -1), alu64_imm(kDiv, 0, -1), exit_insn()}), 1u);
    EXPECT_EQ(run({mov(0, 100), alu64_imm(kDiv, 0, -1), exit_insn()}), 0u);
    // ALU32 udiv by K: the immediate is a u32.
    EXPECT_EQ(run({mov(0, -1), alu32_imm(kDiv, 0, -1), exit_insn()}), 1u);
}

TEST(Interpreter, ShiftAmountsAreMasked) {
    EXPECT_EQ(alu64(kLsh, 1, 65), 2u);
    EXPECT_EQ(alu64(kRsh, 0x8000000000000000ull, 127), 1u);
    EXPECT_EQ(alu64(kArsh, kInt64Min, 63), ~0ull);
    EXPECT_EQ(alu32(kLsh, 1, 33), 2u);
    EXPECT_EQ(alu32(kArsh, 0x80000000u, 31 + 32), 0xffffffffu);
    EXPECT_EQ(alu32(kRsh, 0xffffffff80000000ull, 31), 1u);
}

TEST(Interpreter, Alu32ResultsAreZeroExtended) {
    EXPECT_EQ(run({mov(0, -1), alu32_imm(kAdd, 0, 0), exit_insn()}), 0xffffffffu);
    EXPECT_EQ(run({mov(0, 1), alu32_imm(kSub, 0, 2), exit_insn()}), 0xffffffffu);
    EXPECT_EQ(run({mov(0, 3), insn(kClassAlu | kNeg, 0), exit_insn()}), 0xfffffffdu);
    EXPECT_EQ(run({mov(0, 3), insn(kClassAlu64 | kNeg, 0), exit_insn()}), static_cast<uint64_t>(-3));
    EXPECT_EQ(run({alu32_imm(kMov, 0, -1), exit_insn()}), 0xffffffffu);
    EXPECT_EQ(alu32(kMul, 0x100000000ull + 3, 0x100000000ull + 5), 15u);
}

TEST(Interpreter, SignExtendingMoves) {
    EXPECT_EQ(alu64(kMov, 0x80, 0x80, 8), static_cast<uint64_t>(-128));
    EXPECT_EQ(alu64(kMov, 0, 0x8000, 16), static_cast<uint64_t>(-32768));
    EXPECT_EQ(alu64(kMov, 0, 0x80000000u, 32), 0xffffffff80000000ull);
    EXPECT_EQ(alu64(kMov, 0, 0x7f, 8), 0x7fu);
    EXPECT_EQ(alu32(kMov, 0, 0x80, 8), 0xffffff80u);  // 32-bit: sign-extend, then zero-extend
    EXPECT_EQ(alu32(kMov, 0, 0xffff8000ull, 16), 0xffff8000u);
}

TEST(Interpreter, ByteOrder) {
    auto end = [](uint8_t opcode, int32_t width, uint64_t value) {
        Program p{};
        p.lddw(0, value).add(insn(opcode, 0, 0, 0, width)).add(exit_insn());
        return run(p.insns);
    };
    const uint64_t v = 0x1122334455667788ull;
    const uint8_t le = kClassAlu | kSrcK | kEnd, be = kClassAlu | kSrcX | kEnd,
                  bswap = kClassAlu64 | kSrcK | kEnd;
    EXPECT_EQ(end(le, 16, v), 0x7788u);
    EXPECT_EQ(end(le, 32, v), 0x55667788u);
    EXPECT_EQ(end(le, 64, v), v);
    EXPECT_EQ(end(be, 16, v), 0x8877u);
    EXPECT_EQ(end(be, 32, v), 0x88776655u);
    EXPECT_EQ(end(be, 64, v), 0x8877665544332211ull);
    EXPECT_EQ(end(bswap, 16, v), 0x8877u);
    EXPECT_EQ(end(bswap, 32, v), 0x88776655u);
    EXPECT_EQ(end(bswap, 64, v), 0x8877665544332211ull);
}

TEST(Interpreter, Lddw) {
    Program p{};
    p.lddw(0, 0xdeadbeefcafef00dull).add(exit_insn());
    EXPECT_EQ(run(p.insns), 0xdeadbeefcafef00dull);
}

// r0 = 1 when the jump is taken, else 0.
uint64_t taken(Instruction jump, uint64_t r1, uint64_t r2 = 0) {
    Program p{};
    p.lddw(1, r1).lddw(2, r2).add(mov(0, 0)).add(jump).add(exit_insn()).add(mov(0, 1)).add(exit_insn());
    return run(p.insns);
}

TEST(Interpreter, ConditionalJumps64) {
    const uint64_t minus1 = ~0ull;
    EXPECT_EQ(taken(jmp_reg(kJgt, 1, 2, 1), minus1, 1), 1u);   // unsigned
    EXPECT_EQ(taken(jmp_reg(kJsgt, 1, 2, 1), minus1, 1), 0u);  // signed
    EXPECT_EQ(taken(jmp_reg(kJslt, 1, 2, 1), minus1, 1), 1u);
    EXPECT_EQ(taken(jmp_reg(kJle, 1, 2, 1), 5, 5), 1u);
    EXPECT_EQ(taken(jmp_reg(kJlt, 1, 2, 1), 5, 5), 0u);
    EXPECT_EQ(taken(jmp_reg(kJge, 1, 2, 1), 5, 5), 1u);
    EXPECT_EQ(taken(jmp_reg(kJsge, 1, 2, 1), minus1, 0), 0u);
    EXPECT_EQ(taken(jmp_reg(kJsle, 1, 2, 1), minus1, 0), 1u);
    EXPECT_EQ(taken(jmp_reg(kJset, 1, 2, 1), 6, 2), 1u);
    EXPECT_EQ(taken(jmp_reg(kJset, 1, 2, 1), 6, 1), 0u);
    EXPECT_EQ(taken(jmp_reg(kJne, 1, 2, 1), 6, 1), 1u);
    EXPECT_EQ(taken(jmp_imm(kJeq, 1, -1, 1), minus1), 1u);  // immediate sign-extends
    EXPECT_EQ(taken(jmp_imm(kJsgt, 1, -2, 1), minus1), 1u);
}

TEST(Interpreter, ConditionalJumps32IgnoreUpperHalf) {
    EXPECT_EQ(taken(jmp32_imm(kJeq, 1, 5, 1), 0xabcd000000000005ull), 1u);
    EXPECT_EQ(taken(jmp32_imm(kJsgt, 1, 0, 1), 0x80000000u), 0u);  // negative as s32
    EXPECT_EQ(taken(jmp32_imm(kJgt, 1, 0, 1), 0x80000000u), 1u);
    EXPECT_EQ(taken(insn(kClassJmp32 | kSrcX | kJlt, 1, 2, 1), 0x100000001ull, 2), 1u);
}

TEST(Interpreter, UnconditionalJumps) {
    EXPECT_EQ(run({mov(0, 1), insn(kClassJmp | kJa, 0, 0, 1), mov(0, 2), exit_insn()}), 1u);
    // gotol: the 32-bit offset is in imm.
    EXPECT_EQ(run({mov(0, 1), insn(kClassJmp32 | kJa, 0, 0, 0, 1), mov(0, 2), exit_insn()}), 1u);
}

TEST(Interpreter, LoopSumsOneToHundred) {
    // r0 = 0; r1 = 100; loop: r0 += r1; r1 -= 1; if r1 != 0 goto loop
    EXPECT_EQ(run({mov(0, 0), mov(1, 100), alu64_reg(kAdd, 0, 1), alu64_imm(kSub, 1, 1),
                   jmp_imm(kJne, 1, 0, -3), exit_insn()}),
              5050u);
}

TEST(Interpreter, RejectsMalformedPrograms) {
    EXPECT_THROW(run({}), Error);
    EXPECT_THROW(run({insn(0xff), exit_insn()}), Error);
    EXPECT_THROW(run({mov(0, 1), insn(kClassJmp | kJa, 0, 0, 5), exit_insn()}), Error);
}

TEST(Interpreter, RejectsUnresolvedMapReferences) {
    Program p{};
    p.lddw(1, 3, kPseudoMapFd).add(mov(0, 0)).add(exit_insn());
    try {
        run(p.insns);
        FAIL() << "map reference accepted";
    } catch (const Error& e) {
        EXPECT_NE(std::string(e.what()).find("instruction 0"), std::string::npos) << e.what();
        EXPECT_NE(std::string(e.what()).find("resolved by the runtime"), std::string::npos) << e.what();
    }
}

TEST(Interpreter, ModeAndAvailability) {
    ExecutableProgram program{};
    std::vector<Instruction> insns{mov(0, 0), exit_insn()};
    program.insns = insns;
    EXPECT_EQ(make_interpreter(program)->mode(), ExecMode::interpret);
    EXPECT_TRUE(interpreter_available());
    EXPECT_STREQ(exec_mode_name(ExecMode::interpret), "interpret");
    EXPECT_STREQ(exec_mode_name(ExecMode::jit), "jit");
    EXPECT_STREQ(exec_mode_name(ExecMode::native), "native");
}

}  // namespace
}  // namespace ebpf::test
