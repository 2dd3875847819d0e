// bpf2c golden files: the C generated for a few small test programs is
// compared byte for byte with tests/native/golden/<name>.c. After an
// intended change of the generator, regenerate them with
//   scripts/regen-golden.sh [build-dir]      (or: ninja -C <build> regen-golden)
// which runs this test with EBPF_REGEN_GOLDEN=1, and review the diff.
// #line paths are absolute in BTF; the source directory is replaced by
// @SOURCE_DIR@ so the files do not depend on where the tree is checked out.
#include <gtest/gtest.h>

#include <cstdlib>
#include <fstream>
#include <sstream>

#include "ebpf/native.hpp"
#include "ebpf/object.hpp"

namespace {

const char* const kGoldenPrograms[] = {"hook_buffer", "subprograms", "sock_addr", "global_data", "tail_call"};

std::string replace_all(std::string text, const std::string& from, const std::string& to) {
    for (size_t at = text.find(from); at != std::string::npos; at = text.find(from, at + to.size()))
        text.replace(at, from.size(), to);
    return text;
}

std::string read_text(const std::string& path) {
    std::ifstream in(path, std::ios::binary);
    std::stringstream text;
    text << in.rdbuf();
    return text.str();
}

class Golden : public ::testing::TestWithParam<const char*> {};

TEST_P(Golden, GeneratedCMatchesTheCheckedInFile) {
    const std::string name = GetParam();
    ebpf::Object object = ebpf::open_object(std::string(EBPF_TEST_PROGRAMS_DIR) + "/" + name + ".o");
    std::string generated = replace_all(ebpf::bpf2c(object).c_source, EBPF_SOURCE_DIR, "@SOURCE_DIR@");
    const std::string golden_path = std::string(EBPF_SOURCE_DIR) + "/tests/native/golden/" + name + ".c";
    const char* regen = std::getenv("EBPF_REGEN_GOLDEN");
    if (regen != nullptr && std::string(regen) == "1") {
        ebpf::write_file_atomically(golden_path, generated);
        GTEST_SKIP() << "regenerated " << golden_path;
    }
    std::string expected = read_text(golden_path);
    ASSERT_FALSE(expected.empty()) << golden_path << " is missing: run scripts/regen-golden.sh";
    EXPECT_TRUE(generated == expected) << "bpf2c output for " << name << " differs from " << golden_path
                                       << "; if the change is intended, run scripts/regen-golden.sh";
}

INSTANTIATE_TEST_SUITE_P(TestPrograms, Golden, ::testing::ValuesIn(kGoldenPrograms),
                         [](const ::testing::TestParamInfo<const char*>& info) { return std::string(info.param); });

}  // namespace
