// Built only with EBPF_WITH_INTERPRETER=OFF: the interpreter is gone and says so.
#include <gtest/gtest.h>

#include <string>

#include "ebpf/error.hpp"
#include "program_builder.hpp"

namespace ebpf::test {
namespace {

TEST(NoInterpreter, MakeInterpreterExplainsWhatToUse) {
    EXPECT_FALSE(interpreter_available());
    const std::vector<Instruction> insns{mov(0, 0), exit_insn()};
    try {
        make_interpreter({insns, nullptr});
        FAIL() << "interpreter built although compiled out";
    } catch (const Error& e) {
        EXPECT_EQ(std::string(e.what()), "the interpreter is not compiled into this build; use --mode jit or native");
    }
}

}  // namespace
}  // namespace ebpf::test
