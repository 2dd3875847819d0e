// The bpf_conformance-style programs of tests/conformance (RFC 9669 as the
// contract): every program that is expected to run (no "-- error") must
// verify as raw_memory with its memory size known, so that the suite passes
// in every mode, verified; the malformed ones must be rejected.
#include <gtest/gtest.h>

#include <filesystem>

#include "conformance_data.hpp"

#include "ebpf/error.hpp"
#include "ebpf/verifier.hpp"

namespace ebpf::testing {
namespace {

TEST(VerifierConformance, RunnableProgramsVerifyAndInvalidOnesAreRejected) {
    const std::filesystem::path dir = EBPF_CONFORMANCE_DIR;
    if (!std::filesystem::exists(dir)) GTEST_SKIP() << "no conformance data";
    size_t verified = 0, rejected = 0;
    for (const auto& entry : std::filesystem::directory_iterator(dir)) {
        if (entry.path().extension() != ".data") continue;
        const conformance::TestCase test = conformance::read_test_case(entry.path().string());
        std::vector<Instruction> insns;
        try {
            insns = assemble(test.assembly);
        } catch (const Error&) {
            continue;  // the assembler's own error cases
        }
        VerifyOptions options;
        options.mem_size = test.memory.size();
        const VerifyResult r = verify_instructions(insns, ProgramType::raw_memory, {}, options);
        if (test.error) {
            // Runtime errors that depend on the input may still verify; structural ones must not.
            if (entry.path().filename().string().rfind("invalid-", 0) == 0) {
                EXPECT_FALSE(r.ok) << entry.path().filename() << " was accepted";
            }
            rejected += !r.ok;
            continue;
        }
        EXPECT_TRUE(r.ok) << entry.path().filename() << ": " << (r.errors.empty() ? "" : r.errors[0].message);
        verified += r.ok;
    }
    EXPECT_GT(verified, 200u);
    EXPECT_GT(rejected, 5u);
}

}  // namespace
}  // namespace ebpf::testing
