// The bpf_conformance-style programs of tests/conformance (RFC 9669 as the
// contract): every program that is expected to run (no "-- error") must
// verify as raw_memory with its memory size known, so that the suite passes
// in every mode, verified; the malformed ones must be rejected.
#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>
#include <map>
#include <regex>

#include "ebpf/error.hpp"
#include "ebpf/verifier.hpp"

namespace ebpf::testing {
namespace {

std::map<std::string, std::string> read_sections(const std::filesystem::path& path) {
    std::map<std::string, std::string> sections;
    std::ifstream in(path);
    std::string line, current;
    while (std::getline(in, line)) {
        if (line.rfind("-- ", 0) == 0) {
            current = line.substr(3);
            while (!current.empty() && std::isspace(static_cast<unsigned char>(current.back()))) current.pop_back();
            sections[current];
            continue;
        }
        if (!current.empty()) sections[current] += line + "\n";
    }
    return sections;
}

TEST(VerifierConformance, RunnableProgramsVerifyAndInvalidOnesAreRejected) {
    const std::filesystem::path dir = EBPF_CONFORMANCE_DIR;
    if (!std::filesystem::exists(dir)) GTEST_SKIP() << "no conformance data";
    size_t verified = 0, rejected = 0;
    for (const auto& entry : std::filesystem::directory_iterator(dir)) {
        if (entry.path().extension() != ".data") continue;
        auto sections = read_sections(entry.path());
        if (!sections.count("asm")) continue;
        std::vector<Instruction> insns;
        try {
            insns = assemble(sections["asm"]);
        } catch (const Error&) {
            continue;  // the assembler's own error cases
        }
        const std::string& mem = sections["mem"];
        static const std::regex kHexByte("[0-9a-fA-F]{2}");
        const auto bytes = std::distance(std::sregex_iterator(mem.begin(), mem.end(), kHexByte), std::sregex_iterator());
        VerifyOptions options;
        options.mem_size = static_cast<uint64_t>(bytes);
        const VerifyResult r = verify_instructions(insns, ProgramType::raw_memory, {}, options);
        if (sections.count("error")) {
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
