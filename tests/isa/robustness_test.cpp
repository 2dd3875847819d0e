// Random bytes through validate() and disassemble(), random text through
// assemble(): errors are ebpf::Error, never a crash or another exception.
#include <gtest/gtest.h>

#include <random>
#include <string>
#include <vector>

#include "ebpf/error.hpp"
#include "ebpf/isa.hpp"

namespace ebpf {
namespace {

TEST(Robustness, RandomBytecodeNeverCrashes) {
    std::mt19937 random(12345);
    size_t rejected = 0;
    for (int round = 0; round < 3000; ++round) {
        std::vector<uint8_t> bytes((random() % 16) * 8);
        for (auto& b : bytes) b = static_cast<uint8_t>(random());
        // Half the rounds use only valid opcodes so that field checks are reached.
        if (round % 2 == 0) {
            static const uint8_t kCommon[] = {0x07, 0x0f, 0x18, 0x61, 0x7b, 0xdb, 0x15, 0x85, 0x95, 0x06};
            for (size_t i = 0; i < bytes.size(); i += 8) bytes[i] = kCommon[random() % std::size(kCommon)];
        }
        const auto insns = instructions_from_bytes(bytes);
        try {
            validate(insns);
        } catch (const Error& e) {
            ++rejected;
            EXPECT_FALSE(std::string(e.what()).empty());
        }
        const std::string text = disassemble_program(insns);
        EXPECT_EQ(text.empty(), insns.empty());
        for (const auto& insn : insns) EXPECT_FALSE(disassemble(insn).empty());
    }
    EXPECT_GT(rejected, 2500u);
}

TEST(Robustness, RandomTextNeverCrashes) {
    std::mt19937 random(777);
    const std::string alphabet = "r0123456789w%[]()*+-=<>&|^s/ ,:;#xabcdefgilmnoptuvl\n";
    const std::vector<std::string> seeds = {
        "r1 = *(u32 *)(r2 + 4)", "if r1 s> 0x10 goto +3", "lock *(u64 *)(r1 + 0) += r2",
        "ldxw %r0, [%r1+4]",     "r0 = cmpxchg_64(r1 + 0, r0, r2)", "jeq %r1, 2, +3",
        "r1 = map_value_by_idx(2)+8", "lock fetch add [%r1], %r2", "r1 = 0x123 ll"};
    for (int round = 0; round < 5000; ++round) {
        std::string text = seeds[random() % seeds.size()];
        const int edits = 1 + random() % 4;
        for (int e = 0; e < edits; ++e) {
            const size_t at = random() % (text.size() + 1);
            switch (random() % 3) {
            case 0: text.insert(at, 1, alphabet[random() % alphabet.size()]); break;
            case 1: if (at < text.size()) text.erase(at, 1); break;
            default: if (at < text.size()) text[at] = alphabet[random() % alphabet.size()];
            }
        }
        try {
            const auto insns = assemble(text);
            disassemble_program(insns);
        } catch (const Error& e) {
            EXPECT_EQ(std::string(e.what()).rfind("line ", 0), 0u) << e.what();
        }
    }
}

TEST(Robustness, TruncatedBytecodeIsAnError) {
    const std::vector<uint8_t> bytes(13, 0);
    EXPECT_THROW(instructions_from_bytes(bytes), Error);
}

}  // namespace
}  // namespace ebpf
