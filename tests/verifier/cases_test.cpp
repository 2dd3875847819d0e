// Runs every case of tests/verifier/cases/*.txt: the verdict and, for
// rejections, the key phrase of the error message.
#include <gtest/gtest.h>

#include "case_file.hpp"
#include "ebpf/isa.hpp"

namespace ebpf::testing {
namespace {

class VerifierCaseTest : public ::testing::TestWithParam<VerifierCase> {};

TEST_P(VerifierCaseTest, Verdict) {
    const VerifierCase& c = GetParam();
    if (!case_runs_here(c)) GTEST_SKIP() << c.name << ": a case for " << c.arch << " (this build: " << kCaseHostArch << ")";
    const std::vector<Instruction> insns = assemble(c.assembly);
    VerifyOptions options;
    options.mem_size = c.mem_size;
    Program program;
    program.name = c.name;
    program.type = c.type;
    program.attach = c.attach;
    program.insns = insns;
    const VerifyResult result = c.attach.empty() ? verify_instructions(insns, c.type, c.maps, options)
                                                 : verify_program(program, c.maps, options);
    const std::string message = result.errors.empty() ? "" : result.errors.front().message;
    if (c.expect_accept) {
        EXPECT_TRUE(result.ok) << c.file << ": " << c.name << " rejected: " << message << "\n"
                               << (result.errors.empty() ? "" : format_diagnostic(result.errors.front(), c.name));
    } else {
        ASSERT_FALSE(result.ok) << c.file << ": " << c.name << " accepted, expected: " << c.phrase;
        ASSERT_EQ(result.errors.size(), 1u);
        EXPECT_NE(message.find(c.phrase), std::string::npos)
            << c.file << ": " << c.name << "\n  expected phrase: " << c.phrase << "\n  message: " << message;
    }
}

std::string case_name(const ::testing::TestParamInfo<VerifierCase>& info) {
    std::string name = info.param.file.substr(0, info.param.file.find('.')) + "_" + info.param.name;
    for (char& ch : name)
        if (!std::isalnum(static_cast<unsigned char>(ch))) ch = '_';
    return name;
}

INSTANTIATE_TEST_SUITE_P(Cases, VerifierCaseTest, ::testing::ValuesIn(load_cases(EBPF_VERIFIER_CASES_DIR)), case_name);
// Program types the runtime only verifies (no engine runs them): types/*.txt.
INSTANTIATE_TEST_SUITE_P(Types, VerifierCaseTest, ::testing::ValuesIn(load_cases(EBPF_VERIFIER_TYPES_DIR)), case_name);

TEST(VerifierCaseFiles, HaveAtLeastTwoHundredCases) {
    EXPECT_GE(load_cases(EBPF_VERIFIER_CASES_DIR).size(), 200u);
}

}  // namespace
}  // namespace ebpf::testing
