// No code of a module runs before its signature passed, and none runs while
// it loads at all: modules are built without constructors, and the loader
// refuses (before dlopen, from the sealed bytes) every module that has a
// constructor, a DT_INIT function or an IFUNC resolver; the marker file the
// code would create never appears, with the policy on or off. Malformed
// and truncated images are errors, never crashes.
#include <gtest/gtest.h>

#include <elf.h>

#include <algorithm>
#include <cstring>
#include <filesystem>

#include "ebpf/error.hpp"
#include "ebpf/native.hpp"
#include "ebpf/policy.hpp"
#include "integrity_support.hpp"
#include "test_support.hpp"

namespace ebpf::integrity {
namespace {

using test::run_in_child;

const char* expected_refusal(LoadTimeCode kind) {
    switch (kind) {
        case LoadTimeCode::constructor: return "DT_INIT_ARRAY (constructors)";
        case LoadTimeCode::dt_init: return "DT_INIT (a constructor)";
        case LoadTimeCode::ifunc: return "IFUNC";
    }
    return "?";
}

std::shared_ptr<NativeModule> load(std::span<const uint8_t> bytes) {
    static HelperTable helpers;
    ModuleLoadOptions options;
    options.helpers = &helpers;
    options.name = "module";
    return load_module_from_memory(bytes, options);
}

class LoadTimeCodeTest : public ::testing::TestWithParam<LoadTimeCode> {};

TEST_P(LoadTimeCodeTest, RefusedWithoutThePolicyAndTheMarkerNeverAppears) {
    test::ScratchDir dir;
    const auto marker = dir / "ran";
    const auto module = module_running_at_load(GetParam(), marker);
    for (const auto& bytes : {module, sign_trusted(module)}) {
        try {
            load(bytes);
            ADD_FAILURE() << load_time_code_name(GetParam()) << ": module loaded";
        } catch (const Error& e) {
            EXPECT_NE(std::string(e.what()).find(expected_refusal(GetParam())), std::string::npos) << e.what();
        }
        EXPECT_FALSE(std::filesystem::exists(marker)) << load_time_code_name(GetParam()) << " ran";
    }
}

TEST_P(LoadTimeCodeTest, RefusedUnderThePolicyEvenWhenSignedByATrustedKey) {
    test::ScratchDir dir;
    const auto marker = dir / "ran";
    const auto signed_module = sign_trusted(module_running_at_load(GetParam(), marker));
    auto result = run_in_child([&]() -> std::string {
        if (auto skip = enter_code_integrity(); !skip.empty()) return skip;
        std::string failure = expect_refused(load_time_code_name(GetParam()), [&] { load(signed_module); },
                                             expected_refusal(GetParam()));
        if (!failure.empty()) return failure;
        if (std::filesystem::exists(marker)) return "FAIL the code ran";
        return "PASS";
    });
    if (result.status == "SKIP") GTEST_SKIP() << result.detail;
    EXPECT_EQ(result.status, "PASS") << result.detail;
    EXPECT_FALSE(std::filesystem::exists(marker));
}

INSTANTIATE_TEST_SUITE_P(Kinds, LoadTimeCodeTest,
                         ::testing::Values(LoadTimeCode::constructor, LoadTimeCode::dt_init, LoadTimeCode::ifunc),
                         [](const auto& info) {
                             switch (info.param) {
                                 case LoadTimeCode::constructor: return std::string("constructor");
                                 case LoadTimeCode::dt_init: return std::string("dt_init");
                                 case LoadTimeCode::ifunc: return std::string("ifunc");
                             }
                             return std::string("unknown");
                         });

// What `ebpf build` produces needs none of it: no DT_INIT*, DT_FINI*,
// DT_NEEDED, and it loads.
TEST(ModuleImage, BuiltModulesHaveNoLoadTimeCodeAndLoad) {
    const auto module = answer_module(5);
    Elf64_Ehdr header;
    ASSERT_GE(module.size(), sizeof header);
    std::memcpy(&header, module.data(), sizeof header);
    for (uint16_t i = 0; i < header.e_phnum; ++i) {
        Elf64_Phdr ph;
        std::memcpy(&ph, module.data() + header.e_phoff + i * sizeof ph, sizeof ph);
        if (ph.p_type != PT_DYNAMIC) continue;
        for (uint64_t at = 0; at + sizeof(Elf64_Dyn) <= ph.p_filesz; at += sizeof(Elf64_Dyn)) {
            Elf64_Dyn dyn;
            std::memcpy(&dyn, module.data() + ph.p_offset + at, sizeof dyn);
            EXPECT_NE(dyn.d_tag, DT_INIT);
            EXPECT_NE(dyn.d_tag, DT_INIT_ARRAY);
            EXPECT_NE(dyn.d_tag, DT_PREINIT_ARRAY);
            EXPECT_NE(dyn.d_tag, DT_FINI);
            EXPECT_NE(dyn.d_tag, DT_FINI_ARRAY);
            EXPECT_NE(dyn.d_tag, DT_NEEDED);
        }
    }
    EXPECT_EQ(run_first(*load(module)), 5u);
}

// Every prefix of a module, and of a signed module, is an error (most are
// caught before dlopen: a segment beyond the end, unreadable headers).
TEST(ModuleImage, TruncatedModulesAreErrorsNotCrashes) {
    const auto module = answer_module(6);
    const auto signed_module = sign_trusted(module);
    for (const auto* bytes : {&module, &signed_module}) {
        for (size_t size = 64; size < module.size(); size += 61) {
            std::vector<uint8_t> prefix(bytes->begin(), bytes->begin() + static_cast<std::ptrdiff_t>(size));
            EXPECT_THROW(load(prefix), Error) << size << " bytes";
        }
    }
}

// Header fields an attacker controls: offsets and counts pointing anywhere.
TEST(ModuleImage, HostileHeaderFieldsAreErrorsNotCrashes) {
    const auto module = answer_module(8);
    Elf64_Ehdr header;
    std::memcpy(&header, module.data(), sizeof header);
    const std::vector<std::pair<size_t, uint64_t>> edits = {
        {offsetof(Elf64_Ehdr, e_phoff), 0xfffffffffffffff0ull}, {offsetof(Elf64_Ehdr, e_phoff), module.size() - 8},
        {offsetof(Elf64_Ehdr, e_shoff), 0xfffffffffffffff0ull}, {offsetof(Elf64_Ehdr, e_shoff), module.size() - 8},
        {offsetof(Elf64_Ehdr, e_type), ET_EXEC},                {offsetof(Elf64_Ehdr, e_machine), EM_AARCH64 + 1},
    };
    for (const auto& [offset, value] : edits) {
        auto bad = module;
        const size_t width = offset == offsetof(Elf64_Ehdr, e_type) || offset == offsetof(Elf64_Ehdr, e_machine) ? 2 : 8;
        std::memcpy(bad.data() + offset, &value, width);
        EXPECT_THROW(load(bad), Error) << "offset " << offset;
    }
    // Every program header's offset and size pushed out of the file.
    for (uint16_t i = 0; i < header.e_phnum; ++i) {
        auto bad = module;
        const size_t at = header.e_phoff + i * sizeof(Elf64_Phdr);
        const uint64_t huge = 0x7fffffffffffull;
        std::memcpy(bad.data() + at + offsetof(Elf64_Phdr, p_filesz), &huge, 8);
        Elf64_Phdr ph;
        std::memcpy(&ph, module.data() + at, sizeof ph);
        if (ph.p_filesz == 0) continue;
        EXPECT_THROW(load(bad), Error) << "program header " << i;
    }
}

// The dynamic linker reads the dynamic table at PT_DYNAMIC's virtual
// address; a p_offset pointing at zeros (an empty table) must not hide the
// real table's constructors from the check.
TEST(ModuleImage, ADecoyDynamicOffsetDoesNotHideConstructors) {
    test::ScratchDir dir;
    auto module = module_running_at_load(LoadTimeCode::constructor, dir / "ran");
    Elf64_Ehdr header;
    std::memcpy(&header, module.data(), sizeof header);
    size_t zeros = 0;
    for (size_t at = 64; at + 32 <= module.size(); at += 8) {
        if (std::all_of(module.begin() + static_cast<std::ptrdiff_t>(at), module.begin() + static_cast<std::ptrdiff_t>(at + 32),
                        [](uint8_t b) { return b == 0; })) {
            zeros = at;
            break;
        }
    }
    ASSERT_NE(zeros, 0u);
    bool patched = false;
    for (uint16_t i = 0; i < header.e_phnum; ++i) {
        const size_t at = header.e_phoff + i * sizeof(Elf64_Phdr);
        Elf64_Phdr ph;
        std::memcpy(&ph, module.data() + at, sizeof ph);
        if (ph.p_type != PT_DYNAMIC) continue;
        ph.p_offset = zeros;
        ph.p_filesz = 32;
        std::memcpy(module.data() + at, &ph, sizeof ph);
        patched = true;
    }
    ASSERT_TRUE(patched);
    try {
        load(module);
        ADD_FAILURE() << "module with a decoy dynamic offset loaded";
    } catch (const Error& e) {
        EXPECT_NE(std::string(e.what()).find("DT_INIT_ARRAY"), std::string::npos) << e.what();
    }
    EXPECT_FALSE(std::filesystem::exists(dir / "ran"));
}

// Loaded segments that share a page: the later one's bytes would replace
// what the checks read. Refused.
TEST(ModuleImage, OverlappingLoadedSegmentsAreRefused) {
    auto module = answer_module(9);
    Elf64_Ehdr header;
    std::memcpy(&header, module.data(), sizeof header);
    uint64_t first_vaddr = UINT64_MAX;
    for (uint16_t i = 0; i < header.e_phnum; ++i) {
        const size_t at = header.e_phoff + i * sizeof(Elf64_Phdr);
        Elf64_Phdr ph;
        std::memcpy(&ph, module.data() + at, sizeof ph);
        if (ph.p_type != PT_LOAD) continue;
        if (first_vaddr == UINT64_MAX) {
            first_vaddr = ph.p_vaddr;
            continue;
        }
        ph.p_vaddr = ph.p_paddr = first_vaddr + (ph.p_offset & 0xfff);  // onto the first segment's page
        std::memcpy(module.data() + at, &ph, sizeof ph);
        break;
    }
    try {
        load(module);
        ADD_FAILURE() << "overlapping segments loaded";
    } catch (const Error& e) {
        EXPECT_NE(std::string(e.what()).find("overlap"), std::string::npos) << e.what();
    }
}

}  // namespace
}  // namespace ebpf::integrity
