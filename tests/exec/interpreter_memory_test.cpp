// Loads, stores, atomics, bounds checking and the instruction budget.
#include <gtest/gtest.h>

#include <array>
#include <cstdint>
#include <cstring>
#include <string>

#include "ebpf/error.hpp"
#include "program_builder.hpp"

namespace ebpf::test {
namespace {

uint64_t address_of(const void* p) { return reinterpret_cast<uint64_t>(p); }

std::string error_of(const std::vector<Instruction>& insns, uint64_t r1, uint64_t r2,
                     const ExecOptions& options) {
    try {
        run(insns, r1, r2, nullptr, options);
    } catch (const Error& e) {
        return e.what();
    }
    return "no error";
}

TEST(InterpreterMemory, LoadsOfEverySize) {
    const std::array<uint8_t, 8> bytes{0x81, 0x82, 0x83, 0x84, 0x85, 0x86, 0x87, 0x88};
    auto load = [&](Instruction i) { return run({i, exit_insn()}, address_of(bytes.data()), 8); };
    EXPECT_EQ(load(ldx(kSizeB, 0, 1, 1)), 0x82u);
    EXPECT_EQ(load(ldx(kSizeH, 0, 1, 1)), 0x8382u);  // unaligned is fine
    EXPECT_EQ(load(ldx(kSizeW, 0, 1, 4)), 0x88878685u);
    EXPECT_EQ(load(ldx(kSizeDW, 0, 1, 0)), 0x8887868584838281ull);
    EXPECT_EQ(load(ldxsx(kSizeB, 0, 1, 0)), static_cast<uint64_t>(static_cast<int8_t>(0x81)));
    EXPECT_EQ(load(ldxsx(kSizeH, 0, 1, 0)), 0xffffffffffff8281ull);
    EXPECT_EQ(load(ldxsx(kSizeW, 0, 1, 0)), 0xffffffff84838281ull);
}

TEST(InterpreterMemory, StoresToContextAndStack) {
    std::array<uint8_t, 16> bytes{};
    // *(u32 *)(r1 + 0) = 0x11223344; *(u16 *)(r1 + 4) = r2 (0xbeef); st byte imm
    run({st(kSizeW, 1, 0, 0x11223344), movr(3, 2), stx(kSizeH, 1, 3, 4), st(kSizeB, 1, 6, -1),
         st(kSizeDW, 1, 8, -2), mov(0, 0), exit_insn()},
        address_of(bytes.data()), 0xbeef);
    uint32_t word;
    std::memcpy(&word, bytes.data(), 4);
    EXPECT_EQ(word, 0x11223344u);
    EXPECT_EQ(bytes[4], 0xef);
    EXPECT_EQ(bytes[5], 0xbe);
    EXPECT_EQ(bytes[6], 0xff);
    uint64_t dword;
    std::memcpy(&dword, bytes.data() + 8, 8);
    EXPECT_EQ(dword, static_cast<uint64_t>(-2));  // ST DW sign-extends the immediate
    // The stack: store through r10 and read back.
    EXPECT_EQ(run({st(kSizeDW, 10, -8, 77), ldx(kSizeDW, 0, 10, -8), exit_insn()}), 77u);
}

TEST(InterpreterMemory, Atomics64) {
    alignas(8) uint64_t cell = 10;
    auto atomic_run = [&](int32_t operation, uint64_t start, uint64_t operand, uint64_t r0 = 0) {
        cell = start;
        Program p{};
        p.lddw(2, operand).lddw(0, r0).add(atomic(kSizeDW, 1, 2, 0, operation)).add(movr(0, 2)).add(exit_insn());
        return run(p.insns, address_of(&cell));
    };
    EXPECT_EQ(atomic_run(kAdd, 10, 5), 5u);  // no fetch: r2 unchanged
    EXPECT_EQ(cell, 15u);
    EXPECT_EQ(atomic_run(kAdd | kAtomicFetch, 10, 5), 10u);
    EXPECT_EQ(cell, 15u);
    EXPECT_EQ(atomic_run(kOr | kAtomicFetch, 0x10, 0x01), 0x10u);
    EXPECT_EQ(cell, 0x11u);
    EXPECT_EQ(atomic_run(kAnd | kAtomicFetch, 0x11, 0x01), 0x11u);
    EXPECT_EQ(cell, 0x01u);
    EXPECT_EQ(atomic_run(kXor | kAtomicFetch, 0x11, 0x01), 0x11u);
    EXPECT_EQ(cell, 0x10u);
    EXPECT_EQ(atomic_run(kAtomicXchg, 7, 9), 7u);
    EXPECT_EQ(cell, 9u);
}

TEST(InterpreterMemory, CompareExchange) {
    alignas(8) uint64_t cell = 0;
    auto cmpxchg = [&](uint8_t size, uint64_t start, uint64_t expected, uint64_t replacement) {
        cell = start;
        Program p{};
        p.lddw(0, expected).lddw(2, replacement).add(atomic(size, 1, 2, 0, kAtomicCmpXchg)).add(exit_insn());
        return run(p.insns, address_of(&cell));
    };
    EXPECT_EQ(cmpxchg(kSizeDW, 5, 5, 9), 5u);  // r0 = old value
    EXPECT_EQ(cell, 9u);
    EXPECT_EQ(cmpxchg(kSizeDW, 5, 6, 9), 5u);  // mismatch: unchanged
    EXPECT_EQ(cell, 5u);
    // 32-bit: compares the low half of r0, zero-extends the old value.
    EXPECT_EQ(cmpxchg(kSizeW, 0xaaaaaaaa00000005ull, 0xffffffff00000005ull, 9), 5u);
    EXPECT_EQ(cell, 0xaaaaaaaa00000009ull);
}

TEST(InterpreterMemory, Atomics32ZeroExtendFetchedValue) {
    alignas(8) uint32_t cell = 0xfffffff0u;
    Program p{};
    p.lddw(2, 0xffffffff00000001ull).add(atomic(kSizeW, 1, 2, 0, kAdd | kAtomicFetch)).add(movr(0, 2)).add(exit_insn());
    EXPECT_EQ(run(p.insns, address_of(&cell)), 0xfffffff0u);
    EXPECT_EQ(cell, 0xfffffff1u);
}

TEST(InterpreterMemory, BoundsCheckAllowsContextAndStack) {
    std::array<uint8_t, 8> bytes{1, 2, 3, 4, 5, 6, 7, 8};
    ExecOptions checked;
    checked.bounds_check = true;
    EXPECT_EQ(run({ldx(kSizeW, 0, 1, 4), st(kSizeDW, 10, -512, 1), ldx(kSizeB, 3, 10, -512),
                   alu64_reg(kAdd, 0, 3), exit_insn()},
                  address_of(bytes.data()), bytes.size(), nullptr, checked),
              0x08070605u + 1);
}

TEST(InterpreterMemory, BoundsViolationNamesInstructionAddressAndOperand) {
    std::array<uint8_t, 8> bytes{};
    ExecOptions checked;
    checked.bounds_check = true;
    const uint64_t base = address_of(bytes.data());
    char expected_address[32];
    std::snprintf(expected_address, sizeof expected_address, "0x%llx", static_cast<unsigned long long>(base + 8));
    EXPECT_EQ(error_of({mov(0, 0), ldx(kSizeW, 0, 1, 8), exit_insn()}, base, 8, checked),
              std::string("instruction 1: out-of-bounds 4-byte read at ") + expected_address + " (r1 + 8)");
    // Straddling the end is out of bounds too.
    EXPECT_NE(error_of({ldx(kSizeDW, 0, 1, 4), exit_insn()}, base, 8, checked).find("8-byte read"),
              std::string::npos);
    EXPECT_NE(error_of({st(kSizeW, 10, -516, 0), mov(0, 0), exit_insn()}, base, 8, checked)
                  .find("instruction 0: out-of-bounds 4-byte write at 0x"),
              std::string::npos);
    EXPECT_NE(error_of({st(kSizeW, 10, 0, 0), mov(0, 0), exit_insn()}, base, 8, checked).find("(r10 + 0)"),
              std::string::npos);
    EXPECT_NE(error_of({mov(2, 1), atomic(kSizeDW, 1, 2, 8, kAdd), mov(0, 0), exit_insn()}, base, 8, checked)
                  .find("8-byte atomic access"),
              std::string::npos);
    EXPECT_NE(error_of({mov(1, 0), ldx(kSizeB, 0, 1, 0), exit_insn()}, 0, 0, checked).find("(r1 + 0)"),
              std::string::npos);
}

TEST(InterpreterMemory, RegionsGrantAccessAndReadOnlyIsEnforced) {
    std::array<uint8_t, 8> ctx{};
    const uint64_t value = 0x1234;
    ExecOptions checked;
    checked.bounds_check = true;
    checked.regions.push_back({address_of(&value), sizeof value, false});
    Program read{};
    read.lddw(2, address_of(&value)).add(ldx(kSizeDW, 0, 2, 0)).add(exit_insn());
    EXPECT_EQ(run(read.insns, address_of(ctx.data()), ctx.size(), nullptr, checked), 0x1234u);
    Program write{};
    write.lddw(2, address_of(&value)).add(st(kSizeDW, 2, 0, 1)).add(mov(0, 0)).add(exit_insn());
    EXPECT_NE(error_of(write.insns, address_of(ctx.data()), ctx.size(), checked).find("read-only"),
              std::string::npos);
    EXPECT_EQ(value, 0x1234u);
}

TEST(InterpreterMemory, InstructionBudget) {
    ExecOptions limited;
    limited.instruction_budget = 1000;
    const std::vector<Instruction> forever{mov(0, 0), insn(kClassJmp | kJa, 0, 0, -1), exit_insn()};
    EXPECT_NE(error_of(forever, 0, 0, limited).find("instruction budget of 1000 exceeded"), std::string::npos);
    // A program inside the budget runs normally.
    EXPECT_EQ(run({mov(0, 3), exit_insn()}, 0, 0, nullptr, limited), 3u);
}

}  // namespace
}  // namespace ebpf::test
