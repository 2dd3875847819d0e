// The module policy check the loader runs before dlopen, the sealed memfd it
// loads from, and the bytecode hash check. (Process-wide code-integrity mode
// is tested in forked children: code_integrity_test.cpp.)
#include <gtest/gtest.h>
#include <fcntl.h>
#include <sys/mman.h>
#include <unistd.h>

#include <cerrno>

#include "ebpf/error.hpp"
#include "ebpf/policy.hpp"
#include "test_support.hpp"

namespace ebpf {
namespace {

using test::pki;

bool contains(const std::string& text, const std::string& part) { return text.find(part) != std::string::npos; }

class Policy : public ::testing::Test {
protected:
    test::ScratchDir dir;
    std::vector<uint8_t> module = test::build_module(dir.path(), "m42", 42);
    std::vector<uint8_t> signed_bytes = sign_module(module, pki().signer);

    PolicyOptions strict() const {
        PolicyOptions options;
        options.code_integrity = true;
        options.trust = std::make_shared<const TrustStore>(TrustStore::from_pem(pki().root.cert_pem, "roots"));
        return options;
    }
    PolicyOptions relaxed() const {
        PolicyOptions options = strict();
        options.code_integrity = false;
        return options;
    }
};

TEST_F(Policy, SignedModuleLoadsItsModulePart) {
    auto checked = check_module_policy(signed_bytes, strict());
    EXPECT_TRUE(checked.signature.ok());
    EXPECT_TRUE(checked.warnings.empty());
    EXPECT_EQ(checked.module, module);
}

TEST_F(Policy, UnsignedModuleIsRefusedInIntegrityMode) {
    try {
        check_module_policy(module, strict());
        FAIL() << "unsigned module accepted";
    } catch (const Error& e) {
        EXPECT_TRUE(contains(e.what(), "code-integrity policy: only signed native modules may run")) << e.what();
    }
}

TEST_F(Policy, UnsignedModuleLoadsWithAWarningOutsideTheMode) {
    auto checked = check_module_policy(module, relaxed());
    EXPECT_EQ(checked.module, module);
    ASSERT_EQ(checked.warnings.size(), 1u);
    EXPECT_TRUE(contains(checked.warnings[0], "loading an unsigned module")) << checked.warnings[0];
}

TEST_F(Policy, TamperedModuleIsRefusedInIntegrityModeAndWarnedOutside) {
    auto bytes = signed_bytes;
    bytes[100] ^= 1;
    try {
        check_module_policy(bytes, strict());
        FAIL() << "tampered module accepted";
    } catch (const Error& e) {
        EXPECT_STREQ(e.what(), "code-integrity policy: module rejected: signature does not match the module contents");
    }
    auto checked = check_module_policy(bytes, relaxed());
    ASSERT_EQ(checked.warnings.size(), 1u);
    EXPECT_TRUE(contains(checked.warnings[0], "signature does not match")) << checked.warnings[0];
}

TEST_F(Policy, MissingTrustStoreIsAnErrorOnlyInTheMode) {
    PolicyOptions options;
    options.code_integrity = true;
    options.trust_store = dir / "no-such-dir";
    try {
        check_module_policy(signed_bytes, options);
        FAIL() << "accepted without a trust store";
    } catch (const Error& e) {
        EXPECT_TRUE(contains(e.what(), "code-integrity policy: trust store:")) << e.what();
        EXPECT_TRUE(contains(e.what(), "does not exist")) << e.what();
    }
    options.code_integrity = false;
    auto checked = check_module_policy(signed_bytes, options);
    EXPECT_EQ(checked.module, module);
    ASSERT_EQ(checked.warnings.size(), 1u);
    EXPECT_TRUE(contains(checked.warnings[0], "module signature not checked")) << checked.warnings[0];
}

TEST_F(Policy, TrustStorePathOption) {
    test::write_bytes(dir / "root.pem", std::vector<uint8_t>(pki().root.cert_pem.begin(), pki().root.cert_pem.end()));
    PolicyOptions options;
    options.code_integrity = true;
    options.trust_store = dir / "root.pem";
    EXPECT_TRUE(check_module_policy(signed_bytes, options).signature.ok());
}

TEST_F(Policy, SealedMemfdCannotBeChanged) {
    auto memfd = make_sealed_memfd(module, "sealed-test");
    ASSERT_GE(memfd.fd(), 0);
    int seals = ::fcntl(memfd.fd(), F_GET_SEALS);
    EXPECT_EQ(seals & (F_SEAL_WRITE | F_SEAL_GROW | F_SEAL_SHRINK | F_SEAL_SEAL),
              F_SEAL_WRITE | F_SEAL_GROW | F_SEAL_SHRINK | F_SEAL_SEAL);
    EXPECT_EQ(::pwrite(memfd.fd(), "x", 1, 0), -1);
    EXPECT_EQ(errno, EPERM);
    EXPECT_EQ(::ftruncate(memfd.fd(), 1), -1);
    EXPECT_EQ(::mmap(nullptr, 4096, PROT_READ | PROT_WRITE, MAP_SHARED, memfd.fd(), 0), MAP_FAILED);
    EXPECT_EQ(::fcntl(memfd.fd(), F_ADD_SEALS, 0), -1);  // F_SEAL_SEAL
    std::vector<uint8_t> back(module.size());
    ASSERT_EQ(::pread(memfd.fd(), back.data(), back.size(), 0), static_cast<ssize_t>(back.size()));
    EXPECT_EQ(back, module);
    EXPECT_EQ(test::call_answer(memfd.path()), 42);
}

TEST_F(Policy, ModuleSwappedOnDiskAfterTheCheckIsNotWhatRuns) {
    // The loader reads the file once, checks those bytes, and loads them from
    // a sealed memfd. Swap the file afterwards for a different module: what
    // runs is still the checked module.
    auto path = dir / "prog.so";
    test::write_bytes(path, signed_bytes);
    auto read_once = test::read_bytes(path);
    auto sealed = seal_checked_module(read_once, strict(), "prog.so");
    ASSERT_TRUE(sealed.signature.ok()) << sealed.signature.reason;

    auto evil = test::build_module(dir.path(), "evil", 666);
    std::filesystem::remove(path);
    test::write_bytes(path, evil);  // a new inode at the same path
    EXPECT_EQ(test::call_answer(path.string()), 666);         // the file now holds another module
    EXPECT_EQ(test::call_answer(sealed.memfd.path()), 42);    // the checked bytes run

    // Overwriting in place (same inode) does not reach the memfd either.
    test::write_bytes(path, sign_module(evil, pki().signer));
    EXPECT_EQ(test::call_answer(sealed.memfd.path()), 42);
}

TEST_F(Policy, NothingIsSealedWhenTheCheckFails) {
    auto bytes = signed_bytes;
    bytes[bytes.size() / 3] ^= 0x40;
    EXPECT_THROW(seal_checked_module(bytes, strict()), Error);
}

TEST(BytecodeHash, MatchAndMismatch) {
    const Instruction insns[] = {{.opcode = 0xb7, .dst = 0, .src = 0, .offset = 0, .imm = 42},
                                 {.opcode = 0x95, .dst = 0, .src = 0, .offset = 0, .imm = 0}};
    auto bytes = std::as_bytes(std::span<const Instruction>(insns));
    auto digest = sha256({reinterpret_cast<const uint8_t*>(bytes.data()), bytes.size()});
    uint8_t recorded[32];
    std::copy(digest.begin(), digest.end(), recorded);
    EXPECT_NO_THROW(check_bytecode_hash("prog", recorded, std::span<const Instruction>(insns)));

    Instruction changed[] = {insns[0], insns[1]};
    changed[0].imm = 43;
    try {
        check_bytecode_hash("prog", recorded, std::span<const Instruction>(changed));
        FAIL() << "mismatch accepted";
    } catch (const Error& e) {
        EXPECT_TRUE(contains(e.what(), "program 'prog': the module was built from different bytecode")) << e.what();
        EXPECT_TRUE(contains(e.what(), to_hex(digest))) << e.what();
    }
}

}  // namespace
}  // namespace ebpf
