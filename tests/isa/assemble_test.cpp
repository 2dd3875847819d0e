// assemble(): both syntaxes, labels, comments, and error messages that name
// the line and quote it.
#include <gtest/gtest.h>

#include <cstring>
#include <vector>

#include "ebpf/error.hpp"
#include "ebpf/isa.hpp"

namespace ebpf {
namespace {

Instruction insn(uint8_t opcode, uint8_t dst, uint8_t src, int16_t offset, int32_t imm) { return make_instruction(opcode, dst, src, offset, imm); }

void expect_program(const std::string& text, const std::vector<Instruction>& expected) {
    const auto actual = assemble(text);
    ASSERT_EQ(actual.size(), expected.size()) << text;
    for (size_t i = 0; i < actual.size(); ++i) {
        EXPECT_EQ(std::memcmp(&actual[i], &expected[i], sizeof(Instruction)), 0)
            << text << "\nslot " << i << ": got " << disassemble(actual[i]) << ", want "
            << disassemble(expected[i]);
    }
}

std::string error_of(const std::string& text) {
    try {
        assemble(text);
    } catch (const Error& e) {
        return e.what();
    }
    return "";
}

TEST(AssembleConformance, Alu) {
    expect_program("mov %r0, 1", {insn(0xb7, 0, 0, 0, 1)});
    expect_program("mov32 %r0, 1", {insn(0xb4, 0, 0, 0, 1)});
    expect_program("mov64 %r0, %r9", {insn(0xbf, 0, 9, 0, 0)});
    expect_program("add32 %r1, %r2", {insn(0x0c, 1, 2, 0, 0)});
    expect_program("sub %r1, -3", {insn(0x17, 1, 0, 0, -3)});
    expect_program("mul32 %r1, 0xffffffff", {insn(0x24, 1, 0, 0, -1)});
    expect_program("div %r1, %r2", {insn(0x3f, 1, 2, 0, 0)});
    expect_program("sdiv %r1, %r2", {insn(0x3f, 1, 2, 1, 0)});
    expect_program("sdiv32 %r1, 7", {insn(0x34, 1, 0, 1, 7)});
    expect_program("smod %r1, %r2", {insn(0x9f, 1, 2, 1, 0)});
    expect_program("smod32 %r1, -7", {insn(0x94, 1, 0, 1, -7)});
    expect_program("mod %r1, 3", {insn(0x97, 1, 0, 0, 3)});
    expect_program("or %r1, 1\nand %r1, 2\nxor %r1, 3",
                   {insn(0x47, 1, 0, 0, 1), insn(0x57, 1, 0, 0, 2), insn(0xa7, 1, 0, 0, 3)});
    expect_program("lsh %r1, 4\nrsh32 %r1, %r2\narsh %r1, 63",
                   {insn(0x67, 1, 0, 0, 4), insn(0x7c, 1, 2, 0, 0), insn(0xc7, 1, 0, 0, 63)});
    expect_program("neg %r3\nneg32 %r4", {insn(0x87, 3, 0, 0, 0), insn(0x84, 4, 0, 0, 0)});
    expect_program("movsx832 %r0, %r1\nmovsx1632 %r0, %r1",
                   {insn(0xbc, 0, 1, 8, 0), insn(0xbc, 0, 1, 16, 0)});
    expect_program("movsx864 %r0, %r1\nmovsx1664 %r0, %r1\nmovsx3264 %r0, %r1",
                   {insn(0xbf, 0, 1, 8, 0), insn(0xbf, 0, 1, 16, 0), insn(0xbf, 0, 1, 32, 0)});
    expect_program("le16 %r0\nle32 %r0\nle64 %r0",
                   {insn(0xd4, 0, 0, 0, 16), insn(0xd4, 0, 0, 0, 32), insn(0xd4, 0, 0, 0, 64)});
    expect_program("be16 %r0\nbe64 %r0", {insn(0xdc, 0, 0, 0, 16), insn(0xdc, 0, 0, 0, 64)});
    expect_program("swap16 %r0\nbswap64 %r0", {insn(0xd7, 0, 0, 0, 16), insn(0xd7, 0, 0, 0, 64)});
}

TEST(AssembleConformance, MemoryAndAtomics) {
    expect_program("lddw %r0, 0x123456789abcdef",
                   {insn(0x18, 0, 0, 0, static_cast<int32_t>(0x89abcdef)), insn(0, 0, 0, 0, 0x01234567)});
    expect_program("lddw %r1, -1", {insn(0x18, 1, 0, 0, -1), insn(0, 0, 0, 0, -1)});
    expect_program("ldxw %r0, [%r1+4]", {insn(0x61, 0, 1, 4, 0)});
    expect_program("ldxdw %r0, [%r10-8]", {insn(0x79, 0, 10, -8, 0)});
    expect_program("ldxh %r0, [%r1]", {insn(0x69, 0, 1, 0, 0)});
    expect_program("ldxb %r0, [%r1 + 0x10]", {insn(0x71, 0, 1, 16, 0)});
    expect_program("ldxsb %r0, [%r1+1]\nldxsh %r0, [%r1+2]\nldxsw %r0, [%r1+4]",
                   {insn(0x91, 0, 1, 1, 0), insn(0x89, 0, 1, 2, 0), insn(0x81, 0, 1, 4, 0)});
    expect_program("stw [%r1+2], 5", {insn(0x62, 1, 0, 2, 5)});
    expect_program("stb [%r10-1], -1\nsth [%r1], 2\nstdw [%r1+8], 3",
                   {insn(0x72, 10, 0, -1, -1), insn(0x6a, 1, 0, 0, 2), insn(0x7a, 1, 0, 8, 3)});
    expect_program("stxdw [%r10-8], %r1", {insn(0x7b, 10, 1, -8, 0)});
    expect_program("stxb [%r1+3], %r2\nstxh [%r1], %r2\nstxw [%r1+4], %r2",
                   {insn(0x73, 1, 2, 3, 0), insn(0x6b, 1, 2, 0, 0), insn(0x63, 1, 2, 4, 0)});
    expect_program("lock add [%r1+0], %r2", {insn(0xdb, 1, 2, 0, 0x00)});
    expect_program("lock add32 [%r1+4], %r2", {insn(0xc3, 1, 2, 4, 0x00)});
    expect_program("lock fetch add [%r1], %r2", {insn(0xdb, 1, 2, 0, 0x01)});
    expect_program("lock or [%r1], %r2\nlock fetch and32 [%r1], %r2\nlock fetch xor [%r1], %r2",
                   {insn(0xdb, 1, 2, 0, 0x40), insn(0xc3, 1, 2, 0, 0x51), insn(0xdb, 1, 2, 0, 0xa1)});
    expect_program("lock xchg [%r1], %r2\nlock cmpxchg32 [%r1-4], %r2",
                   {insn(0xdb, 1, 2, 0, 0xe1), insn(0xc3, 1, 2, -4, 0xf1)});
    expect_program("ldabsb 12\nldabsh 12\nldabsw 12",
                   {insn(0x30, 0, 0, 0, 12), insn(0x28, 0, 0, 0, 12), insn(0x20, 0, 0, 0, 12)});
    expect_program("ldindw %r1, 4", {insn(0x40, 0, 1, 0, 4)});
}

TEST(AssembleConformance, JumpsCallsAndLabels) {
    expect_program("jeq %r1, 2, +3", {insn(0x15, 1, 0, 3, 2)});
    expect_program("jeq32 %r1, %r2, -1", {insn(0x1e, 1, 2, -1, 0)});
    expect_program("jsgt %r1, -1, +0\njset32 %r1, 0x80000000, +0",
                   {insn(0x65, 1, 0, 0, -1), insn(0x46, 1, 0, 0, INT32_MIN)});
    expect_program("ja +2", {insn(0x05, 0, 0, 2, 0)});
    expect_program("ja32 +70000", {insn(0x06, 0, 0, 0, 70000)});
    expect_program("call 1", {insn(0x85, 0, 0, 0, 1)});
    expect_program("call helper 6", {insn(0x85, 0, 0, 0, 6)});
    expect_program("call local -3", {insn(0x85, 0, 1, 0, -3)});
    expect_program("exit", {insn(0x95, 0, 0, 0, 0)});
    expect_program(
        "  jne %r1, 0, skip  # comment\n"
        "  mov %r0, 1\n"
        "skip:\n"
        "  ja32 done ; another comment\n"
        "  call local fn\n"
        "done: exit\n"
        "fn:\n"
        "  // whole-line comment\n"
        "  jeq %r1, 1, fn\n"
        "  exit\n",
        {insn(0x55, 1, 0, 1, 0), insn(0xb7, 0, 0, 0, 1), insn(0x06, 0, 0, 0, 1),
         insn(0x85, 0, 1, 0, 1), insn(0x95, 0, 0, 0, 0), insn(0x15, 1, 0, -1, 1),
         insn(0x95, 0, 0, 0, 0)});
    // bpf_conformance programs may jump to "exit", the first exit instruction.
    expect_program("jeq %r1, 0, exit\nmov %r0, 1\nexit",
                   {insn(0x15, 1, 0, 1, 0), insn(0xb7, 0, 0, 0, 1), insn(0x95, 0, 0, 0, 0)});
}

TEST(AssembleCLike, LabelsInBothDirections) {
    expect_program(
        "loop:\n"
        "  r1 += 1\n"
        "  if r1 < 10 goto loop\n"
        "  if w1 == w2 goto out\n"
        "  gotol out\n"
        "  call helper_like\n"
        "out:\n"
        "  exit\n"
        "helper_like: r0 = 0\n"
        "  exit",
        {insn(0x07, 1, 0, 0, 1), insn(0xa5, 1, 0, -2, 10), insn(0x1e, 1, 2, 2, 0),
         insn(0x06, 0, 0, 0, 1), insn(0x85, 0, 1, 0, 1), insn(0x95, 0, 0, 0, 0),
         insn(0xb7, 0, 0, 0, 0), insn(0x95, 0, 0, 0, 0)});
}

TEST(AssembleCLike, AcceptsDisassemblyListing) {
    expect_program("   0: r0 = 1\n   1: exit\n", {insn(0xb7, 0, 0, 0, 1), insn(0x95, 0, 0, 0, 0)});
}

TEST(AssembleCLike, ImmediatesInEveryBase) {
    expect_program("r0 = 0x10\nr0 = -16\nr0 = 2147483647\nr0 = -2147483648\nw0 = 0xffffffff",
                   {insn(0xb7, 0, 0, 0, 16), insn(0xb7, 0, 0, 0, -16), insn(0xb7, 0, 0, 0, INT32_MAX),
                    insn(0xb7, 0, 0, 0, INT32_MIN), insn(0xb4, 0, 0, 0, -1)});
    expect_program("r1 = -1 ll", {insn(0x18, 1, 0, 0, -1), insn(0, 0, 0, 0, -1)});
}

TEST(AssembleErrors, NameTheLineAndQuoteIt) {
    EXPECT_EQ(error_of("r0 = 1\n\nfoo %r1, 2\n"), "line 3: unknown instruction 'foo': 'foo %r1, 2'");
    EXPECT_EQ(error_of("mov %r0, 1\nmov %r16, 1"),
              "line 2: unknown register '%r16' (registers are r0..r10): 'mov %r16, 1'");
    EXPECT_EQ(error_of("r0 = 0x100000000"),
              "line 1: immediate 0x100000000 does not fit in 32 bits: 'r0 = 0x100000000'");
    EXPECT_EQ(error_of("r0 = -2147483649"),
              "line 1: immediate -2147483649 does not fit in 32 bits: 'r0 = -2147483649'");
    EXPECT_EQ(error_of("exit\nr0 = *(u32 *)(r1 + 32768)"),
              "line 2: offset 32768 does not fit in the 16-bit offset field (-32768..32767): "
              "'r0 = *(u32 *)(r1 + 32768)'");
    EXPECT_EQ(error_of("ldxw %r0, [%r1+40000]"),
              "line 1: offset +40000 does not fit in the 16-bit offset field (-32768..32767): "
              "'ldxw %r0, [%r1+40000]'");
    EXPECT_EQ(error_of("goto +32768"),
              "line 1: jump distance 32768 does not fit in the 16-bit offset field (use gotol for "
              "long jumps): 'goto +32768'");
    EXPECT_EQ(error_of("r0 = 1\ngoto nowhere\nexit"), "line 2: unknown label 'nowhere': 'goto nowhere'");
    EXPECT_EQ(error_of("a:\nexit\na:\nexit"), "line 3: label 'a' is already defined on line 1: 'a:'");
    EXPECT_EQ(error_of("w1 += r2"),
              "line 1: mixes 32-bit (wN) and 64-bit (rN) registers; use one width in an instruction: "
              "'w1 += r2'");
    EXPECT_EQ(error_of("r1 = -r2"), "line 1: negation works in place: write 'r1 = -r1': 'r1 = -r2'");
    EXPECT_EQ(error_of("r1 += "), "line 1: expected a number at the end of the line: 'r1 +='");
    EXPECT_EQ(error_of("r1 = *(u32 *)(r2 + 4"),
              "line 1: expected ')' at the end of the line: 'r1 = *(u32 *)(r2 + 4'");
    EXPECT_EQ(error_of("mov %r0, 1 2"), "line 1: unexpected text '2': 'mov %r0, 1 2'");
    EXPECT_EQ(error_of("r1 = *(u24 *)(r2 + 0)"),
              "line 1: unknown access size '24' (8, 16, 32 or 64): 'r1 = *(u24 *)(r2 + 0)'");
    EXPECT_EQ(error_of("lock nand [%r1], %r2"),
              "line 1: unknown atomic operation 'nand' (add, or, and, xor, xchg, cmpxchg): "
              "'lock nand [%r1], %r2'");
    EXPECT_EQ(error_of("lddw %r0, 0x10000000000000000"),
              "line 1: number 0x10000000000000000 does not fit in 64 bits: 'lddw %r0, 0x10000000000000000'");
    EXPECT_EQ(error_of("r2 = atomic_fetch_add((u64 *)(r1 + 0), r3)"),
              "line 1: the old value goes to the source register: write 'r3 = atomic_fetch_add(..., r3)': "
              "'r2 = atomic_fetch_add((u64 *)(r1 + 0), r3)'");
}

TEST(AssembleErrors, EmptyTextIsAnEmptyProgram) {
    EXPECT_TRUE(assemble("").empty());
    EXPECT_TRUE(assemble("# only a comment\n\n").empty());
}

TEST(Assemble, InvalidFieldsStillEncodeSoValidateCanReportThem) {
    // r11..r15 fit the 4-bit field; validate() rejects them with its own message.
    expect_program("mov %r11, 1", {insn(0xb7, 11, 0, 0, 1)});
    expect_program("r10 = 1", {insn(0xb7, 10, 0, 0, 1)});
}

}  // namespace
}  // namespace ebpf
