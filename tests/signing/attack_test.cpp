// Attacks on signed modules: each is rejected, and the reason names the
// check that failed.
#include <gtest/gtest.h>

#include <cstring>

#include "ebpf/error.hpp"
#include "ebpf/signing.hpp"
#include "test_support.hpp"

namespace ebpf {
namespace {

using test::pki;
using test::trust;

bool contains(const std::string& text, const std::string& part) { return text.find(part) != std::string::npos; }

class Attack : public ::testing::Test {
protected:
    test::ScratchDir dir;
    std::vector<uint8_t> module = test::build_module(dir.path(), "m42", 42);
    std::vector<uint8_t> signed_bytes = sign_module(module, pki().signer);

    size_t signature_start() const { return module.size(); }
    size_t trailer_start() const { return signed_bytes.size() - kModuleSignatureTrailerSize; }

    // Flips one byte at `offset` and returns the verdict.
    SignatureReport flipped(size_t offset) const {
        auto bytes = signed_bytes;
        bytes[offset] ^= 0xff;
        return verify_module_signature(bytes, trust());
    }
};

TEST_F(Attack, FlippedByteInTheElfHeaderOrCode) {
    std::vector<size_t> offsets = {0, 1, 4, 5, 16, 18, 24, 40, 63};  // ELF header fields
    for (size_t offset = 64; offset < module.size(); offset += 61) offsets.push_back(offset);
    offsets.push_back(module.size() - 1);
    for (size_t offset : offsets) {
        auto report = flipped(offset);
        EXPECT_EQ(report.verdict, SignatureVerdict::invalid) << "offset " << offset;
        EXPECT_EQ(report.reason, "signature does not match the module contents") << "offset " << offset;
    }
}

TEST_F(Attack, FlippedByteAnywhereInTheSignature) {
    // Every byte of the CMS structure: whichever part it hits (the structure,
    // the signed attributes, the signature value, the signer certificate),
    // the module must not verify, and the reason must name a check.
    for (size_t offset = signature_start(); offset < trailer_start(); ++offset) {
        auto report = flipped(offset);
        EXPECT_NE(report.verdict, SignatureVerdict::valid) << "offset " << offset - signature_start()
                                                           << " of the signature";
        const std::string& why = report.reason;
        EXPECT_TRUE(contains(why, "signature does not match the module contents") ||
                    contains(why, "signature trailer:") || contains(why, "not a readable CMS structure") ||
                    contains(why, "does not include the signer certificate") ||
                    contains(why, "digest is not SHA-256") || contains(why, "signature algorithm is not") || contains(why, "failed chain verification") ||
                    contains(why, "does not chain to a trusted root") || contains(why, "expired on") ||
                    contains(why, "not valid before") || contains(why, "key usage") ||
                    contains(why, "signature must have exactly one signer") ||
                    contains(why, "not CMS SignedData") || contains(why, "does not cover plain data"))
            << "offset " << offset - signature_start() << ": " << why;
    }
}

TEST_F(Attack, FlippedByteInTheTrailer) {
    for (size_t offset = trailer_start(); offset < trailer_start() + sizeof(ModuleSignatureInfo); ++offset) {
        auto report = flipped(offset);
        EXPECT_EQ(report.verdict, SignatureVerdict::malformed) << "offset " << offset;
        EXPECT_TRUE(contains(report.reason, "signature trailer:")) << report.reason;
    }
    for (size_t offset = trailer_start() + sizeof(ModuleSignatureInfo); offset < signed_bytes.size(); ++offset) {
        auto report = flipped(offset);
        EXPECT_EQ(report.verdict, SignatureVerdict::unsigned_) << "offset " << offset;
        EXPECT_TRUE(contains(report.reason, "not signed")) << report.reason;
    }
}

TEST_F(Attack, TruncatedSignatureWithAdjustedLength) {
    // Cut 16 bytes off the end of the signature and fix the trailer to match.
    const size_t cut = 16;
    std::vector<uint8_t> bytes(signed_bytes.begin(), signed_bytes.begin() + trailer_start() - cut);
    auto split = split_signed_module(signed_bytes);
    const uint32_t length = static_cast<uint32_t>(split.signature.size() - cut);
    bytes.insert(bytes.end(), signed_bytes.begin() + trailer_start(), signed_bytes.end());
    uint8_t* info = bytes.data() + bytes.size() - kModuleSignatureTrailerSize;
    info[4] = static_cast<uint8_t>(length >> 24);
    info[5] = static_cast<uint8_t>(length >> 16);
    info[6] = static_cast<uint8_t>(length >> 8);
    info[7] = static_cast<uint8_t>(length);
    auto report = verify_module_signature(bytes, trust());
    EXPECT_EQ(report.verdict, SignatureVerdict::malformed);
    EXPECT_TRUE(contains(report.reason, "the signature is truncated")) << report.reason;
}

TEST_F(Attack, TruncatedSignatureWithOriginalTrailer) {
    // Bytes cut out of the signature, trailer kept: the claimed signature now
    // starts inside the module.
    std::vector<uint8_t> bytes(signed_bytes.begin(), signed_bytes.begin() + trailer_start() - 16);
    bytes.insert(bytes.end(), signed_bytes.begin() + trailer_start(), signed_bytes.end());
    auto report = verify_module_signature(bytes, trust());
    EXPECT_EQ(report.verdict, SignatureVerdict::malformed);
    EXPECT_TRUE(contains(report.reason, "signature trailer:")) << report.reason;
}

TEST_F(Attack, FileCutInsideTheSignature) {
    std::vector<uint8_t> bytes(signed_bytes.begin(), signed_bytes.begin() + signature_start() + 100);
    auto report = verify_module_signature(bytes, trust());
    EXPECT_EQ(report.verdict, SignatureVerdict::unsigned_);
    EXPECT_TRUE(contains(report.reason, "not signed")) << report.reason;
}

TEST_F(Attack, TrailerClaimsMoreThanTheFile) {
    auto bytes = signed_bytes;
    bytes.at(trailer_start() + 4) = 0x7f;  // the length's top byte: ~2 GiB
    auto report = verify_module_signature(bytes, trust());
    EXPECT_EQ(report.verdict, SignatureVerdict::malformed);
    EXPECT_TRUE(contains(report.reason, "-byte signature but the file holds only")) << report.reason;
    try {
        split_signed_module(bytes);
        FAIL() << "split accepted a trailer larger than the file";
    } catch (const Error& e) {
        EXPECT_TRUE(contains(e.what(), "signature trailer: claims a")) << e.what();
    }
}

TEST_F(Attack, TrailerOnlyFilesAreNotReadOutsideThemselves) {
    for (size_t size = 0; size <= kModuleSignatureTrailerSize + 2; ++size) {
        std::vector<uint8_t> bytes(signed_bytes.end() - static_cast<long>(std::min(size, signed_bytes.size())),
                                   signed_bytes.end());
        auto report = verify_module_signature(bytes, trust());
        EXPECT_NE(report.verdict, SignatureVerdict::valid);
        EXPECT_FALSE(report.reason.empty());
    }
}

TEST_F(Attack, SignatureByAnUntrustedCertificate) {
    auto other_root = issue_certificate({.common_name = "Other Root CA", .certificate_authority = true}, nullptr);
    auto other_signer = issue_certificate({.common_name = "Other Signer"}, &other_root);
    auto report = verify_module_signature(sign_module(module, other_signer), trust());
    EXPECT_EQ(report.verdict, SignatureVerdict::invalid);
    EXPECT_TRUE(contains(report.reason, "signer 'CN=Other Signer")) << report.reason;
    EXPECT_TRUE(contains(report.reason, "does not chain to a trusted root in test-roots")) << report.reason;
}

TEST_F(Attack, SelfSignedLeafIsNotTrustedUnlessItIsARoot) {
    auto self_signed = issue_certificate({.common_name = "Self Signed Signer"}, nullptr);
    auto signed_by_self = sign_module(module, self_signed);
    auto report = verify_module_signature(signed_by_self, trust());
    EXPECT_EQ(report.verdict, SignatureVerdict::invalid);
    EXPECT_TRUE(contains(report.reason, "does not chain to a trusted root")) << report.reason;

    auto own_store = TrustStore::from_pem(self_signed.cert_pem, "self");
    EXPECT_TRUE(verify_module_signature(signed_by_self, own_store).ok());
}

TEST_F(Attack, ExpiredCertificate) {
    using std::chrono::hours;
    auto expired = issue_certificate({.common_name = "Expired Signer",
                                      .not_before_offset = -hours(24 * 30),
                                      .not_after_offset = -hours(24)},
                                     &pki().root);
    auto report = verify_module_signature(sign_module(module, expired), trust());
    EXPECT_EQ(report.verdict, SignatureVerdict::invalid);
    EXPECT_TRUE(contains(report.reason, "certificate 'CN=Expired Signer")) << report.reason;
    EXPECT_TRUE(contains(report.reason, "expired on")) << report.reason;
}

TEST_F(Attack, NotYetValidCertificate) {
    using std::chrono::hours;
    auto future = issue_certificate({.common_name = "Future Signer",
                                     .not_before_offset = hours(24),
                                     .not_after_offset = hours(48)},
                                    &pki().root);
    auto report = verify_module_signature(sign_module(module, future), trust());
    EXPECT_EQ(report.verdict, SignatureVerdict::invalid);
    EXPECT_TRUE(contains(report.reason, "is not valid before")) << report.reason;
}

TEST_F(Attack, CertificateWithoutCodeSigningUsage) {
    auto server = issue_certificate({.common_name = "TLS Server", .code_signing_usage = false}, &pki().root);
    auto report = verify_module_signature(sign_module(module, server), trust());
    EXPECT_EQ(report.verdict, SignatureVerdict::invalid);
    EXPECT_EQ(report.reason, "certificate 'CN=TLS Server, O=ebpf-native development' lacks the codeSigning "
                             "extended key usage");
}

TEST_F(Attack, ValidSignatureOverADifferentModule) {
    auto other = test::build_module(dir.path(), "m7", 7);
    auto other_signed = sign_module(other, pki().signer);
    // Module A with module B's signature and trailer.
    std::vector<uint8_t> bytes = module;
    bytes.insert(bytes.end(), other_signed.begin() + static_cast<long>(other.size()), other_signed.end());
    auto report = verify_module_signature(bytes, trust());
    EXPECT_EQ(report.verdict, SignatureVerdict::invalid);
    EXPECT_EQ(report.reason, "signature does not match the module contents");
}

TEST_F(Attack, BytesAppendedBetweenModuleAndSignature) {
    auto split = split_signed_module(signed_bytes);
    std::vector<uint8_t> bytes(split.module.begin(), split.module.end());
    bytes.push_back(0);
    bytes.insert(bytes.end(), signed_bytes.begin() + static_cast<long>(module.size()), signed_bytes.end());
    EXPECT_EQ(verify_module_signature(bytes, trust()).reason, "signature does not match the module contents");
}

}  // namespace
}  // namespace ebpf
