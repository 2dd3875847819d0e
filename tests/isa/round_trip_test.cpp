// Everything disassemble() prints for a valid instruction assembles back to
// the same bytes. The instructions are found by brute force over opcodes and
// interesting field values, so the test does not trust the encoding table.
#include <gtest/gtest.h>

#include <cstring>
#include <set>
#include <vector>

#include "ebpf/error.hpp"
#include "ebpf/isa.hpp"

namespace ebpf {
namespace {

bool same(const Instruction& a, const Instruction& b) { return std::memcmp(&a, &b, sizeof a) == 0; }

TEST(RoundTrip, EveryValidEncodingAssemblesBackToItsBytes) {
    const uint8_t dsts[] = {0, 9, 10};
    const std::vector<uint8_t> few_srcs = {0, 2, 10};
    const std::vector<uint8_t> all_srcs = {0, 1, 2, 3, 4, 5, 6, 10};  // LDDW and call forms
    const int16_t offsets[] = {0, 1, 8, 16, 32, -1, INT16_MIN, INT16_MAX};
    const std::vector<int32_t> imms = {0, 1, 16, 32, 64, -1, INT32_MIN, INT32_MAX};
    std::vector<int32_t> atomic_imms = imms;
    for (int32_t operation : {0x40, 0x41, 0x50, 0x51, 0xa0, 0xa1, 0xe1, 0xf1, 0x10}) {
        atomic_imms.push_back(operation);
    }

    std::set<int> opcodes_seen;
    size_t round_trips = 0;
    // Context: the instruction, a second slot, then enough exits for short
    // jumps and calls to land somewhere.
    std::vector<Instruction> program(40);
    for (auto& slot : program) slot.opcode = op::kClassJmp | op::kExit;

    auto round_trip = [&](const Instruction& insn, const Instruction& second) {
        const bool is_lddw = insn.opcode == op::kLddw;
        program[0] = insn;
        program[1] = is_lddw ? second : program[2];
        try {
            validate(program);
        } catch (const Error&) {
            return;
        }
        const std::string text = disassemble(insn, is_lddw ? &second : nullptr);
        std::vector<Instruction> back;
        try {
            back = assemble(text);
        } catch (const Error& e) {
            ADD_FAILURE() << "'" << text << "' does not assemble: " << e.what();
            return;
        }
        ASSERT_EQ(back.size(), is_lddw ? 2u : 1u) << text;
        EXPECT_TRUE(same(back[0], insn)) << "'" << text << "' changed opcode 0x" << std::hex
                                         << int(insn.opcode);
        if (is_lddw) {
            EXPECT_TRUE(same(back[1], second)) << text;
        }
        opcodes_seen.insert(insn.opcode);
        ++round_trips;
    };

    for (int opcode = 0; opcode < 256; ++opcode) {
        const bool many_forms = opcode == op::kLddw || opcode == (op::kClassJmp | op::kCall);
        const bool atomic = op::cls(static_cast<uint8_t>(opcode)) == op::kClassStx;
        for (uint8_t dst : dsts) {
            for (uint8_t src : many_forms ? all_srcs : few_srcs) {
                for (int16_t offset : offsets) {
                    for (int32_t imm : atomic ? atomic_imms : imms) {
                        Instruction insn;
                        insn.opcode = static_cast<uint8_t>(opcode);
                        insn.dst = dst;
                        insn.src = src;
                        insn.offset = offset;
                        insn.imm = imm;
                        for (int32_t second_imm : {0, 8, -1}) {
                            Instruction second{};
                            second.imm = second_imm;
                            round_trip(insn, second);
                            if (opcode != op::kLddw) break;
                        }
                    }
                }
            }
        }
    }
    EXPECT_EQ(opcodes_seen.size(), 125u);  // every opcode of ISA v4 (see validate_test.cpp)
    EXPECT_GT(round_trips, 2000u);
}

TEST(RoundTrip, WholeProgramsThroughDisassembleProgram) {
    const char* source = R"(
        r6 = r1
        r1 = 0x1122334455667788 ll
        *(u64 *)(r10 - 8) = r1
        r2 = r10
        r2 += -8
        r0 = *(u32 *)(r2 + 0)
        if w0 s> w1 goto +2
        r0 = map_value_by_idx(1)+4
        call pc+1
        exit
        r0 = 7
        exit
    )";
    const auto program = assemble(source);
    const auto again = assemble(disassemble_program(program));
    EXPECT_EQ(instructions_to_bytes(again), instructions_to_bytes(program));
}

}  // namespace
}  // namespace ebpf
