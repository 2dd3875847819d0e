// Issuing certificates for development: a root CA and code-signing
// certificates (ECDSA P-256, SHA-256), shaped to pass the strict chain
// checks of verify_module_signature (subject/authority key identifiers,
// critical basic constraints and key usage). Tests use the same function to
// make expired, untrusted and wrongly-purposed certificates.
#include <fcntl.h>
#include <openssl/bn.h>
#include <openssl/x509v3.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>

#include "ebpf/signing.hpp"
#include "openssl_util.hpp"
#include "pkcs11_key.hpp"

namespace ebpf {
namespace {

using Bignum = std::unique_ptr<BIGNUM, ssl::Deleter<BN_free>>;

void add_extension(X509* cert, X509* issuer, int nid, const char* value) {
    X509V3_CTX ctx;
    X509V3_set_ctx(&ctx, issuer, cert, nullptr, nullptr, 0);
    X509_EXTENSION* ext = X509V3_EXT_conf_nid(nullptr, &ctx, nid, value);
    if (ext == nullptr) throw ssl::error(std::string("issue certificate: cannot make extension ") + value);
    const int ok = X509_add_ext(cert, ext, -1);
    X509_EXTENSION_free(ext);
    if (!ok) throw ssl::error("issue certificate: cannot add an extension");
}

void add_name_entry(X509_NAME* name, const char* field, const std::string& value) {
    if (value.empty()) return;
    if (!X509_NAME_add_entry_by_txt(name, field, MBSTRING_UTF8,
                                    reinterpret_cast<const unsigned char*>(value.c_str()), -1, -1, 0))
        throw ssl::error("issue certificate: bad name entry " + std::string(field));
}

std::string key_pem(EVP_PKEY* key) {
    ssl::Bio bio(BIO_new(BIO_s_mem()));
    if (!PEM_write_bio_PrivateKey(bio.get(), key, nullptr, nullptr, 0, nullptr, nullptr))
        throw ssl::error("issue certificate: cannot encode the key");
    return ssl::bio_text(bio.get());
}

std::string cert_pem(X509* cert) {
    ssl::Bio bio(BIO_new(BIO_s_mem()));
    if (!PEM_write_bio_X509(bio.get(), cert)) throw ssl::error("issue certificate: cannot encode the certificate");
    return ssl::bio_text(bio.get());
}

void write_new_file(const std::filesystem::path& path, const std::string& text, mode_t mode) {
    int fd = ::open(path.c_str(), O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, mode);
    if (fd < 0)
        throw Error(path.string() + ": cannot create (" + std::strerror(errno) +
                    (errno == EEXIST ? "; keygen never overwrites keys" : "") + ")");
    size_t done = 0;
    while (done < text.size()) {
        ssize_t n = ::write(fd, text.data() + done, text.size() - done);
        if (n < 0 && errno == EINTR) continue;
        if (n < 0) {
            int saved = errno;
            ::close(fd);
            throw Error(path.string() + ": write failed (" + std::strerror(saved) + ")");
        }
        done += static_cast<size_t>(n);
    }
    ::close(fd);
}

}  // namespace

SigningCredential issue_certificate(const CertificateSpec& spec, const SigningCredential* issuer) {
    if (spec.common_name.empty()) throw Error("issue certificate: the common name is empty");
    ssl::Key key;
    if (!spec.public_key_pem.empty()) {
        ssl::Bio bio = ssl::memory_bio(spec.public_key_pem);
        key.reset(PEM_read_bio_PUBKEY(bio.get(), nullptr, nullptr, nullptr));
        if (!key) throw ssl::error("issue certificate: the public key is not readable PEM");
    } else if (spec.key_algorithm.starts_with("RSA-"))
        key.reset(EVP_RSA_gen(static_cast<unsigned>(std::stoul(spec.key_algorithm.substr(4)))));
    else
        key.reset(EVP_EC_gen(spec.key_algorithm.c_str()));
    if (!key) throw ssl::error("issue certificate: cannot generate a " + spec.key_algorithm + " key");
    if (!spec.public_key_pem.empty() && spec.certificate_authority && issuer == nullptr)
        throw Error("issue certificate: a self-signed certificate needs its own private key");
    const EVP_MD* digest = EVP_get_digestbyname(spec.signature_digest.c_str());
    if (digest == nullptr) throw Error("issue certificate: unknown digest " + spec.signature_digest);

    ssl::Key issuer_key;
    ssl::Cert issuer_cert;
    if (issuer != nullptr) {
        ssl::Bio bio = ssl::memory_bio(issuer->key_pem);
        issuer_key.reset(PEM_read_bio_PrivateKey(bio.get(), nullptr, nullptr, nullptr));
        if (!issuer_key) throw ssl::error("issue certificate: the issuer key is not readable PEM");
        issuer_cert = std::move(ssl::read_certificates(issuer->cert_pem, "issue certificate: issuer")[0]);
    }

    ssl::Cert cert(X509_new());
    if (!cert || !X509_set_version(cert.get(), X509_VERSION_3)) throw ssl::error("issue certificate: X509_new");
    // A random positive 127-bit serial number (RFC 5280: at most 20 octets, positive).
    Bignum serial(BN_new());
    if (!serial || !BN_rand(serial.get(), 127, BN_RAND_TOP_ANY, BN_RAND_BOTTOM_ANY) ||
        !BN_to_ASN1_INTEGER(serial.get(), X509_get_serialNumber(cert.get())))
        throw ssl::error("issue certificate: cannot make a serial number");
    X509_gmtime_adj(X509_getm_notBefore(cert.get()), static_cast<long>(spec.not_before_offset.count()));
    X509_gmtime_adj(X509_getm_notAfter(cert.get()), static_cast<long>(spec.not_after_offset.count()));

    X509_NAME* name = X509_get_subject_name(cert.get());
    add_name_entry(name, "O", spec.organization);
    add_name_entry(name, "CN", spec.common_name);
    X509* signer_cert = issuer_cert ? issuer_cert.get() : cert.get();
    X509_set_issuer_name(cert.get(), X509_get_subject_name(signer_cert));
    X509_set_pubkey(cert.get(), key.get());

    std::string key_usage = spec.key_usage, extended_key_usage = spec.extended_key_usage;
    if (spec.certificate_authority) {
        add_extension(cert.get(), signer_cert, NID_basic_constraints, "critical,CA:TRUE");
        if (key_usage.empty()) key_usage = "critical,keyCertSign,cRLSign";
    } else {
        add_extension(cert.get(), signer_cert, NID_basic_constraints, "critical,CA:FALSE");
        if (key_usage.empty())
            key_usage = spec.code_signing_usage ? "critical,digitalSignature" : "critical,digitalSignature,keyEncipherment";
        if (extended_key_usage.empty()) extended_key_usage = spec.code_signing_usage ? "codeSigning" : "serverAuth";
    }
    add_extension(cert.get(), signer_cert, NID_key_usage, key_usage.c_str());
    if (!extended_key_usage.empty())
        add_extension(cert.get(), signer_cert, NID_ext_key_usage, extended_key_usage.c_str());
    add_extension(cert.get(), signer_cert, NID_subject_key_identifier, "hash");
    add_extension(cert.get(), signer_cert, NID_authority_key_identifier, "keyid:always");

    EVP_PKEY* signing_key = issuer_key ? issuer_key.get() : key.get();
    if (!X509_sign(cert.get(), signing_key, digest)) throw ssl::error("issue certificate: signing failed");
    return {spec.public_key_pem.empty() ? key_pem(key.get()) : std::string(), cert_pem(cert.get())};
}

namespace {

// `ebpf keygen`: a root CA, and a code-signing certificate it issued to a new
// key (written as PEM) or to a key in a token (`token_key`).
DevelopmentKeys write_keys(const std::filesystem::path& dir, const ssl::Key* token_key) {
    DevelopmentKeys keys{dir / "trust" / "root-ca.pem", dir / "private" / "root-ca-key.pem",
                         dir / "signing-cert.pem", token_key ? std::filesystem::path() : dir / "signing-key.pem"};
    std::error_code ec;
    const bool new_dir = !std::filesystem::exists(dir, ec);
    std::filesystem::create_directories(dir / "trust", ec);
    if (!ec) std::filesystem::create_directories(dir / "private", ec);
    // Explicit modes, whatever the umask: a trust store others can write is
    // refused (TrustStore::from_path), and private keys are the owner's only.
    if (!ec && new_dir) std::filesystem::permissions(dir, std::filesystem::perms(0755), ec);
    if (!ec) std::filesystem::permissions(dir / "trust", std::filesystem::perms(0755), ec);
    if (!ec) std::filesystem::permissions(dir / "private", std::filesystem::perms(0700), ec);
    if (ec) throw Error(dir.string() + ": cannot create the key directory (" + ec.message() + ")");
    for (const auto& path : {keys.root_cert, keys.root_key, keys.signing_cert, keys.signing_key})
        if (!path.empty() && std::filesystem::exists(path))
            throw Error(path.string() + ": already exists; keygen never overwrites keys");

    using std::chrono::hours;
    CertificateSpec root_spec{.common_name = "ebpf-native development root CA",
                              .certificate_authority = true,
                              .not_after_offset = hours(24 * 365 * 5)};
    SigningCredential root = issue_certificate(root_spec, nullptr);
    CertificateSpec leaf_spec{.common_name = "ebpf-native development code signing",
                              .not_after_offset = hours(24 * 365)};
    if (token_key != nullptr) {
        leaf_spec.common_name = "ebpf-native development code signing (PKCS#11 token)";
        ssl::Bio bio(BIO_new(BIO_s_mem()));
        if (!PEM_write_bio_PUBKEY(bio.get(), token_key->get()))
            throw ssl::error("keygen: cannot read the token key's public half");
        leaf_spec.public_key_pem = ssl::bio_text(bio.get());
    }
    SigningCredential leaf = issue_certificate(leaf_spec, &root);

    write_new_file(keys.root_key, root.key_pem, 0600);
    write_new_file(keys.root_cert, root.cert_pem, 0644);
    if (token_key == nullptr) write_new_file(keys.signing_key, leaf.key_pem, 0600);
    write_new_file(keys.signing_cert, leaf.cert_pem, 0644);
    return keys;
}

}  // namespace

DevelopmentKeys write_development_keys(const std::filesystem::path& dir) { return write_keys(dir, nullptr); }

DevelopmentKeys write_development_keys(const std::filesystem::path& dir, std::string_view token_key_uri,
                                       const Pkcs11Options& pkcs11) {
    const pkcs11::TokenKey key = pkcs11::load_key(token_key_uri, pkcs11);
    return write_keys(dir, &key.key);
}

}  // namespace ebpf
