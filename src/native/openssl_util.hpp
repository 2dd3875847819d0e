// Small RAII wrappers and text helpers over OpenSSL for the signing code.
#pragma once

#include <openssl/bio.h>
#include <openssl/cms.h>
#include <openssl/err.h>
#include <openssl/evp.h>
#include <openssl/pem.h>
#include <openssl/x509.h>
#include <openssl/x509_vfy.h>

#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "ebpf/error.hpp"

namespace ebpf::ssl {

template <auto Free>
struct Deleter {
    template <class T>
    void operator()(T* p) const { Free(p); }
};
using Bio = std::unique_ptr<BIO, Deleter<BIO_free_all>>;
using Cms = std::unique_ptr<CMS_ContentInfo, Deleter<CMS_ContentInfo_free>>;
using Key = std::unique_ptr<EVP_PKEY, Deleter<EVP_PKEY_free>>;
using Cert = std::unique_ptr<X509, Deleter<X509_free>>;
using Store = std::unique_ptr<X509_STORE, Deleter<X509_STORE_free>>;
using StoreCtx = std::unique_ptr<X509_STORE_CTX, Deleter<X509_STORE_CTX_free>>;

inline void free_cert_stack(STACK_OF(X509) * s) { sk_X509_pop_free(s, X509_free); }
using CertStack = std::unique_ptr<STACK_OF(X509), Deleter<free_cert_stack>>;

// The oldest queued OpenSSL error as text (and the queue cleared), or "".
inline std::string last_error() {
    unsigned long code = ERR_get_error();
    std::string text;
    if (code != 0) {
        char buf[256];
        ERR_error_string_n(code, buf, sizeof buf);
        text = buf;
    }
    ERR_clear_error();
    return text;
}

// "where: what (openssl: ...)"
inline Error error(std::string message) {
    std::string detail = last_error();
    if (!detail.empty()) message += " (openssl: " + detail + ")";
    return Error(message);
}

inline Bio memory_bio(std::string_view data) {
    Bio bio(BIO_new_mem_buf(data.data(), static_cast<int>(data.size())));
    if (!bio) throw error("openssl: out of memory");
    return bio;
}

inline std::string bio_text(BIO* bio) {
    char* data = nullptr;
    long size = BIO_get_mem_data(bio, &data);
    return std::string(data, size > 0 ? static_cast<size_t>(size) : 0);
}

// "CN=..., O=...": most specific name first, as RFC 2253 prints it.
inline std::string subject_of(const X509* cert) {
    Bio bio(BIO_new(BIO_s_mem()));
    X509_NAME_print_ex(bio.get(), X509_get_subject_name(cert), 0,
                       XN_FLAG_SEP_CPLUS_SPC | XN_FLAG_DN_REV | XN_FLAG_FN_SN |
                           (ASN1_STRFLGS_RFC2253 & ~ASN1_STRFLGS_ESC_MSB));
    return bio_text(bio.get());
}

inline std::string time_text(const ASN1_TIME* time) {
    Bio bio(BIO_new(BIO_s_mem()));
    ASN1_TIME_print(bio.get(), time);
    return bio_text(bio.get());
}

// Every certificate in PEM text, in order. Throws when none is found.
inline std::vector<Cert> read_certificates(std::string_view pem, const std::string& where) {
    Bio bio = memory_bio(pem);
    std::vector<Cert> certs;
    while (X509* cert = PEM_read_bio_X509(bio.get(), nullptr, nullptr, nullptr)) certs.emplace_back(cert);
    ERR_clear_error();  // the read that ends the loop queues "no start line"
    if (certs.empty()) throw Error(where + ": no PEM certificate found");
    return certs;
}

}  // namespace ebpf::ssl
