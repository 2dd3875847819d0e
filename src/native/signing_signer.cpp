// read_module_signer(): the signer certificate named by a module's CMS
// signature, for display. Parsing only: whether the signature matches and
// the signer is trusted is verify_module_signature()'s question.
#include "ebpf/signing.hpp"
#include "openssl_util.hpp"

namespace ebpf {
namespace {

std::string issuer_of(const X509* cert) {
    ssl::Bio bio(BIO_new(BIO_s_mem()));
    if (!bio) throw ssl::error("openssl: out of memory");
    X509_NAME_print_ex(bio.get(), X509_get_issuer_name(cert), 0,
                       XN_FLAG_SEP_CPLUS_SPC | XN_FLAG_DN_REV | XN_FLAG_FN_SN |
                           (ASN1_STRFLGS_RFC2253 & ~ASN1_STRFLGS_ESC_MSB));
    return ssl::bio_text(bio.get());
}

}  // namespace

std::optional<SignerIdentity> read_module_signer(std::span<const uint8_t> bytes) {
    if (!has_module_signature(bytes)) return std::nullopt;
    const SplitModule split = split_signed_module(bytes);
    const unsigned char* der = split.signature.data();
    ssl::Cms cms(d2i_CMS_ContentInfo(nullptr, &der, static_cast<long>(split.signature.size())));
    if (!cms || der != split.signature.data() + split.signature.size() ||
        OBJ_obj2nid(CMS_get0_type(cms.get())) != NID_pkcs7_signed) {
        ERR_clear_error();
        throw Error("signature is not a readable CMS SignedData structure (corrupted signature)");
    }
    STACK_OF(CMS_SignerInfo)* signers = CMS_get0_SignerInfos(cms.get());
    if (signers == nullptr || sk_CMS_SignerInfo_num(signers) != 1)
        throw Error("signature must have exactly one signer");
    CMS_SignerInfo* info = sk_CMS_SignerInfo_value(signers, 0);
    ssl::CertStack included(CMS_get1_certs(cms.get()));
    for (int i = 0; included && i < sk_X509_num(included.get()); ++i) {
        X509* cert = sk_X509_value(included.get(), i);
        if (CMS_SignerInfo_cert_cmp(info, cert) != 0) continue;
        return SignerIdentity{ssl::subject_of(cert), issuer_of(cert),
                            ssl::time_text(X509_get0_notBefore(cert)),
                            ssl::time_text(X509_get0_notAfter(cert))};
    }
    ERR_clear_error();
    throw Error("signature does not include the signer certificate");
}

}  // namespace ebpf
