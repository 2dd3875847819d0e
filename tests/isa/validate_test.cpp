// validate(): one test per class of error, each checking the message names
// the instruction and the reason.
#include <gtest/gtest.h>

#include <algorithm>
#include <initializer_list>
#include <vector>

#include "ebpf/error.hpp"
#include "ebpf/isa.hpp"

namespace ebpf {
namespace {

const Instruction kExit{op::kClassJmp | op::kExit, 0, 0, 0, 0};

std::string error_of(std::vector<Instruction> insns, const ValidateOptions& options = {}) {
    try {
        validate(insns, options);
    } catch (const Error& e) {
        return e.what();
    }
    return "";
}

Instruction insn(uint8_t opcode, uint8_t dst, uint8_t src, int16_t offset, int32_t imm) { return make_instruction(opcode, dst, src, offset, imm); }

TEST(Validate, AcceptsASmallProgram) {
    EXPECT_NO_THROW(validate(assemble("r0 = 1\nr0 += 2\nexit")));
}

TEST(Validate, RejectsEmptyProgram) {
    EXPECT_EQ(error_of({}), "program has no instructions");
}

TEST(Validate, UnknownOpcode) {
    EXPECT_EQ(error_of({insn(0xff, 0, 0, 0, 0), kExit}), "instruction 0: unknown opcode 0xff");
    // NEG has no register form, END no ALU64 X form, JMP32 has no call or exit.
    EXPECT_EQ(error_of({kExit, insn(0x8f, 1, 0, 0, 0)}), "instruction 1: unknown opcode 0x8f");
    EXPECT_EQ(error_of({insn(0xdf, 1, 0, 0, 16), kExit}), "instruction 0: unknown opcode 0xdf");
    EXPECT_EQ(error_of({insn(0x96, 0, 0, 0, 0)}), "instruction 0: unknown opcode 0x96");
    EXPECT_EQ(error_of({insn(0x86, 0, 0, 0, 1), kExit}), "instruction 0: unknown opcode 0x86");
    // LDX MEMSX has no DW form; there is no callx.
    EXPECT_EQ(error_of({insn(0x99, 1, 2, 0, 0), kExit}), "instruction 0: unknown opcode 0x99");
    EXPECT_EQ(error_of({insn(0x8d, 0, 1, 0, 0), kExit}), "instruction 0: unknown opcode 0x8d");
}

TEST(Validate, BadRegisterNumbers) {
    EXPECT_EQ(error_of({insn(0xb7, 11, 0, 0, 1), kExit}),
              "instruction 0: invalid destination register r11 (registers are r0..r10)");
    EXPECT_EQ(error_of({insn(0xbf, 1, 15, 0, 0), kExit}),
              "instruction 0: invalid source register r15 (registers are r0..r10)");
    EXPECT_EQ(error_of({insn(0x61, 1, 12, 0, 0), kExit}),
              "instruction 0: invalid source register r12 (registers are r0..r10)");
}

TEST(Validate, WritesToFramePointer) {
    EXPECT_NE(error_of({insn(0xb7, 10, 0, 0, 1), kExit}).find("instruction 0: r10 is the read-only frame pointer"),
              std::string::npos);
    EXPECT_NE(error_of(assemble("r10 = *(u64 *)(r1 + 0)\nexit")).find("r10 is the read-only"),
              std::string::npos);
    EXPECT_NE(error_of(assemble("r10 = 1 ll\nexit")).find("r10 is the read-only"), std::string::npos);
    EXPECT_NE(error_of(assemble("r10 = xchg_64(r1 + 0, r10)\nexit")).find("r10 is the read-only"),
              std::string::npos);
    // r10 as a base for stores and loads, and as a compared/stored value, is fine.
    EXPECT_NO_THROW(validate(assemble(
        "*(u64 *)(r10 - 8) = 1\n*(u64 *)(r10 - 16) = r10\nr1 = *(u64 *)(r10 - 8)\n"
        "lock *(u64 *)(r10 - 8) += r1\nr1 = r10\nif r10 > r1 goto +0\nexit")));
}

TEST(Validate, ReservedFieldsMustBeZero) {
    EXPECT_EQ(error_of({insn(0x0f, 1, 2, 0, 7), kExit}),
              "instruction 0: add64 X (0x0f) does not use the immediate; it must be 0 (is 7)");
    EXPECT_EQ(error_of({insn(0x07, 1, 2, 0, 7), kExit}),
              "instruction 0: add64 K (0x07) does not use the source register; the field must be 0 (is 2)");
    EXPECT_EQ(error_of({insn(0x07, 1, 0, 3, 7), kExit}),
              "instruction 0: add64 K (0x07) does not use the offset; it must be 0 (is 3)");
    EXPECT_EQ(error_of({kExit, insn(0x95, 0, 0, 0, 1)}),
              "instruction 1: exit (0x95) does not use the immediate; it must be 0 (is 1)");
    EXPECT_EQ(error_of({insn(0x61, 1, 2, 0, 4), kExit}),
              "instruction 0: ldx mem w (0x61) does not use the immediate; it must be 0 (is 4)");
    EXPECT_EQ(error_of({insn(0x62, 1, 3, 0, 4), kExit}),
              "instruction 0: st mem w (0x62) does not use the source register; the field must be 0 (is 3)");
    EXPECT_EQ(error_of({insn(0x05, 1, 0, 0, 0), kExit}),
              "instruction 0: ja (0x05) does not use the destination register; the field must be 0 (is 1)");
    EXPECT_EQ(error_of({insn(0x87, 1, 0, 0, 1), kExit}),
              "instruction 0: neg64 (0x87) does not use the immediate; it must be 0 (is 1)");
}

TEST(Validate, OffsetsWithMeaning) {
    EXPECT_EQ(error_of({insn(0x3f, 1, 2, 1, 0), insn(0x97, 1, 0, 1, 3), kExit}), "");  // sdiv, smod
    EXPECT_EQ(error_of({insn(0x3f, 1, 2, 2, 0), kExit}),
              "instruction 0: offset 2 is not valid for div64 X (0x3f) (allowed: 0, 1)");
    EXPECT_EQ(error_of({insn(0xbf, 1, 2, 32, 0), insn(0xbc, 1, 2, 16, 0), kExit}), "");  // movsx
    EXPECT_EQ(error_of({insn(0xbc, 1, 2, 32, 0), kExit}),
              "instruction 0: offset 32 is not valid for mov32 X (0xbc) (allowed: 0, 8, 16)");
    EXPECT_EQ(error_of({insn(0xb7, 1, 0, 8, 0), kExit}),
              "instruction 0: mov64 K (0xb7) does not use the offset; it must be 0 (is 8)");
}

TEST(Validate, EndianAndAtomicImmediates) {
    EXPECT_EQ(error_of({insn(0xd4, 1, 0, 0, 8), kExit}),
              "instruction 0: immediate 8 is not valid for le (0xd4) (allowed: 16, 32, 64)");
    EXPECT_EQ(error_of({insn(0xdb, 1, 2, 0, 0x10), kExit}),
              "instruction 0: immediate 0x10 is not valid for stx atomic dw (0xdb) (allowed: 0x0, "
              "0x1, 0x40, 0x41, 0x50, 0x51, 0xa0, 0xa1, 0xe1, 0xf1)");
    EXPECT_NE(error_of({insn(0xc3, 1, 2, 0, 0xe0), kExit}).find("immediate 0xe0 is not valid"),
              std::string::npos);  // xchg without the fetch bit
}

TEST(Validate, JumpTargets) {
    EXPECT_EQ(error_of(assemble("r0 = 0\nr0 = 1\nr0 = 2\nif r0 > 1 goto +13\nexit")),
              "instruction 3: jump to 17 is outside the program (5 instructions)");
    EXPECT_EQ(error_of(assemble("goto -2\nexit")),
              "instruction 0: jump to -1 is outside the program (2 instructions)");
    EXPECT_EQ(error_of(assemble("goto +1\nexit")),
              "instruction 0: jump to 2 is outside the program (2 instructions)");
    EXPECT_EQ(error_of(assemble("gotol +5\nexit")),
              "instruction 0: jump to 6 is outside the program (2 instructions)");
    EXPECT_EQ(error_of(assemble("goto +1\nr0 = 1 ll\nexit")),
              "instruction 0: jump to 2 lands in the second slot of the LDDW at instruction 1");
    EXPECT_EQ(error_of(assemble("r0 = 1 ll\nexit\nif w0 == 0x0 goto -3")),
              "instruction 3: jump to 1 lands in the second slot of the LDDW at instruction 0");
    EXPECT_NO_THROW(validate(assemble("goto +0\nif r1 == 0x1 goto -2\nexit")));
}

TEST(Validate, Calls) {
    EXPECT_NO_THROW(validate(assemble("call 1\ncall pc+1\nexit\nexit")));
    EXPECT_EQ(error_of(assemble("call pc+5\nexit")),
              "instruction 0: local call to 6 is outside the program (2 instructions)");
    EXPECT_EQ(error_of(assemble("call kfunc 7\nexit")),
              "instruction 0: calls to kernel functions (kfunc, call with src 2) are not supported");
    EXPECT_EQ(error_of({insn(0x85, 0, 3, 0, 1), kExit}),
              "instruction 0: source field 3 is not valid for call (0x85) (allowed: 0, 1, 2)");
    EXPECT_EQ(error_of({insn(0x85, 0, 0, 0, -1), kExit}), "instruction 0: helper id -1 is invalid");
}

TEST(Validate, Lddw) {
    EXPECT_EQ(error_of({kExit, insn(0x18, 1, 0, 0, 1)}),
              "instruction 1: LDDW is truncated: its second slot is missing at the end of the program");
    EXPECT_EQ(error_of({insn(0x18, 1, 0, 0, 1), insn(0x18, 0, 0, 0, 0), kExit}),
              "instruction 1: the second slot of the LDDW at instruction 0 must have opcode, registers "
              "and offset 0");
    EXPECT_NE(error_of({insn(0x18, 1, 0, 0, 1), insn(0, 1, 0, 0, 0), kExit}).find("instruction 1: the second slot"),
              std::string::npos);
    EXPECT_NE(error_of({insn(0x18, 1, 0, 0, 1), insn(0, 0, 0, 4, 0), kExit}).find("instruction 1: the second slot"),
              std::string::npos);
    EXPECT_EQ(error_of({insn(0x18, 1, 7, 0, 1), insn(0, 0, 0, 0, 0), kExit}),
              "instruction 0: source field 7 is not valid for ld imm dw (0x18) (allowed: 0, 1, 2, 3, 4, 5, 6)");
    EXPECT_NO_THROW(validate(assemble("r1 = map_by_idx(0)\nr2 = map_value_by_idx(1)+16\nr3 = func(pc+1)\nexit\nexit")));
    EXPECT_EQ(error_of({insn(0x18, 1, 5, 0, 0), insn(0, 0, 0, 0, 9), kExit}),
              "instruction 1: the second slot of LDDW pseudo form src=5 must have immediate 0 (is 9)");
    EXPECT_EQ(error_of(assemble("r3 = func(pc+9)\nexit")),
              "instruction 0: function reference to 10 is outside the program (3 instructions)");
    ValidateOptions plain;
    plain.allow_pseudo_lddw = false;
    EXPECT_EQ(error_of(assemble("r1 = map_by_idx(0)\nexit"), plain),
              "instruction 0: LDDW pseudo form src=5 (maps, functions) must be resolved by a loader first");
    EXPECT_NO_THROW(validate(assemble("r1 = 5 ll\nexit"), plain));
}

TEST(Validate, LegacyPacketAccessOnlyWhenAllowed) {
    const auto program = assemble("r0 = *(u16 *)skb[12]\nr0 = *(u32 *)skb[r1 + 4]\nexit");
    EXPECT_NO_THROW(validate(program));
    ValidateOptions strict;
    strict.allow_legacy_packet = false;
    EXPECT_EQ(error_of(program, strict),
              "instruction 0: legacy packet access (LD ABS/IND) is not allowed here");
    EXPECT_NE(error_of({insn(0x20, 1, 0, 0, 0), kExit}).find("does not use the destination register"),
              std::string::npos);
}

TEST(Validate, ValidOpcodesAreExactlyTheIsa) {
    // RFC 9669 ISA v4 opcodes, written out by hand (not derived from the table).
    const std::vector<int> expected = {
        // ALU (32-bit): add sub mul div or and lsh rsh K/X, neg K, mod xor mov arsh K/X, le/be
        0x04, 0x0c, 0x14, 0x1c, 0x24, 0x2c, 0x34, 0x3c, 0x44, 0x4c, 0x54, 0x5c, 0x64, 0x6c,
        0x74, 0x7c, 0x84, 0x94, 0x9c, 0xa4, 0xac, 0xb4, 0xbc, 0xc4, 0xcc, 0xd4, 0xdc,
        // ALU64, bswap is 0xd7
        0x07, 0x0f, 0x17, 0x1f, 0x27, 0x2f, 0x37, 0x3f, 0x47, 0x4f, 0x57, 0x5f, 0x67, 0x6f,
        0x77, 0x7f, 0x87, 0x97, 0x9f, 0xa7, 0xaf, 0xb7, 0xbf, 0xc7, 0xcf, 0xd7,
        // JMP: ja, conditionals K/X, call, exit
        0x05, 0x15, 0x1d, 0x25, 0x2d, 0x35, 0x3d, 0x45, 0x4d, 0x55, 0x5d, 0x65, 0x6d, 0x75,
        0x7d, 0x85, 0x95, 0xa5, 0xad, 0xb5, 0xbd, 0xc5, 0xcd, 0xd5, 0xdd,
        // JMP32: gotol, conditionals K/X
        0x06, 0x16, 0x1e, 0x26, 0x2e, 0x36, 0x3e, 0x46, 0x4e, 0x56, 0x5e, 0x66, 0x6e, 0x76,
        0x7e, 0xa6, 0xae, 0xb6, 0xbe, 0xc6, 0xce, 0xd6, 0xde,
        // LD: lddw, abs w/h/b, ind w/h/b
        0x18, 0x20, 0x28, 0x30, 0x40, 0x48, 0x50,
        // LDX mem w/h/b/dw, memsx w/h/b
        0x61, 0x69, 0x71, 0x79, 0x81, 0x89, 0x91,
        // ST, STX mem, STX atomic w/dw
        0x62, 0x6a, 0x72, 0x7a, 0x63, 0x6b, 0x73, 0x7b, 0xc3, 0xdb};
    ASSERT_EQ(expected.size(), 125u);
    for (int opcode = 0; opcode < 256; ++opcode) {
        const std::string message = error_of({insn(static_cast<uint8_t>(opcode), 0, 0, 0, 0), kExit});
        const bool unknown = message.find("unknown opcode") != std::string::npos;
        const bool listed = std::find(expected.begin(), expected.end(), opcode) != expected.end();
        EXPECT_EQ(unknown, !listed) << "opcode " << opcode << ": " << message;
    }
}

}  // namespace
}  // namespace ebpf
