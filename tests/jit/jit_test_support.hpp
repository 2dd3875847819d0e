// Shared by the JIT tests: a tiny instruction builder and a differential
// runner that executes one program in the interpreter and in the JIT on
// copies of the same memory and reports both outcomes.
#pragma once

#include <gtest/gtest.h>

#include <cstdint>
#include <string>
#include <vector>

#include "ebpf/error.hpp"
#include "ebpf/exec.hpp"
#include "ebpf/isa.hpp"

namespace ebpf::jit_test {

inline Instruction insn(uint8_t opcode, int dst, int src, int16_t offset, int32_t imm) { return make_instruction(opcode, dst, src, offset, imm); }

using Program = std::vector<Instruction>;

inline void lddw(Program& p, int dst, uint64_t value) {
    p.push_back(insn(op::kLddw, dst, 0, 0, static_cast<int32_t>(static_cast<uint32_t>(value))));
    p.push_back(insn(0, 0, 0, 0, static_cast<int32_t>(static_cast<uint32_t>(value >> 32))));
}
inline Instruction alu_reg(uint8_t aop, bool wide, int dst, int src, int16_t offset = 0) {
    return insn((wide ? op::kClassAlu64 : op::kClassAlu) | op::kSrcX | aop, dst, src, offset, 0);
}
inline Instruction alu_imm(uint8_t aop, bool wide, int dst, int32_t imm, int16_t offset = 0) {
    return insn((wide ? op::kClassAlu64 : op::kClassAlu) | op::kSrcK | aop, dst, 0, offset, imm);
}
inline Instruction mov_imm(int dst, int32_t imm) { return alu_imm(op::kMov, true, dst, imm); }
inline Instruction mov_reg(int dst, int src) { return alu_reg(op::kMov, true, dst, src); }
inline Instruction jmp_reg(uint8_t jop, bool wide, int dst, int src, int16_t offset) {
    return insn((wide ? op::kClassJmp : op::kClassJmp32) | op::kSrcX | jop, dst, src, offset, 0);
}
inline Instruction jmp_imm(uint8_t jop, bool wide, int dst, int32_t imm, int16_t offset) {
    return insn((wide ? op::kClassJmp : op::kClassJmp32) | op::kSrcK | jop, dst, 0, offset, imm);
}
inline Instruction ja(int16_t offset) { return insn(op::kClassJmp | op::kJa, 0, 0, offset, 0); }
inline Instruction ldx(uint8_t size, int dst, int src, int16_t offset, bool sign_extend = false) {
    return insn(op::kClassLdx | (sign_extend ? op::kModeMemSx : op::kModeMem) | size, dst, src, offset, 0);
}
inline Instruction stx(uint8_t size, int dst, int src, int16_t offset) {
    return insn(op::kClassStx | op::kModeMem | size, dst, src, offset, 0);
}
inline Instruction st(uint8_t size, int dst, int16_t offset, int32_t imm) {
    return insn(op::kClassSt | op::kModeMem | size, dst, 0, offset, imm);
}
inline Instruction atomic(uint8_t size, int dst, int src, int16_t offset, int32_t aop) {
    return insn(op::kClassStx | op::kModeAtomic | size, dst, src, offset, aop);
}
inline Instruction call_helper(int32_t id) { return insn(op::kClassJmp | op::kCall, 0, op::kCallHelper, 0, id); }
inline Instruction call_local(int32_t relative) {
    return insn(op::kClassJmp | op::kCall, 0, op::kCallLocal, 0, relative);
}
inline Instruction exit_insn() { return insn(op::kClassJmp | op::kExit, 0, 0, 0, 0); }

struct Outcome {
    uint64_t r0 = 0;
    std::vector<uint8_t> memory;
    std::string error;  // empty when the run succeeded
};

inline Outcome run_with(ExecMode mode, const Program& program, std::vector<uint8_t> memory,
                        const HelperTable* helpers = nullptr, const ExecOptions& options = {}) {
    Outcome out;
    try {
        const ExecutableProgram executable{program, helpers};
        auto engine = mode == ExecMode::jit ? make_jit(executable, options) : make_interpreter(executable, options);
        out.r0 = engine->run(reinterpret_cast<uint64_t>(memory.data()), memory.size());
    } catch (const Error& e) {
        out.error = e.what();
    }
    out.memory = std::move(memory);
    return out;
}

// Runs `program` in both engines; a test fails with `what` when r0, the
// memory or the error differ.
inline void expect_same(const Program& program, const std::vector<uint8_t>& memory, const std::string& what,
                        const HelperTable* helpers = nullptr, const ExecOptions& jit_options = {}) {
    const Outcome interpreted = run_with(ExecMode::interpret, program, memory, helpers);
    const Outcome jitted = run_with(ExecMode::jit, program, memory, helpers, jit_options);
    EXPECT_EQ(interpreted.error, jitted.error) << what;
    EXPECT_EQ(interpreted.r0, jitted.r0) << what << "\n" << disassemble_program(program);
    EXPECT_EQ(interpreted.memory, jitted.memory) << what << "\n" << disassemble_program(program);
}

}  // namespace ebpf::jit_test
