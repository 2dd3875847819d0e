// Signing end to end with real native modules: bpf2c C compiled by the
// module pipeline, signed, and loaded by the module loader through the
// policy hook; in a forked child, under code-integrity mode (MDWE) as well.
#include <gtest/gtest.h>

#include <cstring>
#include <fstream>
#include <iterator>

#include "ebpf/error.hpp"
#include "ebpf/native.hpp"
#include "ebpf/policy.hpp"
#include "test_support.hpp"

namespace ebpf {
namespace {

using test::pki;

bool contains(const std::string& text, const std::string& part) { return text.find(part) != std::string::npos; }

// r0 = *(u32 *)(r1 + 0) + 1
std::vector<Instruction> increment_program() {
    return {{.opcode = 0x61, .dst = 0, .src = 1, .offset = 0, .imm = 0},
            {.opcode = 0x07, .dst = 0, .src = 0, .offset = 0, .imm = 1},
            {.opcode = 0x95, .dst = 0, .src = 0, .offset = 0, .imm = 0}};
}

class SignedNativeModule : public ::testing::Test {
protected:
    static void SetUpTestSuite() {
        dir_ = new test::ScratchDir();
        TranslationUnit unit;
        unit.source_name = "increment.o";
        TranslationProgram program;
        program.name = "increment";
        program.section = "raw";
        program.type = ProgramType::raw_memory;
        program.insns = increment_program();
        program.verified_instruction_count = static_cast<uint32_t>(program.insns.size());
        program.bytecode_sha256 = sha256_of_instructions(program.insns);
        unit.programs.push_back(program);
        const auto c_path = (*dir_ / "increment.c").string();
        const auto so_path = (*dir_ / "increment.so").string();
        write_file_atomically(c_path, generate_c(unit));
        compile_c_to_module(c_path, so_path);
        module_ = new std::vector<uint8_t>(test::read_bytes(so_path));
    }
    static void TearDownTestSuite() {
        delete module_;
        delete dir_;
    }

    static PolicyOptions strict() {
        PolicyOptions options;
        options.code_integrity = true;
        options.trust = std::make_shared<const TrustStore>(TrustStore::from_pem(pki().root.cert_pem, "roots"));
        return options;
    }

    static std::shared_ptr<NativeModule> load(std::span<const uint8_t> bytes, PolicyOptions policy,
                                              std::vector<std::string>* warnings = nullptr) {
        ModuleLoadOptions options;
        options.helpers = &helpers_;
        options.name = "increment.so";
        options.check_signature = module_policy_hook(std::move(policy), warnings);
        return load_module_from_memory(bytes, options);
    }

    static uint64_t run(NativeModule& module, uint32_t input) {
        auto engine = module.make_engine(0);
        std::vector<uint8_t> memory(4);
        std::memcpy(memory.data(), &input, 4);
        return engine->run(reinterpret_cast<uint64_t>(memory.data()), memory.size());
    }

    static inline test::ScratchDir* dir_ = nullptr;
    static inline std::vector<uint8_t>* module_ = nullptr;
    static inline HelperTable helpers_;
};

TEST_F(SignedNativeModule, SignedModuleLoadsAndRuns) {
    auto signed_bytes = sign_module(*module_, pki().signer);
    auto module = load(signed_bytes, strict());
    ASSERT_EQ(module->programs().size(), 1u);
    EXPECT_EQ(run(*module, 41), 42u);
}

TEST_F(SignedNativeModule, RecordedBytecodeHashMatchesTheObject) {
    auto module = load(sign_module(*module_, pki().signer), strict());
    uint8_t recorded[32];
    std::copy(module->programs()[0].bytecode_sha256.begin(), module->programs()[0].bytecode_sha256.end(), recorded);
    EXPECT_NO_THROW(check_bytecode_hash("increment", recorded, std::span<const Instruction>(increment_program())));
    auto other = increment_program();
    other[1].imm = 2;
    try {
        check_bytecode_hash("increment", recorded, std::span<const Instruction>(other));
        FAIL() << "different bytecode accepted";
    } catch (const Error& e) {
        EXPECT_TRUE(contains(e.what(), "built from different bytecode")) << e.what();
    }
}

TEST_F(SignedNativeModule, TamperedUnsignedAndUntrustedModulesDoNotLoad) {
    auto signed_bytes = sign_module(*module_, pki().signer);
    auto tampered = signed_bytes;
    tampered[module_->size() / 2] ^= 0x01;
    try {
        load(tampered, strict());
        FAIL() << "tampered module loaded";
    } catch (const Error& e) {
        EXPECT_TRUE(contains(e.what(), "code-integrity policy: module rejected: signature does not match the module "
                                       "contents"))
            << e.what();
    }
    try {
        load(*module_, strict());
        FAIL() << "unsigned module loaded";
    } catch (const Error& e) {
        EXPECT_TRUE(contains(e.what(), "only signed native modules may run")) << e.what();
    }
    auto stranger_root = issue_certificate({.common_name = "Stranger CA", .certificate_authority = true}, nullptr);
    auto stranger = issue_certificate({.common_name = "Stranger"}, &stranger_root);
    try {
        load(sign_module(*module_, stranger), strict());
        FAIL() << "untrusted module loaded";
    } catch (const Error& e) {
        EXPECT_TRUE(contains(e.what(), "does not chain to a trusted root in roots")) << e.what();
    }
}

TEST_F(SignedNativeModule, UnsignedModuleLoadsWithAWarningOutsideTheMode) {
    PolicyOptions relaxed = strict();
    relaxed.code_integrity = false;
    std::vector<std::string> warnings;
    auto module = load(*module_, relaxed, &warnings);
    EXPECT_EQ(run(*module, 1), 2u);
    ASSERT_EQ(warnings.size(), 1u);
    EXPECT_TRUE(contains(warnings[0], "loading an unsigned module")) << warnings[0];
}

TEST_F(SignedNativeModule, RunsUnderCodeIntegrityMode) {
    auto signed_bytes = sign_module(*module_, pki().signer);
    auto result = test::run_in_child([&]() -> std::string {
        if (!mdwe_supported()) return "SKIP the kernel lacks PR_SET_MDWE (Linux >= 6.3 needed)";
        enable_code_integrity();
        // The loader checks every module against the process trust store in the mode.
        set_process_trust_store(strict().trust);
        PolicyOptions policy;  // the process mode alone makes signatures required
        policy.trust = strict().trust;
        auto module = load(signed_bytes, policy);
        uint64_t value = run(*module, 99);
        if (value != 100) return "FAIL returned " + std::to_string(value);
        try {
            load(*module_, policy);
            return "FAIL unsigned module loaded under the mode";
        } catch (const Error&) {
        }
        return "PASS";
    });
    if (result.status == "SKIP") GTEST_SKIP() << result.detail;
    EXPECT_EQ(result.status, "PASS") << result.detail;
}

}  // namespace
}  // namespace ebpf
