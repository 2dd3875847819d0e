// Every tests/conformance/*.data file: its "-- asm" section assembles, and
// round-trips through disassemble_program()/assemble(). Files expecting a
// result must validate; files expecting an error must be rejected by the
// assembler or validate() with a message containing the expected text
// (always for "invalid-*" files; others may fail only when run).
#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>
#include <map>
#include <sstream>
#include <string>

#include "ebpf/error.hpp"
#include "ebpf/isa.hpp"

namespace ebpf {
namespace {

std::map<std::string, std::string> read_sections(const std::filesystem::path& path) {
    std::ifstream in(path);
    std::map<std::string, std::string> sections;
    std::string line;
    std::string current;
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

std::string trimmed(std::string text) {
    while (!text.empty() && std::isspace(static_cast<unsigned char>(text.back()))) text.pop_back();
    while (!text.empty() && std::isspace(static_cast<unsigned char>(text.front()))) text.erase(0, 1);
    return text;
}

TEST(ConformanceFiles, AssembleRoundTripAndValidate) {
    size_t files = 0, results = 0, errors = 0;
    for (const auto& entry : std::filesystem::directory_iterator(EBPF_CONFORMANCE_DIR)) {
        if (entry.path().extension() != ".data") continue;
        ++files;
        SCOPED_TRACE(entry.path().filename().string());
        auto sections = read_sections(entry.path());
        ASSERT_TRUE(sections.count("asm")) << "no -- asm section";
        const bool expects_error = sections.count("error") != 0;
        ASSERT_NE(expects_error, sections.count("result") != 0) << "needs exactly one of -- result / -- error";
        if (sections.count("mem")) {
            std::istringstream hex(sections["mem"]);
            std::string byte;
            while (hex >> byte) {
                EXPECT_EQ(byte.size(), 2u) << "mem byte '" << byte << "'";
                EXPECT_EQ(byte.find_first_not_of("0123456789abcdefABCDEF"), std::string::npos) << byte;
            }
        }
        if (expects_error) {
            ++errors;
            const std::string expected = trimmed(sections["error"]);
            ASSERT_FALSE(expected.empty());
            std::string message;
            try {
                validate(assemble(sections["asm"]));
            } catch (const Error& e) {
                message = e.what();
            }
            // "invalid-*" files are rejected before running; others may fail
            // only when executed (checked by the conformance runner).
            const bool must_be_rejected = entry.path().filename().string().rfind("invalid-", 0) == 0;
            if (must_be_rejected || !message.empty()) {
                EXPECT_NE(message.find(expected), std::string::npos)
                    << "expected an error containing '" << expected << "', got '" << message << "'";
            }
            continue;
        }
        ++results;
        const std::string result = trimmed(sections["result"]);
        EXPECT_EQ(result.rfind("0x", 0), 0u) << "result '" << result << "' is not hex";
        std::vector<Instruction> program;
        try {
            program = assemble(sections["asm"]);
            validate(program);
        } catch (const Error& e) {
            ADD_FAILURE() << e.what();
            continue;
        }
        const auto again = assemble(disassemble_program(program));
        EXPECT_EQ(instructions_to_bytes(again), instructions_to_bytes(program));
    }
    EXPECT_GE(files, 150u);
    EXPECT_GE(errors, 10u);
    EXPECT_GE(results, 140u);
}

}  // namespace
}  // namespace ebpf
