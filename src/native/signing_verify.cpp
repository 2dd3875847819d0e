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

std::string quoted_subject(const X509* cert) {
    // Appended piecewise: "'" + std::string trips GCC 12's -Wrestrict false positive at -O3.
    std::string text = "'";
    text += ssl::subject_of(cert);
    text += "'";
    return text;
}

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

// A minimal DER reader, enough to walk to the version fields that no
// signature covers (OpenSSL parses but does not check them): a flipped bit
// there must not leave a module "valid".
struct Der {
    const uint8_t* p;
    const uint8_t* end;

    // Reads one element's header; returns its contents, or an empty reader
    // with ok=false when malformed or the tag differs.
    bool next(uint8_t tag, Der& contents) {
        if (end - p < 2 || p[0] != tag) return false;
        size_t length = p[1];
        const uint8_t* body = p + 2;
        if (length & 0x80) {
            size_t count = length & 0x7f;
            if (count == 0 || count > 4 || static_cast<size_t>(end - body) < count) return false;
            length = 0;
            for (size_t i = 0; i < count; ++i) length = (length << 8) | body[i];
            body += count;
        }
        if (static_cast<size_t>(end - body) < length) return false;
        contents = {body, body + length};
        p = body + length;
        return true;
    }
    bool skip_optional(uint8_t tag) {
        Der ignored{};
        return p < end && p[0] == tag ? next(tag, ignored) : true;
    }
    bool small_integer(int& value) {
        Der body{};
        if (!next(0x02, body) || body.end - body.p != 1) return false;
        value = body.p[0];
        return true;
    }
};

// RFC 5652 5.1 and 5.3: with issuerAndSerialNumber, no attribute
// certificates and id-data content, SignedData and SignerInfo are version 1.
bool versions_are_canonical(std::span<const uint8_t> signature) {
    Der top{signature.data(), signature.data() + signature.size()}, content_info{}, explicit0{}, signed_data{};
    Der ignored{}, signer_infos{}, signer_info{};
    int version = -1, signer_version = -1;
    return top.next(0x30, content_info) && content_info.next(0x06, ignored) && content_info.next(0xa0, explicit0) &&
           explicit0.next(0x30, signed_data) && signed_data.small_integer(version) && version == 1 &&
           signed_data.next(0x31, ignored) && signed_data.next(0x30, ignored) && signed_data.skip_optional(0xa0) &&
           signed_data.skip_optional(0xa1) && signed_data.next(0x31, signer_infos) &&
           signer_infos.next(0x30, signer_info) && signer_info.small_integer(signer_version) &&
           signer_version == 1;
}

// The key of `cert` is too weak (or of a kind we do not accept): a sentence, or "".
std::string weak_key(X509* cert) {
    EVP_PKEY* key = X509_get0_pubkey(cert);
    if (key == nullptr) return "certificate " + quoted_subject(cert) + " has no readable public key";
    const int bits = EVP_PKEY_get_bits(key);
    if (EVP_PKEY_is_a(key, "RSA") || EVP_PKEY_is_a(key, "RSA-PSS")) {
        if (bits < 2048)
            return "certificate " + quoted_subject(cert) + " has an RSA key of " + std::to_string(bits) +
                   " bits; at least 2048 are required";
        return "";
    }
    if (EVP_PKEY_is_a(key, "EC")) {
        if (bits < 256)
            return "certificate " + quoted_subject(cert) + " has an EC key of " + std::to_string(bits) +
                   " bits; at least 256 (P-256) are required";
        return "";
    }
    return "certificate " + quoted_subject(cert) + " has a " + EVP_PKEY_get0_type_name(key) +
           " key; only RSA (2048 bits or more) and EC (P-256 or stronger) are accepted";
}

// The rules of docs/signing.md for a verified chain (leaf first, root last);
// a sentence naming the certificate and the rule it breaks, or "".
std::string certificate_policy_violation(STACK_OF(X509) * chain) {
    const int count = sk_X509_num(chain);
    X509* leaf = sk_X509_value(chain, 0);
    X509_check_purpose(leaf, -1, 0);  // caches the extension flags
    const uint32_t ext = X509_get_extension_flags(leaf);
    // A CA as signer could also mint more signers: signing keys stay leaves.
    if ((ext & EXFLAG_CA) || ((ext & EXFLAG_KUSAGE) && (X509_get_key_usage(leaf) & KU_KEY_CERT_SIGN)))
        return "certificate " + quoted_subject(leaf) +
               " is a certificate authority (CA:TRUE or keyCertSign); a module signer must be a leaf certificate";
    if (!(ext & EXFLAG_KUSAGE) || !(X509_get_key_usage(leaf) & KU_DIGITAL_SIGNATURE))
        return "certificate " + quoted_subject(leaf) + " lacks the digitalSignature key usage";
    if (!(ext & EXFLAG_XKUSAGE) || !(X509_get_extended_key_usage(leaf) & XKU_CODE_SIGN))
        return "certificate " + quoted_subject(leaf) + " lacks the codeSigning extended key usage";
    for (int i = 0; i < count; ++i) {
        X509* cert = sk_X509_value(chain, i);
        X509_check_purpose(cert, -1, 0);
        // A CA whose extended key usage is restricted must allow code signing
        // (or any purpose): a TLS-only CA does not vouch for code.
        if (i > 0 && (X509_get_extension_flags(cert) & EXFLAG_XKUSAGE) &&
            !(X509_get_extended_key_usage(cert) & (XKU_CODE_SIGN | XKU_ANYEKU)))
            return "certificate authority " + quoted_subject(cert) +
                   " restricts its extended key usage to purposes other than codeSigning";
        if (std::string reason = weak_key(cert); !reason.empty()) return reason;
        // The root's self-signature proves nothing (it is trusted because it
        // is in the store), so its digest does not matter; every other does.
        if (i + 1 < count) {
            int digest_nid = NID_undef, security_bits = 0;
            if (X509_get_signature_info(cert, &digest_nid, nullptr, &security_bits, nullptr) != 1 ||
                security_bits < 128)
                return "certificate " + quoted_subject(cert) + " is signed with " +
                       (digest_nid != NID_undef ? OBJ_nid2sn(digest_nid) : "an unknown digest") +
                       "; SHA-256 or stronger is required";
        }
    }
    return "";
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
    if (OBJ_obj2nid(CMS_get0_eContentType(cms.get())) != NID_pkcs7_data)
        return fail(report, SignatureVerdict::malformed, "signature does not cover plain data (eContentType)");
    if (!versions_are_canonical(split.signature))
        return fail(report, SignatureVerdict::malformed,
                    "signature is not CMS SignedData version 1 with a version 1 signer (RFC 5652)");
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
    X509_ALGOR* algorithm = nullptr;
    CMS_SignerInfo_get0_algs(info, nullptr, nullptr, &digest, &algorithm);
    if (digest == nullptr || OBJ_obj2nid(digest->algorithm) != NID_sha256)
        return fail(report, SignatureVerdict::invalid, "signature digest is not SHA-256");
    // OpenSSL picks the EC verification from the key, not from this field,
    // so an unchecked OID here would be bytes no check covers.
    const int sig_nid = algorithm != nullptr ? OBJ_obj2nid(algorithm->algorithm) : NID_undef;
    if (sig_nid != NID_ecdsa_with_SHA256 && sig_nid != NID_rsaEncryption && sig_nid != NID_sha256WithRSAEncryption &&
        sig_nid != NID_rsassaPss)
        return fail(report, SignatureVerdict::invalid,
                    "signature algorithm is not ECDSA or RSA with SHA-256 (signatureAlgorithm)");

    // 1. The signature over exactly these module bytes.
    CMS_SignerInfo_set1_signer_cert(info, signer);
    // The content goes in behind a buffering filter: for a bare memory BIO,
    // OpenSSL 3.0's CMS_verify makes a private copy that it leaks when the
    // SignedData is malformed (e.g. an unknown digest OID); a filter BIO is
    // used as it is and freed by us.
    ssl::Bio content(BIO_new(BIO_f_buffer()));
    if (!content) throw ssl::error("openssl: out of memory");
    BIO_push(content.get(), ssl::memory_bio(std::string_view(reinterpret_cast<const char*>(split.module.data()),
                                                             split.module.size()))
                                .release());
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
    ssl::CertStack chain{X509_STORE_CTX_get1_chain(ctx.get())};
    if (chain && sk_X509_num(chain.get()) > 0) {
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

    // 3. What the chain may be used for and how strong it is.
    if (std::string reason = certificate_policy_violation(chain.get()); !reason.empty())
        return fail(report, SignatureVerdict::invalid, reason);

    report.verdict = SignatureVerdict::valid;
    return report;
}

}  // namespace ebpf
