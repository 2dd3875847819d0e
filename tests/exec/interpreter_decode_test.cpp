// The interpreter's pre-decoder (src/exec/interpreter_decode.hpp) under
// attack: targets that point outside the program or into an LDDW are refused
// before anything runs — by validate() in the engine, and again by the
// decoder itself, which never trusts that validation happened — and the fused
// pairs behave exactly as their two instructions (jumps into the second one,
// the instruction budget of the checked loop).
#include <gtest/gtest.h>

#include <string>

#include "ebpf/error.hpp"
#include "interpreter_decode.hpp"
#include "program_builder.hpp"

namespace ebpf::test {
namespace {

using interp::Decoded;
using interp::Op;

std::string construction_error(const std::vector<Instruction>& insns, const ExecOptions& options) {
    try {
        make_interpreter({insns, nullptr}, options);
    } catch (const Error& e) {
        return e.what();
    }
    return "";
}

Instruction mov32_imm(int dst, int32_t imm) { return alu32_imm(kMov, dst, imm); }

ExecOptions checked() {
    ExecOptions options;
    options.bounds_check = true;
    return options;
}

// Every malformed control transfer, in both loops: refused when the engine is
// built, with the instruction named.
TEST(InterpreterDecode, BadTargetsAreRefusedBeforeRunning) {
    Program into_lddw;
    into_lddw.add(jmp_imm(kJeq, 1, 0, 1)).lddw(0, 7).add(exit_insn());  // +1 lands on the second slot
    Program truncated_lddw;
    truncated_lddw.add(mov(0, 0)).add(insn(kLddw, 0, 0, 0, 1));
    const std::vector<std::pair<std::string, std::vector<Instruction>>> cases = {
        {"jump into LDDW", into_lddw.insns},
        {"jump past the end", {jmp_imm(kJeq, 1, 0, 5), mov(0, 0), exit_insn()}},
        {"jump to the end", {jmp_imm(kJeq, 1, 0, 2), mov(0, 0), exit_insn()}},
        {"jump before the start", {mov(0, 0), insn(kClassJmp | kJa, 0, 0, -3), exit_insn()}},
        {"gotol past the end", {insn(kClassJmp32 | kJa, 0, 0, 0, 1 << 20), exit_insn()}},
        {"call past the end", {call_local(100), exit_insn()}},
        {"call before the start", {call_local(-5), exit_insn()}},
        {"truncated LDDW", truncated_lddw.insns},
    };
    for (const auto& [name, insns] : cases) {
        for (const bool bounds : {false, true}) {
            ExecOptions options;
            options.bounds_check = bounds;
            const std::string error = construction_error(insns, options);
            EXPECT_NE(error.find("instruction"), std::string::npos) << name << " (bounds " << bounds << "): " << error;
        }
    }
}

// The decoder's own checks, for input validate() never saw.
TEST(InterpreterDecode, DecoderDoesNotTrustValidation) {
    auto decode_error = [](const std::vector<Instruction>& insns) -> std::string {
        std::vector<Decoded> out(insns.size() + 1);
        try {
            interp::decode_program(insns, out);
        } catch (const Error& e) {
            return e.what();
        }
        return "";
    };
    EXPECT_NE(decode_error({jmp_imm(kJeq, 1, 0, 40), exit_insn()}).find("outside the program"), std::string::npos);
    EXPECT_NE(decode_error({insn(kClassJmp | kJa, 0, 0, -2), exit_insn()}).find("outside the program"), std::string::npos);
    EXPECT_NE(decode_error({call_local(7), exit_insn()}).find("outside the program"), std::string::npos);
    Program func_ref;
    func_ref.lddw(1, 0, kPseudoFunc).add(exit_insn());
    func_ref.insns[0].imm = 50;
    EXPECT_NE(decode_error(func_ref.insns).find("outside the program"), std::string::npos);
    Program map_ref;
    map_ref.lddw(1, 3, kPseudoMapFd).add(exit_insn());
    EXPECT_NE(decode_error(map_ref.insns).find("resolved by the runtime"), std::string::npos);
    EXPECT_NE(decode_error({insn(kClassLd | kModeAbs | kSizeW, 0, 0, 0, 0), exit_insn()}).find("LD ABS/IND"),
              std::string::npos);
    std::vector<Decoded> wrong_size(1);
    EXPECT_THROW(interp::decode_program(std::vector<Instruction>{exit_insn()}, wrong_size), Error);

    // A jump into an LDDW's second slot decodes to a record that fails, and
    // the end of the program is a sentinel that fails: never a wild read.
    Program into_lddw;
    into_lddw.add(jmp_imm(kJeq, 1, 0, 1)).lddw(0, 7).add(exit_insn());
    std::vector<Decoded> out(into_lddw.insns.size() + 1);
    interp::decode_program(into_lddw.insns, out);
    EXPECT_EQ(out[0].off, 2);
    EXPECT_EQ(out[2].op, Op::lddw_second_slot);
    EXPECT_EQ(out[4].op, Op::past_end);
}

// Falling off the end (no exit) fails cleanly in the bounds-checked mode,
// which runs programs the verifier never saw.
TEST(InterpreterDecode, RunningOffTheEndFails) {
    const std::vector<Instruction> insns = {mov(0, 1), alu64_imm(kAdd, 0, 1)};
    try {
        run(insns, 0, 0, nullptr, checked());
        FAIL() << "ran off the end without an error";
    } catch (const Error& e) {
        EXPECT_NE(std::string(e.what()).find("ran past the end"), std::string::npos) << e.what();
    }
}

// Fused pairs: a jump straight to the second instruction runs it alone, and
// the result is the same in the fast (fused) and checked (plain) loops.
TEST(InterpreterDecode, FusedPairsKeepBothInstructions) {
    const std::vector<Instruction> p = {
        mov(0, 7),
        mov(1, 3),
        insn(kClassJmp | kJa, 0, 0, 1),  // 2: to 4, the second half of the pair
        alu64_imm(kAdd, 1, 1),           // 3: fused with 4
        jmp_imm(kJeq, 1, 3, 1),          // 4: if r1 == 3 goto 6
        movr(0, 1),                      // 5: reached only if the add ran
        exit_insn(),
    };
    std::vector<Decoded> out(p.size() + 1);
    interp::decode_program(p, out);
    ASSERT_EQ(out[3].op, Op::add64k_jeq64k);
    EXPECT_EQ(out[3].plain, Op::add64k);
    EXPECT_EQ(out[4].op, Op::jeq64k);
    EXPECT_EQ(run(p), 7u);
    EXPECT_EQ(run(p, 0, 0, nullptr, checked()), 7u);

    const std::vector<Instruction> z = {
        mov32_imm(0, 0x12345678),                      // r0 = 0x12345678 (mov32 zero-extends)
        alu64_imm(kLsh, 0, 8),                        // 1: r0 = 0x1234567800
        jmp_imm(kJeq, 1, 0, 1),                       // 2: r1 == 0: jump to the rsh alone
        alu64_imm(kLsh, 0, 32),                       // 3: fused with 4
        alu64_imm(kRsh, 0, 32),                       // 4
        exit_insn(),
    };
    EXPECT_EQ(run(z, 0), 0x12u);                      // rsh alone: 0x1234567800 >> 32
    EXPECT_EQ(run(z, 1), 0x34567800u);                // the pair: zero-extended low half
    EXPECT_EQ(run(z, 0, 0, nullptr, checked()), 0x12u);
    EXPECT_EQ(run(z, 1, 0, nullptr, checked()), 0x34567800u);

    // The checked loop counts both instructions of a pair against the budget.
    ExecOptions budget;
    budget.instruction_budget = 3 + 2 * 9 + 1;  // too small by the final pair's second half and exit
    const std::vector<Instruction> loop = {mov(1, 0), alu64_imm(kAdd, 1, 1), jmp_imm(kJne, 1, 10, -2), movr(0, 1),
                                           exit_insn()};
    EXPECT_EQ(run(loop), 10u);
    EXPECT_THROW(run(loop, 0, 0, nullptr, budget), Error);
    budget.instruction_budget = 1 + 2 * 10 + 2;
    EXPECT_EQ(run(loop, 0, 0, nullptr, budget), 10u);
}

}  // namespace
}  // namespace ebpf::test
