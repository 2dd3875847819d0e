// disassemble(): the text of every form, as llvm-objdump and the Linux
// verifier log write it.
#include <gtest/gtest.h>

#include <vector>

#include "ebpf/error.hpp"
#include "ebpf/isa.hpp"

namespace ebpf {
namespace {

Instruction insn(uint8_t opcode, uint8_t dst, uint8_t src, int16_t offset, int32_t imm) { return make_instruction(opcode, dst, src, offset, imm); }

struct Case {
    Instruction insn;
    const char* text;
};

TEST(Disassemble, EveryForm) {
    const std::vector<Case> cases = {
        // ALU64 / ALU, immediate and register sources
        {insn(0xb7, 0, 0, 0, 1), "r0 = 1"},
        {insn(0xb7, 0, 0, 0, -1), "r0 = -1"},
        {insn(0xbc, 0, 1, 0, 0), "w0 = w1"},
        {insn(0xb4, 3, 0, 0, 7), "w3 = 7"},
        {insn(0x0f, 1, 2, 0, 0), "r1 += r2"},
        {insn(0x07, 1, 0, 0, -5), "r1 += -5"},
        {insn(0x04, 1, 0, 0, 5), "w1 += 5"},
        {insn(0x1f, 1, 2, 0, 0), "r1 -= r2"},
        {insn(0x2c, 1, 2, 0, 0), "w1 *= w2"},
        {insn(0x37, 1, 0, 0, 3), "r1 /= 3"},
        {insn(0x37, 1, 0, 1, 3), "r1 s/= 3"},
        {insn(0x3c, 1, 2, 1, 0), "w1 s/= w2"},
        {insn(0x47, 1, 0, 0, 8), "r1 |= 8"},
        {insn(0x5f, 1, 2, 0, 0), "r1 &= r2"},
        {insn(0x67, 1, 0, 0, 3), "r1 <<= 3"},
        {insn(0x7c, 1, 2, 0, 0), "w1 >>= w2"},
        {insn(0x87, 1, 0, 0, 0), "r1 = -r1"},
        {insn(0x84, 1, 0, 0, 0), "w1 = -w1"},
        {insn(0x97, 1, 0, 0, 3), "r1 %= 3"},
        {insn(0x9f, 1, 2, 1, 0), "r1 s%= r2"},
        {insn(0xa7, 1, 0, 0, 255), "r1 ^= 255"},
        {insn(0xc7, 1, 0, 0, 2), "r1 s>>= 2"},
        {insn(0xcc, 1, 2, 0, 0), "w1 s>>= w2"},
        {insn(0xbf, 1, 2, 8, 0), "r1 = (s8)r2"},
        {insn(0xbf, 1, 2, 32, 0), "r1 = (s32)r2"},
        {insn(0xbc, 1, 2, 16, 0), "w1 = (s16)w2"},
        {insn(0xd4, 1, 0, 0, 16), "r1 = le16 r1"},
        {insn(0xdc, 1, 0, 0, 16), "r1 = be16 r1"},
        {insn(0xdc, 1, 0, 0, 64), "r1 = be64 r1"},
        {insn(0xd7, 1, 0, 0, 32), "r1 = bswap32 r1"},
        // loads and stores
        {insn(0x61, 1, 2, 4, 0), "r1 = *(u32 *)(r2 + 4)"},
        {insn(0x69, 1, 2, 0, 0), "r1 = *(u16 *)(r2 + 0)"},
        {insn(0x71, 1, 2, 0, 0), "r1 = *(u8 *)(r2 + 0)"},
        {insn(0x79, 1, 10, -8, 0), "r1 = *(u64 *)(r10 - 8)"},
        {insn(0x91, 1, 2, -1, 0), "r1 = *(s8 *)(r2 - 1)"},
        {insn(0x89, 1, 2, 2, 0), "r1 = *(s16 *)(r2 + 2)"},
        {insn(0x81, 1, 2, 0, 0), "r1 = *(s32 *)(r2 + 0)"},
        {insn(0x62, 1, 0, 2, 5), "*(u32 *)(r1 + 2) = 5"},
        {insn(0x72, 10, 0, -1, -3), "*(u8 *)(r10 - 1) = -3"},
        {insn(0x7b, 10, 1, -8, 0), "*(u64 *)(r10 - 8) = r1"},
        {insn(0x6b, 1, 2, 6, 0), "*(u16 *)(r1 + 6) = r2"},
        // atomics
        {insn(0xdb, 1, 2, 0, 0x00), "lock *(u64 *)(r1 + 0) += r2"},
        {insn(0xc3, 1, 2, 4, 0x40), "lock *(u32 *)(r1 + 4) |= w2"},
        {insn(0xdb, 1, 2, 0, 0x50), "lock *(u64 *)(r1 + 0) &= r2"},
        {insn(0xdb, 1, 2, -8, 0xa0), "lock *(u64 *)(r1 - 8) ^= r2"},
        {insn(0xdb, 1, 2, 0, 0x01), "r2 = atomic_fetch_add((u64 *)(r1 + 0), r2)"},
        {insn(0xc3, 1, 2, 0, 0x41), "w2 = atomic_fetch_or((u32 *)(r1 + 0), w2)"},
        {insn(0xdb, 1, 2, 0, 0x51), "r2 = atomic_fetch_and((u64 *)(r1 + 0), r2)"},
        {insn(0xdb, 1, 2, 0, 0xa1), "r2 = atomic_fetch_xor((u64 *)(r1 + 0), r2)"},
        {insn(0xdb, 1, 2, 0, 0xe1), "r2 = xchg_64(r1 + 0, r2)"},
        {insn(0xc3, 1, 2, 0, 0xe1), "w2 = xchg32_32(r1 + 0, w2)"},
        {insn(0xdb, 1, 2, 0, 0xf1), "r0 = cmpxchg_64(r1 + 0, r0, r2)"},
        {insn(0xc3, 1, 2, 0, 0xf1), "w0 = cmpxchg32_32(r1 + 0, w0, w2)"},
        // jumps
        {insn(0x25, 1, 0, 3, 0x10), "if r1 > 0x10 goto +3"},
        {insn(0xce, 1, 2, -2, 0), "if w1 s< w2 goto -2"},
        {insn(0x15, 1, 0, 0, -1), "if r1 == -0x1 goto +0"},
        {insn(0x1d, 1, 2, 1, 0), "if r1 == r2 goto +1"},
        {insn(0x35, 1, 0, 1, 0), "if r1 >= 0x0 goto +1"},
        {insn(0x45, 1, 0, 1, 4), "if r1 & 0x4 goto +1"},
        {insn(0x55, 1, 0, 1, 4), "if r1 != 0x4 goto +1"},
        {insn(0x65, 1, 0, 1, 4), "if r1 s> 0x4 goto +1"},
        {insn(0x75, 1, 0, 1, 4), "if r1 s>= 0x4 goto +1"},
        {insn(0xa5, 1, 0, 1, 4), "if r1 < 0x4 goto +1"},
        {insn(0xb5, 1, 0, 1, 4), "if r1 <= 0x4 goto +1"},
        {insn(0xc5, 1, 0, 1, 4), "if r1 s< 0x4 goto +1"},
        {insn(0xd5, 1, 0, 1, 4), "if r1 s<= 0x4 goto +1"},
        {insn(0x16, 1, 0, 1, 4), "if w1 == 0x4 goto +1"},
        {insn(0x05, 0, 0, 1, 0), "goto +1"},
        {insn(0x05, 0, 0, -1, 0), "goto -1"},
        {insn(0x06, 0, 0, 0, 100), "gotol +100"},
        {insn(0x85, 0, 0, 0, 1), "call 1"},
        {insn(0x85, 0, 1, 0, 4), "call pc+4"},
        {insn(0x85, 0, 1, 0, -3), "call pc-3"},
        {insn(0x95, 0, 0, 0, 0), "exit"},
        // legacy packet access
        {insn(0x30, 0, 0, 0, 12), "r0 = *(u8 *)skb[12]"},
        {insn(0x48, 0, 1, 0, 4), "r0 = *(u16 *)skb[r1 + 4]"},
    };
    for (const Case& c : cases) {
        EXPECT_EQ(disassemble(c.insn), c.text) << "opcode 0x" << std::hex << int(c.insn.opcode);
    }
}

TEST(Disassemble, LddwForms) {
    const Instruction high = insn(0, 0, 0, 0, 0x1);
    EXPECT_EQ(disassemble(insn(0x18, 1, 0, 0, 0x23456789), &high), "r1 = 0x123456789 ll");
    const Instruction zero = insn(0, 0, 0, 0, 0);
    const Instruction eight = insn(0, 0, 0, 0, 8);
    EXPECT_EQ(disassemble(insn(0x18, 1, 1, 0, 3), &zero), "r1 = map_by_fd(3)");
    EXPECT_EQ(disassemble(insn(0x18, 1, 2, 0, 3), &eight), "r1 = map_value_by_fd(3)+8");
    EXPECT_EQ(disassemble(insn(0x18, 1, 3, 0, 77), &zero), "r1 = btf_id(77)");
    EXPECT_EQ(disassemble(insn(0x18, 1, 4, 0, 5), &zero), "r1 = func(pc+5)");
    EXPECT_EQ(disassemble(insn(0x18, 1, 5, 0, 2), &zero), "r1 = map_by_idx(2)");
    EXPECT_EQ(disassemble(insn(0x18, 1, 6, 0, 2), &eight), "r1 = map_value_by_idx(2)+8");
    const Instruction all_ones = insn(0, 0, 0, 0, -1);
    EXPECT_EQ(disassemble(insn(0x18, 2, 0, 0, -1), &all_ones), "r2 = 0xffffffffffffffff ll");
    // Without its second slot the LDDW is shown as truncated, not read past.
    EXPECT_EQ(disassemble(insn(0x18, 1, 0, 0, 5)), "r1 = .truncated lddw 0x5");
}

TEST(Disassemble, InvalidOpcodesShowTheRawFields) {
    EXPECT_EQ(disassemble(insn(0xff, 1, 2, 3, 4)), ".invalid opcode=0xff dst=1 src=2 off=3 imm=4");
    EXPECT_EQ(disassemble(insn(0xdb, 1, 2, 0, 0x10)), ".invalid opcode=0xdb dst=1 src=2 off=0 imm=16");
}

// The isa knows no helper names; a namer (ebpf/abi.hpp's linux_helper_name in
// the tools) adds them as bpftool prints them, and the assembler reads them back.
std::string_view test_namer(int32_t id) { return id == 1 ? "bpf_map_lookup_elem" : ""; }

TEST(Disassemble, HelperCallsNamedByTheNamer) {
    EXPECT_EQ(disassemble(insn(0x85, 0, 0, 0, 1), nullptr, test_namer), "call bpf_map_lookup_elem#1");
    EXPECT_EQ(disassemble(insn(0x85, 0, 0, 0, 7), nullptr, test_namer), "call 7");  // unnamed ID
    EXPECT_EQ(disassemble(insn(0x85, 0, 1, 0, 4), nullptr, test_namer), "call pc+4");  // local calls: no name
    const auto program = assemble("call bpf_map_lookup_elem#1\ncall anything#7 # comment\nexit");
    ASSERT_EQ(program.size(), 3u);
    EXPECT_EQ(program[0].imm, 1);
    EXPECT_EQ(program[0].src, 0);  // a helper call, not a call to label "bpf_map_lookup_elem"
    EXPECT_EQ(program[1].imm, 7);  // the ID decides
    EXPECT_EQ(disassemble_program(program, test_namer),
              "   0: call bpf_map_lookup_elem#1\n"
              "   1: call 7\n"
              "   2: exit\n");
    EXPECT_THROW(assemble("call bpf_map_lookup_elem#"), Error);  // no ID: a label that does not exist
}

TEST(Disassemble, ProgramNumbersSlotsAndSkipsLddwSecondHalf) {
    const auto program = assemble("r1 = 0x100000000 ll\nr0 = 0\nexit");
    EXPECT_EQ(disassemble_program(program),
              "   0: r1 = 0x100000000 ll\n"
              "   2: r0 = 0\n"
              "   3: exit\n");
}

}  // namespace
}  // namespace ebpf
