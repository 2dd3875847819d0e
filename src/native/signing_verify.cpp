// Checking a module's signature: the CMS signature over exactly the module
// bytes first (so a tampered module is named as such), then the signer's
// chain to the trust store, then what the signer certificate may be used for.
// Each failure becomes a verdict whose reason names the check.
#include <openssl/x509v3.h>

#include "ebpf/signing.hpp"
#include "openssl_util.hpp"
#include "trust_store_impl.hpp"

namespace ebpf {
namespace {

SignatureReport fail(SignatureReport report, SignatureVerdict verdict, std::string reason) {
    report.verdict = verdict;
    report.reason = std::move(reason);
    return report;
}

std::string quoted_subject(const X509* cert) { return "'" + ssl::subject_of(cert) + "'"; }

// A chain error as a sentence naming the failed check.
std::string chain_error(int code, X509* current, X509* signer, const TrustStore& trust) {
    X509* cert = current != nullptr ? current : signer;
    switch (code) {
        case X509_V_ERR_CERT_HAS_EXPIRED:
            return "certificate " + quoted_subject(cert) + " expired on " +
                   ssl::time_text(X509_get0_notAfter(cert));
        case X509_V_ERR_CERT_NOT_YET_VALID:
            return "certificate " + quoted_subject(cert) + " is not valid before " +
                   ssl::time_text(X509_get0_notBefore(cert));
        case X509_V_ERR_UNABLE_TO_GET_ISSUER_CERT:
        case X509_V_ERR_UNABLE_TO_GET_ISSUER_CERT_LOCALLY:
        case X509_V_ERR_DEPTH_ZERO_SELF_SIGNED_CERT:
        case X509_V_ERR_SELF_SIGNED_CERT_IN_CHAIN:
        case X509_V_ERR_UNABLE_TO_VERIFY_LEAF_SIGNATURE:
            return "signer " + quoted_subject(signer) + " does not chain to a trusted root in " +
                   trust.description();
        default:
            return "certificate " + quoted_subject(cert) + " failed chain verification: " +
                   X509_verify_cert_error_string(code);
    }
}

}  // namespace

SignatureReport verify_module_signature(std::span<const uint8_t> bytes, const TrustStore& trust) {
    SignatureReport report;
    if (!has_module_signature(bytes))
        return fail(report, SignatureVerdict::unsigned_,
                    "module is not signed (no '~ebpf-native signature appended~' trailer)");
    SplitModule split;
    try {
        split = split_signed_module(bytes);
    } catch (const Error& e) {
        return fail(report, SignatureVerdict::malformed, e.what());
    }

    const unsigned char* der = split.signature.data();
    ssl::Cms cms(d2i_CMS_ContentInfo(nullptr, &der, static_cast<long>(split.signature.size())));
    if (!cms || der != split.signature.data() + split.signature.size()) {
        ERR_clear_error();
        return fail(report, SignatureVerdict::malformed,
                    "signature is not a readable CMS structure (corrupted signature)");
    }
    if (OBJ_obj2nid(CMS_get0_type(cms.get())) != NID_pkcs7_signed)
        return fail(report, SignatureVerdict::malformed, "signature is not CMS SignedData");
    STACK_OF(CMS_SignerInfo)* signers = CMS_get0_SignerInfos(cms.get());
    if (signers == nullptr || sk_CMS_SignerInfo_num(signers) != 1)
        return fail(report, SignatureVerdict::malformed, "signature must have exactly one signer");
    CMS_SignerInfo* info = sk_CMS_SignerInfo_value(signers, 0);

    // Find the signer among the certificates the signature carries.
    ssl::CertStack included(CMS_get1_certs(cms.get()));
    if (!included || sk_X509_num(included.get()) == 0)
        return fail(report, SignatureVerdict::malformed, "signature does not include the signer certificate");
    X509* signer = nullptr;
    for (int i = 0; i < sk_X509_num(included.get()) && signer == nullptr; ++i)
        if (CMS_SignerInfo_cert_cmp(info, sk_X509_value(included.get(), i)) == 0)
            signer = sk_X509_value(included.get(), i);
    if (signer == nullptr)
        return fail(report, SignatureVerdict::malformed, "signature does not include the signer certificate");
    report.chain = {ssl::subject_of(signer)};
    report.signer_not_before = ssl::time_text(X509_get0_notBefore(signer));
    report.signer_not_after = ssl::time_text(X509_get0_notAfter(signer));

    X509_ALGOR* digest = nullptr;
    CMS_SignerInfo_get0_algs(info, nullptr, nullptr, &digest, nullptr);
    if (digest == nullptr || OBJ_obj2nid(digest->algorithm) != NID_sha256)
        return fail(report, SignatureVerdict::invalid, "signature digest is not SHA-256");

    // 1. The signature over exactly these module bytes.
    CMS_SignerInfo_set1_signer_cert(info, signer);
    ssl::Bio content = ssl::memory_bio(
        std::string_view(reinterpret_cast<const char*>(split.module.data()), split.module.size()));
    if (CMS_verify(cms.get(), nullptr, nullptr, content.get(), nullptr,
                   CMS_BINARY | CMS_NO_SIGNER_CERT_VERIFY) != 1) {
        ERR_clear_error();
        return fail(report, SignatureVerdict::invalid, "signature does not match the module contents");
    }

    // 2. The signer's chain to a trusted root, strictly.
    ssl::Store store(X509_STORE_new());
    for (const auto& root : trust.impl().roots) X509_STORE_add_cert(store.get(), root.get());
    ssl::StoreCtx ctx(X509_STORE_CTX_new());
    if (!store || !ctx || X509_STORE_CTX_init(ctx.get(), store.get(), signer, included.get()) != 1) {
        ERR_clear_error();
        return fail(report, SignatureVerdict::invalid, "cannot set up certificate chain verification");
    }
    X509_VERIFY_PARAM_set_flags(X509_STORE_CTX_get0_param(ctx.get()), X509_V_FLAG_X509_STRICT);
    const bool chained = X509_verify_cert(ctx.get()) == 1;
    if (ssl::CertStack chain{X509_STORE_CTX_get1_chain(ctx.get())}; chain && sk_X509_num(chain.get()) > 0) {
        report.chain.clear();
        for (int i = 0; i < sk_X509_num(chain.get()); ++i)
            report.chain.push_back(ssl::subject_of(sk_X509_value(chain.get(), i)));
    }
    if (!chained) {
        std::string reason = chain_error(X509_STORE_CTX_get_error(ctx.get()),
                                         X509_STORE_CTX_get_current_cert(ctx.get()), signer, trust);
        ERR_clear_error();
        return fail(report, SignatureVerdict::invalid, reason);
    }

    // 3. What the signer certificate may sign: code, with a digital signature.
    X509_check_purpose(signer, -1, 0);  // caches the extension flags
    const uint32_t ext = X509_get_extension_flags(signer);
    if (!(ext & EXFLAG_KUSAGE) || !(X509_get_key_usage(signer) & KU_DIGITAL_SIGNATURE))
        return fail(report, SignatureVerdict::invalid,
                    "certificate " + quoted_subject(signer) + " lacks the digitalSignature key usage");
    if (!(ext & EXFLAG_XKUSAGE) || !(X509_get_extended_key_usage(signer) & XKU_CODE_SIGN))
        return fail(report, SignatureVerdict::invalid,
                    "certificate " + quoted_subject(signer) + " lacks the codeSigning extended key usage");

    report.verdict = SignatureVerdict::valid;
    return report;
}

}  // namespace ebpf
