// What a signing certificate may be (docs/signing.md, "Trust store and
// certificates"): each rule has a certificate that breaks it, refused with a
// reason naming the certificate and the rule, next to one that keeps it.
#include <gtest/gtest.h>

#include "ebpf/signing.hpp"
#include "test_support.hpp"

namespace ebpf {
namespace {

using test::pki;
using test::trust;

class CertificateRules : public ::testing::Test {
protected:
    test::ScratchDir dir;
    std::vector<uint8_t> module = test::build_module(dir.path(), "m42", 42);

    // The verdict for the module signed by `leaf` (with `chain_pem` appended
    // to its certificate so intermediates travel in the signature).
    SignatureReport signed_by(SigningCredential leaf, const std::string& chain_pem = "") {
        leaf.cert_pem += chain_pem;
        return verify_module_signature(sign_module(module, leaf), trust());
    }
    void expect_refused(const SignatureReport& report, const std::string& reason_part) {
        EXPECT_EQ(report.verdict, SignatureVerdict::invalid) << report.reason;
        EXPECT_NE(report.reason.find(reason_part), std::string::npos) << report.reason;
    }
};

TEST_F(CertificateRules, LeafThatIsACertificateAuthorityIsRefused) {
    // Everything a code signer needs, but also CA:TRUE: it could mint signers.
    auto ca_leaf = issue_certificate({.common_name = "CA Leaf",
                                      .certificate_authority = true,
                                      .key_usage = "critical,digitalSignature,keyCertSign",
                                      .extended_key_usage = "codeSigning"},
                                     &pki().root);
    expect_refused(signed_by(ca_leaf), "certificate 'CN=CA Leaf, O=ebpf-native development' is a certificate authority");
}

TEST_F(CertificateRules, LeafWithKeyCertSignIsRefused) {
    auto leaf = issue_certificate({.common_name = "Cert Signing Leaf", .key_usage = "critical,digitalSignature,keyCertSign"},
                                  &pki().root);
    const auto report = signed_by(leaf);
    EXPECT_EQ(report.verdict, SignatureVerdict::invalid) << report.reason;
    EXPECT_NE(report.reason.find("CN=Cert Signing Leaf"), std::string::npos) << report.reason;
}

TEST_F(CertificateRules, KeyUsageAndExtendedKeyUsageOfTheLeaf) {
    expect_refused(signed_by(issue_certificate({.common_name = "No DS", .key_usage = "critical,nonRepudiation"},
                                               &pki().root)),
                   "lacks the digitalSignature key usage");
    expect_refused(signed_by(issue_certificate({.common_name = "Email", .extended_key_usage = "emailProtection"},
                                               &pki().root)),
                   "lacks the codeSigning extended key usage");
}

TEST_F(CertificateRules, RsaKeysNeedAtLeast2048Bits) {
    expect_refused(signed_by(issue_certificate({.common_name = "Weak RSA", .key_algorithm = "RSA-1024"}, &pki().root)),
                   "certificate 'CN=Weak RSA, O=ebpf-native development' has an RSA key of 1024 bits; at least 2048 are "
                   "required");
    const auto report = signed_by(issue_certificate({.common_name = "RSA Signer", .key_algorithm = "RSA-2048"}, &pki().root));
    EXPECT_TRUE(report.ok()) << report.reason;
}

TEST_F(CertificateRules, EcKeysNeedAtLeastP256) {
    expect_refused(signed_by(issue_certificate({.common_name = "Weak EC", .key_algorithm = "P-224"}, &pki().root)),
                   "has an EC key of 224 bits; at least 256 (P-256) are required");
    const auto report = signed_by(issue_certificate({.common_name = "P384 Signer", .key_algorithm = "P-384"}, &pki().root));
    EXPECT_TRUE(report.ok()) << report.reason;
}

TEST_F(CertificateRules, WeakKeyAnywhereInTheChainIsRefused) {
    auto weak_ca = issue_certificate({.common_name = "Weak Intermediate", .certificate_authority = true,
                                      .key_algorithm = "RSA-1024"},
                                     &pki().root);
    auto leaf = issue_certificate({.common_name = "Leaf Under Weak CA"}, &weak_ca);
    expect_refused(signed_by(leaf, weak_ca.cert_pem), "certificate 'CN=Weak Intermediate");
    expect_refused(signed_by(leaf, weak_ca.cert_pem), "RSA key of 1024 bits");
}

TEST_F(CertificateRules, CertificatesSignedWithSha1AreRefused) {
    auto sha1 = issue_certificate({.common_name = "SHA1 Signer", .signature_digest = "SHA1"}, &pki().root);
    expect_refused(signed_by(sha1), "certificate 'CN=SHA1 Signer, O=ebpf-native development' is signed with SHA1; "
                                    "SHA-256 or stronger is required");
    const auto report = signed_by(issue_certificate({.common_name = "SHA384 Signer", .signature_digest = "SHA384"},
                                                    &pki().root));
    EXPECT_TRUE(report.ok()) << report.reason;
}

TEST_F(CertificateRules, IntermediateMustPermitCodeSigning) {
    auto tls_ca = issue_certificate({.common_name = "TLS Only CA", .certificate_authority = true,
                                     .extended_key_usage = "serverAuth,clientAuth"},
                                    &pki().root);
    auto leaf = issue_certificate({.common_name = "Leaf Under TLS CA"}, &tls_ca);
    expect_refused(signed_by(leaf, tls_ca.cert_pem),
                   "certificate authority 'CN=TLS Only CA, O=ebpf-native development' restricts its extended key "
                   "usage to purposes other than codeSigning");

    auto code_ca = issue_certificate({.common_name = "Code CA", .certificate_authority = true,
                                      .extended_key_usage = "codeSigning"},
                                     &pki().root);
    auto good = issue_certificate({.common_name = "Leaf Under Code CA"}, &code_ca);
    const auto report = signed_by(good, code_ca.cert_pem);
    EXPECT_TRUE(report.ok()) << report.reason;
    // No extended key usage on a CA: unrestricted, as RFC 5280 reads it.
    auto plain_ca = issue_certificate({.common_name = "Plain CA", .certificate_authority = true}, &pki().root);
    auto plain_leaf = issue_certificate({.common_name = "Leaf Under Plain CA"}, &plain_ca);
    EXPECT_TRUE(signed_by(plain_leaf, plain_ca.cert_pem).ok());
}

TEST_F(CertificateRules, RootWithWrongExtendedKeyUsageIsRefused) {
    auto tls_root = issue_certificate({.common_name = "TLS Root", .certificate_authority = true,
                                       .extended_key_usage = "serverAuth"},
                                      nullptr);
    auto leaf = issue_certificate({.common_name = "Leaf Under TLS Root"}, &tls_root);
    const auto report = verify_module_signature(sign_module(module, leaf), TrustStore::from_pem(tls_root.cert_pem, "tls"));
    expect_refused(report, "certificate authority 'CN=TLS Root");
}

}  // namespace
}  // namespace ebpf
