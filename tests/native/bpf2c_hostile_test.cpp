// bpf2c on hostile input: with --no-verify (Bpf2cOptions::verify = false),
// malformed instructions are an ebpf::Error naming the program and the
// instruction, never an abort; names longer than the module format allows
// are refused with the loader's own limit.
#include <gtest/gtest.h>

#include "../../src/native/module_metadata.hpp"
#include "ebpf/error.hpp"
#include "ebpf/native.hpp"

namespace {

namespace op = ebpf::op;
using ebpf::Instruction;

ebpf::Object object_of(std::vector<Instruction> insns, std::string name = "p") {
    ebpf::Object object;
    object.path = "hostile.o";
    ebpf::Program program;
    program.name = std::move(name);
    program.section = "hook/p";
    program.type = ebpf::ProgramType::hook;
    program.insns = std::move(insns);
    program.functions = {{0, program.name}};
    object.programs.push_back(std::move(program));
    return object;
}

std::string bpf2c_error(const ebpf::Object& object, bool verify) {
    ebpf::Bpf2cOptions options;
    options.verify = verify;
    try {
        ebpf::bpf2c(object, options);
        return "";
    } catch (const ebpf::Error& e) {
        return e.what();
    }
}

constexpr Instruction kExit{op::kClassJmp | op::kExit, 0, 0, 0, 0};
Instruction mov_imm(uint8_t dst, int32_t imm) { return {op::kClassAlu64 | op::kMov | op::kSrcK, dst, 0, 0, imm}; }

struct Case {
    const char* what;
    std::vector<Instruction> insns;
    const char* fragment;  // in the message
};

TEST(Bpf2cHostile, MalformedInstructionsAreErrorsWithoutVerification) {
    const std::vector<Case> cases = {
        {"unknown opcode", {{0xff, 0, 0, 0, 0}, kExit}, "instruction 0"},
        {"unknown ALU operation", {{op::kClassAlu64 | 0xe0, 1, 0, 0, 0}, kExit}, "instruction 0"},
        {"destination register 11", {mov_imm(11, 1), kExit}, "instruction 0"},
        {"source register 12", {{op::kClassAlu64 | op::kMov | op::kSrcX, 0, 12, 0, 0}, kExit}, "instruction 0"},
        {"write to r10", {mov_imm(10, 1), kExit}, "instruction 0"},
        {"jump past the end", {{op::kClassJmp | op::kJa, 0, 0, 100, 0}, kExit}, "instruction 0"},
        {"jump before the start", {mov_imm(0, 0), {op::kClassJmp | op::kJa, 0, 0, -5, 0}, kExit}, "instruction 1"},
        {"jump into an LDDW", {{op::kClassJmp | op::kJa, 0, 0, 1, 0}, {op::kLddw, 0, 0, 0, 1}, {}, kExit},
         "instruction 0"},
        {"LDDW at the end", {mov_imm(0, 0), {op::kLddw, 0, 0, 0, 1}}, "instruction 1"},
        {"LDDW second slot not zero", {{op::kLddw, 0, 0, 0, 1}, {0x18, 1, 0, 0, 0}, kExit}, "instruction 0"},
        {"local call out of range", {{op::kClassJmp | op::kCall, 0, op::kCallLocal, 0, 1000}, kExit}, "instruction 0"},
    };
    for (const Case& c : cases) {
        const std::string message = bpf2c_error(object_of(c.insns), false);
        EXPECT_NE(message, "") << c.what << ": bpf2c --no-verify accepted it";
        EXPECT_NE(message.find(c.fragment), std::string::npos) << c.what << ": " << message;
        // With verification the same input is refused too.
        EXPECT_NE(bpf2c_error(object_of(c.insns), true), "") << c.what;
    }
}

TEST(Bpf2cHostile, EmptyProgramIsAnError) {
    EXPECT_NE(bpf2c_error(object_of({}), false), "");
}

TEST(Bpf2cHostile, NamesLongerThanTheModuleFormatAllowsAreRefused) {
    using ebpf::native_metadata::kMaxNameLength;
    const std::vector<Instruction> ok{mov_imm(0, 0), kExit};
    // At the limit: fine (the loader accepts it too).
    EXPECT_EQ(bpf2c_error(object_of(ok, std::string(kMaxNameLength, 'p')), true), "");
    const std::string message = bpf2c_error(object_of(ok, std::string(kMaxNameLength + 1, 'p')), true);
    EXPECT_NE(message.find("program name 'ppp"), std::string::npos) << message;
    EXPECT_NE(message.find("is 1025 bytes long; native modules allow at most 1024"), std::string::npos) << message;

    auto object = object_of(ok);
    object.programs[0].section = std::string(2000, 's');
    EXPECT_NE(bpf2c_error(object, false).find("section name of program 'p'"), std::string::npos);
    object = object_of(ok);
    ebpf::MapDefinition map;
    map.name = std::string(kMaxNameLength + 1, 'm');
    map.type = ebpf::MapType::array;
    map.key_size = 4;
    map.value_size = 4;
    map.max_entries = 1;
    object.maps.push_back(map);
    EXPECT_NE(bpf2c_error(object, false).find("map name 'mmm"), std::string::npos);
}

TEST(Bpf2cHostile, MoreProgramsThanTheModuleFormatAllowsAreRefused) {
    auto object = object_of({mov_imm(0, 0), kExit});
    for (uint32_t i = 1; i <= ebpf::native_metadata::kMaxPrograms; ++i) {
        auto copy = object.programs[0];
        copy.name = "p" + std::to_string(i);
        object.programs.push_back(copy);
    }
    EXPECT_NE(bpf2c_error(object, false).find("4097 programs; native modules allow at most 4096"), std::string::npos);
}

}  // namespace
