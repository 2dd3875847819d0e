// ModuleSigner: a signing key (PEM file or PKCS#11 token) with its
// certificate chain, and the CMS signature it appends to a module. Also the
// module digests, which are defined by the same trailer format.
#include <cctype>
#include <mutex>

#include "ebpf/input_file.hpp"

#include "ebpf/signing.hpp"
#include "openssl_util.hpp"
#include "pkcs11_key.hpp"

namespace ebpf {

struct ModuleSigner::Impl {
    ssl::Key key;
    std::vector<ssl::Cert> certs;  // signer first, then intermediates
    std::string description;
    bool in_token = false;
    std::mutex mutex;  // one signature at a time (OpenSSL key objects, token sessions)
};

namespace {

ssl::Key read_pem_key(std::string_view pem, const std::string& where) {
    ssl::Bio key_bio = ssl::memory_bio(pem);
    ssl::Key key(PEM_read_bio_PrivateKey(key_bio.get(), nullptr, nullptr, nullptr));
    if (!key) throw ssl::error(where + "the signing key is not a readable unencrypted PEM private key");
    return key;
}

std::unique_ptr<ModuleSigner::Impl> make_impl(ssl::Key key, std::string_view cert_pem, std::string description,
                                              const std::string& where) {
    auto impl = std::make_unique<ModuleSigner::Impl>();
    impl->certs = ssl::read_certificates(cert_pem, where + "signing certificate");
    if (X509_check_private_key(impl->certs[0].get(), key.get()) != 1)
        throw ssl::error(where + "the signing key does not belong to certificate '" +
                         ssl::subject_of(impl->certs[0].get()) + "'");
    impl->key = std::move(key);
    impl->description = std::move(description);
    return impl;
}

}  // namespace

bool is_pkcs11_uri(std::string_view key) {
    if (key.size() < 7) return false;
    static constexpr std::string_view prefix = "pkcs11:";
    for (size_t i = 0; i < prefix.size(); ++i)
        if (std::tolower(static_cast<unsigned char>(key[i])) != prefix[i]) return false;
    return true;
}

ModuleSigner::ModuleSigner(std::unique_ptr<Impl> impl) : impl_(std::move(impl)) {}
ModuleSigner::ModuleSigner(ModuleSigner&&) noexcept = default;
ModuleSigner& ModuleSigner::operator=(ModuleSigner&&) noexcept = default;
ModuleSigner::~ModuleSigner() = default;

ModuleSigner ModuleSigner::from_credential(const SigningCredential& credential) {
    return ModuleSigner(make_impl(read_pem_key(credential.key_pem, "sign: "), credential.cert_pem, "(PEM in memory)",
                                  "sign: "));
}

ModuleSigner ModuleSigner::open(std::string_view key, const std::filesystem::path& cert_pem_path,
                                const Pkcs11Options& pkcs11) {
    if (key.empty()) throw Error("sign: no signing key given (a PEM file or a pkcs11: URI)");
    if (!is_pkcs11_uri(key)) {
        const SigningCredential credential = read_signing_credential(std::filesystem::path(key), cert_pem_path);
        return ModuleSigner(make_impl(read_pem_key(credential.key_pem, std::string(key) + ": "), credential.cert_pem,
                                      std::string(key), "sign: "));
    }
    // The certificate first: a bad path fails before any token is touched.
    std::string cert_pem;
    try {
        const std::vector<uint8_t> bytes = read_input_file(cert_pem_path.string(), 16 << 20);
        cert_pem.assign(bytes.begin(), bytes.end());
    } catch (const Error& e) {
        throw Error(std::string(e.what()) + " (the signing certificate)");
    }
    pkcs11::TokenKey token_key = pkcs11::load_key(key, pkcs11);
    auto impl = make_impl(std::move(token_key.key), cert_pem, token_key.description,
                          token_key.description + ": ");
    impl->in_token = true;
    return ModuleSigner(std::move(impl));
}

std::string ModuleSigner::subject() const { return ssl::subject_of(impl_->certs[0].get()); }
const std::string& ModuleSigner::key_description() const { return impl_->description; }
bool ModuleSigner::key_in_token() const { return impl_->in_token; }

std::vector<uint8_t> ModuleSigner::sign(std::span<const uint8_t> bytes) const {
    std::span<const uint8_t> module = bytes;
    if (has_module_signature(bytes)) module = split_signed_module(bytes).module;  // re-sign
    if (module.empty()) throw Error("sign: the module is empty");

    std::lock_guard lock(impl_->mutex);
    ssl::CertStack extra(sk_X509_new_null());
    for (size_t i = 1; i < impl_->certs.size(); ++i) {
        X509_up_ref(impl_->certs[i].get());
        sk_X509_push(extra.get(), impl_->certs[i].get());
    }
    const unsigned flags = CMS_DETACHED | CMS_BINARY | CMS_NOSMIMECAP | CMS_PARTIAL;
    ssl::Cms cms(CMS_sign(nullptr, nullptr, extra.get(), nullptr, flags));
    if (!cms) throw ssl::error("sign: cannot create the CMS structure");
    if (!CMS_add1_signer(cms.get(), impl_->certs[0].get(), impl_->key.get(), EVP_sha256(), flags))
        throw ssl::error("sign: cannot add the signer (is the key type supported by CMS?)");
    ssl::Bio content = ssl::memory_bio(
        std::string_view(reinterpret_cast<const char*>(module.data()), module.size()));
    if (!CMS_final(cms.get(), content.get(), nullptr, flags))
        throw ssl::error(impl_->in_token ? "sign: the token did not sign (" + impl_->description + ")"
                                         : std::string("sign: signing failed"));

    unsigned char* der = nullptr;
    int der_size = i2d_CMS_ContentInfo(cms.get(), &der);
    if (der_size <= 0) throw ssl::error("sign: cannot encode the signature");
    std::unique_ptr<unsigned char, void (*)(unsigned char*)> der_owner(
        der, [](unsigned char* p) { OPENSSL_free(p); });

    ModuleSignatureInfo info{kModuleSignatureVersion, kModuleSignatureFormatCms, kModuleSignatureDigestSha256,
                             0, {}};
    const auto length = static_cast<uint32_t>(der_size);
    info.signature_length[0] = static_cast<uint8_t>(length >> 24);
    info.signature_length[1] = static_cast<uint8_t>(length >> 16);
    info.signature_length[2] = static_cast<uint8_t>(length >> 8);
    info.signature_length[3] = static_cast<uint8_t>(length);

    std::vector<uint8_t> out;
    out.reserve(module.size() + length + kModuleSignatureTrailerSize);
    out.insert(out.end(), module.begin(), module.end());
    out.insert(out.end(), der, der + der_size);
    const auto* info_bytes = reinterpret_cast<const uint8_t*>(&info);
    out.insert(out.end(), info_bytes, info_bytes + sizeof info);
    out.insert(out.end(), kModuleSignatureMagic.begin(), kModuleSignatureMagic.end());
    return out;
}

std::string sha256_digest(std::span<const uint8_t> bytes) { return "sha256:" + to_hex(sha256(bytes)); }

ModuleDigests module_digests(std::span<const uint8_t> file_bytes) {
    const std::span<const uint8_t> module =
        has_module_signature(file_bytes) ? split_signed_module(file_bytes).module : file_bytes;
    return {sha256_digest(module), sha256_digest(file_bytes)};
}

std::string module_digest(std::span<const uint8_t> file_bytes) { return module_digests(file_bytes).module; }

}  // namespace ebpf
