// Signing and verifying a well-formed module: the happy path, the trailer
// layout, and that a signed module is still a shared object.
#include <gtest/gtest.h>

#include <cstring>

#include "ebpf/error.hpp"
#include "ebpf/signing.hpp"
#include "test_support.hpp"

namespace ebpf {
namespace {

using test::pki;
using test::trust;

class Signing : public ::testing::Test {
protected:
    test::ScratchDir dir;
    std::vector<uint8_t> module = test::build_module(dir.path(), "m42", 42);
};

TEST_F(Signing, SignedModuleVerifiesWithChainLeafFirst) {
    auto signed_bytes = sign_module(module, pki().signer);
    auto report = verify_module_signature(signed_bytes, trust());
    EXPECT_EQ(report.verdict, SignatureVerdict::valid) << report.reason;
    EXPECT_TRUE(report.reason.empty());
    ASSERT_EQ(report.chain.size(), 2u);
    EXPECT_NE(report.chain[0].find("CN=Test Code Signer"), std::string::npos) << report.chain[0];
    EXPECT_NE(report.chain[1].find("CN=Test Root CA"), std::string::npos) << report.chain[1];
    EXPECT_FALSE(report.signer_not_after.empty());
}

TEST_F(Signing, TrailerLayoutIsModuleSignatureInfoMagic) {
    auto signed_bytes = sign_module(module, pki().signer);
    ASSERT_TRUE(has_module_signature(signed_bytes));
    EXPECT_FALSE(has_module_signature(module));
    auto split = split_signed_module(signed_bytes);
    ASSERT_EQ(split.module.size(), module.size());
    EXPECT_EQ(std::memcmp(split.module.data(), module.data(), module.size()), 0);
    EXPECT_EQ(split.signature[0], 0x30);  // DER SEQUENCE
    const uint8_t* info = signed_bytes.data() + signed_bytes.size() - kModuleSignatureTrailerSize;
    EXPECT_EQ(info[0], kModuleSignatureVersion);
    EXPECT_EQ(info[1], kModuleSignatureFormatCms);
    EXPECT_EQ(info[2], kModuleSignatureDigestSha256);
    uint32_t length = (uint32_t{info[4]} << 24) | (uint32_t{info[5]} << 16) | (uint32_t{info[6]} << 8) | info[7];
    EXPECT_EQ(length, split.signature.size());
    EXPECT_EQ(module.size() + length + kModuleSignatureTrailerSize, signed_bytes.size());
}

TEST_F(Signing, SignedModuleIsStillASharedObject) {
    auto signed_bytes = sign_module(module, pki().signer);
    test::write_bytes(dir / "signed.so", signed_bytes);
    EXPECT_EQ(test::call_answer((dir / "signed.so").string()), 42);
}

TEST_F(Signing, ResigningReplacesTheSignature) {
    auto once = sign_module(module, pki().signer);
    auto twice = sign_module(once, pki().signer);
    EXPECT_EQ(split_signed_module(twice).module.size(), module.size());
    EXPECT_TRUE(verify_module_signature(twice, trust()).ok());
}

TEST_F(Signing, SignFromPemFiles) {
    test::write_bytes(dir / "key.pem", std::vector<uint8_t>(pki().signer.key_pem.begin(), pki().signer.key_pem.end()));
    test::write_bytes(dir / "cert.pem", std::vector<uint8_t>(pki().signer.cert_pem.begin(), pki().signer.cert_pem.end()));
    auto signed_bytes = sign_module(module, dir / "key.pem", dir / "cert.pem");
    EXPECT_TRUE(verify_module_signature(signed_bytes, trust()).ok());
    EXPECT_THROW(sign_module(module, dir / "missing.pem", dir / "cert.pem"), Error);
}

TEST_F(Signing, KeyThatDoesNotMatchTheCertificateIsRefused) {
    SigningCredential mixed{pki().root.key_pem, pki().signer.cert_pem};
    try {
        sign_module(module, mixed);
        FAIL() << "signing with a foreign key succeeded";
    } catch (const Error& e) {
        EXPECT_NE(std::string(e.what()).find("does not belong to certificate"), std::string::npos) << e.what();
    }
}

TEST_F(Signing, GarbageKeyAndCertificateAreClearErrors) {
    EXPECT_THROW(sign_module(module, SigningCredential{"not a key", pki().signer.cert_pem}), Error);
    EXPECT_THROW(sign_module(module, SigningCredential{pki().signer.key_pem, "not a cert"}), Error);
    EXPECT_THROW(sign_module({}, pki().signer), Error);
}

TEST_F(Signing, IntermediateCertificateTravelsInTheSignature) {
    auto intermediate = issue_certificate({.common_name = "Test Intermediate CA", .certificate_authority = true},
                                          &pki().root);
    auto leaf = issue_certificate({.common_name = "Test Leaf Via Intermediate"}, &intermediate);
    leaf.cert_pem += intermediate.cert_pem;
    auto report = verify_module_signature(sign_module(module, leaf), trust());
    EXPECT_TRUE(report.ok()) << report.reason;
    EXPECT_EQ(report.chain.size(), 3u);
}

TEST_F(Signing, UnsignedModuleHasVerdictUnsigned) {
    auto report = verify_module_signature(module, trust());
    EXPECT_EQ(report.verdict, SignatureVerdict::unsigned_);
    EXPECT_NE(report.reason.find("not signed"), std::string::npos);
    EXPECT_THROW(split_signed_module(module), Error);
}

TEST(Sha256, KnownVector) {
    const std::string abc = "abc";
    auto digest = sha256({reinterpret_cast<const uint8_t*>(abc.data()), abc.size()});
    EXPECT_EQ(to_hex(digest), "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad");
}

TEST(DevelopmentKeys, WritesUsableKeysAndNeverOverwrites) {
    test::ScratchDir dir;
    auto keys = write_development_keys(dir / "keys");
    auto module = test::build_module(dir.path(), "m5", 5);
    auto signed_bytes = sign_module(module, keys.signing_key, keys.signing_cert);
    auto store = TrustStore::from_path(keys.root_cert.parent_path());
    EXPECT_TRUE(verify_module_signature(signed_bytes, store).ok());
    EXPECT_EQ(std::filesystem::status(keys.signing_key).permissions() & std::filesystem::perms::others_read,
              std::filesystem::perms::none);
    EXPECT_THROW(write_development_keys(dir / "keys"), Error);
}

}  // namespace
}  // namespace ebpf
