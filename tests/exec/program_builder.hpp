// Hand-built instructions for the engine tests: each test spells out the exact
// encoding it exercises, independent of the assembler.
#pragma once

#include <cstdint>
#include <initializer_list>
#include <vector>

#include "ebpf/exec.hpp"
#include "ebpf/isa.hpp"

namespace ebpf::test {

inline Instruction insn(uint8_t opcode, int dst = 0, int src = 0, int16_t offset = 0, int32_t imm = 0) { return make_instruction(opcode, dst, src, offset, imm); }

using namespace op;

inline Instruction alu64_imm(uint8_t operation, int dst, int32_t imm, int16_t offset = 0) {
    return insn(kClassAlu64 | kSrcK | operation, dst, 0, offset, imm);
}
inline Instruction alu64_reg(uint8_t operation, int dst, int src, int16_t offset = 0) {
    return insn(kClassAlu64 | kSrcX | operation, dst, src, offset, 0);
}
inline Instruction alu32_imm(uint8_t operation, int dst, int32_t imm, int16_t offset = 0) {
    return insn(kClassAlu | kSrcK | operation, dst, 0, offset, imm);
}
inline Instruction alu32_reg(uint8_t operation, int dst, int src, int16_t offset = 0) {
    return insn(kClassAlu | kSrcX | operation, dst, src, offset, 0);
}
inline Instruction mov(int dst, int32_t imm) { return alu64_imm(kMov, dst, imm); }
inline Instruction movr(int dst, int src) { return alu64_reg(kMov, dst, src); }
inline Instruction exit_insn() { return insn(kClassJmp | kExit); }
inline Instruction call_helper(int32_t id) { return insn(kClassJmp | kCall, 0, kCallHelper, 0, id); }
inline Instruction call_local(int32_t relative) { return insn(kClassJmp | kCall, 0, kCallLocal, 0, relative); }
inline Instruction ldx(uint8_t size, int dst, int src, int16_t offset) {
    return insn(kClassLdx | kModeMem | size, dst, src, offset);
}
inline Instruction ldxsx(uint8_t size, int dst, int src, int16_t offset) {
    return insn(kClassLdx | kModeMemSx | size, dst, src, offset);
}
inline Instruction stx(uint8_t size, int dst, int src, int16_t offset) {
    return insn(kClassStx | kModeMem | size, dst, src, offset);
}
inline Instruction st(uint8_t size, int dst, int16_t offset, int32_t imm) {
    return insn(kClassSt | kModeMem | size, dst, 0, offset, imm);
}
inline Instruction atomic(uint8_t size, int dst, int src, int16_t offset, int32_t operation) {
    return insn(kClassStx | kModeAtomic | size, dst, src, offset, operation);
}
inline Instruction jmp_imm(uint8_t operation, int dst, int32_t imm, int16_t offset) {
    return insn(kClassJmp | kSrcK | operation, dst, 0, offset, imm);
}
inline Instruction jmp_reg(uint8_t operation, int dst, int src, int16_t offset) {
    return insn(kClassJmp | kSrcX | operation, dst, src, offset, 0);
}
inline Instruction jmp32_imm(uint8_t operation, int dst, int32_t imm, int16_t offset) {
    return insn(kClassJmp32 | kSrcK | operation, dst, 0, offset, imm);
}

// A program: instructions appended in order; lddw adds two slots.
struct Program {
    std::vector<Instruction> insns;
    Program() = default;
    Program(std::initializer_list<Instruction> list) : insns(list) {}
    Program& add(Instruction i) {
        insns.push_back(i);
        return *this;
    }
    Program& lddw(int dst, uint64_t value, uint8_t src = kPseudoImm64) {
        insns.push_back(insn(kLddw, dst, src, 0, static_cast<int32_t>(static_cast<uint32_t>(value))));
        insns.push_back(insn(0, 0, 0, 0, static_cast<int32_t>(static_cast<uint32_t>(value >> 32))));
        return *this;
    }
};

// Runs a program in the interpreter with the given context.
inline uint64_t run(const std::vector<Instruction>& insns, uint64_t r1 = 0, uint64_t r2 = 0,
                    const HelperTable* helpers = nullptr, const ExecOptions& options = {}) {
    ExecutableProgram program{insns, helpers};
    return make_interpreter(program, options)->run(r1, r2);
}

}  // namespace ebpf::test
