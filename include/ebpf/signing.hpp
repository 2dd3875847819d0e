// Signed native modules: a detached CMS (PKCS#7) signature over a shared
// object's bytes, appended to it with a fixed trailer in the manner of Linux
// kernel module signing, so a signed module is still a shared object that
// dlopen accepts:
//
//   [ module bytes ][ CMS signature, DER ][ ModuleSignatureInfo ][ magic ]
//
// The trailer's signature length counts the DER bytes only. Checking a
// signature never trusts the file a second time: the caller reads the module
// once, checks those bytes, and loads them from a sealed memfd.
#pragma once

#include <array>
#include <chrono>
#include <cstdint>
#include <filesystem>
#include <memory>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <vector>

namespace ebpf {

// The last bytes of every signed module.
inline constexpr std::string_view kModuleSignatureMagic = "~ebpf-native signature appended~\n";

// The fixed part of the trailer, just before the magic (kernel-style).
struct ModuleSignatureInfo {
    uint8_t version;           // kModuleSignatureVersion
    uint8_t format;            // 1 = CMS SignedData, DER, detached content
    uint8_t digest;            // 1 = SHA-256
    uint8_t reserved;          // 0
    uint8_t signature_length[4];  // big-endian: bytes of DER before this struct
};
static_assert(sizeof(ModuleSignatureInfo) == 8);
inline constexpr uint8_t kModuleSignatureVersion = 1;
inline constexpr uint8_t kModuleSignatureFormatCms = 1;
inline constexpr uint8_t kModuleSignatureDigestSha256 = 1;
inline constexpr size_t kModuleSignatureTrailerSize =
    sizeof(ModuleSignatureInfo) + kModuleSignatureMagic.size();

// True when `bytes` end with the signature magic (the trailer may still be bad).
bool has_module_signature(std::span<const uint8_t> bytes);

// A signed module cut into its parts; both spans point into the input.
struct SplitModule {
    std::span<const uint8_t> module;     // the bytes the signature covers
    std::span<const uint8_t> signature;  // CMS SignedData, DER
};
// Validates the trailer and cuts the module. Throws ebpf::Error when there is
// no trailer, the trailer is malformed, it claims more bytes than the file
// holds, or the signature's DER length disagrees with the trailer (truncated).
SplitModule split_signed_module(std::span<const uint8_t> bytes);

// A private key and its certificate (plus any intermediates after it), PEM.
struct SigningCredential {
    std::string key_pem;
    std::string cert_pem;
};
SigningCredential read_signing_credential(const std::filesystem::path& key_pem_path,
                                          const std::filesystem::path& cert_pem_path);

// Signs `bytes` (an unsigned module; a signed one has its old signature
// replaced) and returns module + signature + trailer. The signer certificate
// and any intermediates from the certificate PEM are included in the CMS.
std::vector<uint8_t> sign_module(std::span<const uint8_t> bytes, const SigningCredential& credential);
std::vector<uint8_t> sign_module(std::span<const uint8_t> bytes,
                                 const std::filesystem::path& key_pem_path,
                                 const std::filesystem::path& cert_pem_path);

// --- Digests ------------------------------------------------------------------
//
// A module has two digests. The module digest is over the unsigned module
// (a signed file without its appended signature): the same object, options
// and toolchain give the same module digest wherever and however often it is
// built, signed or not (docs/signing.md, "Reproducible modules"). The file
// digest is over the file as it is, signature included: it names one signed
// artefact (what a registry stores). Both are "sha256:" and 64 lowercase hex
// digits, the OCI digest form.
struct ModuleDigests {
    std::string module;  // sha256 over the unsigned module
    std::string file;    // sha256 over the whole file (== module for an unsigned file)
};
// Throws ebpf::Error when the file has a signature trailer that is malformed.
ModuleDigests module_digests(std::span<const uint8_t> file_bytes);
// The module digest alone (see above).
std::string module_digest(std::span<const uint8_t> file_bytes);
// "sha256:" + hex of SHA-256 over `bytes`.
std::string sha256_digest(std::span<const uint8_t> bytes);

// --- Signing keys: a PEM file or a PKCS#11 token ------------------------------
//
// A signing key reference is either a path to an unencrypted PEM private key
// (development) or a PKCS#11 URI (RFC 7512) naming a private key in a token,
// e.g. "pkcs11:token=ebpf-signing;object=module-signer;pin-source=file:/run/pin".
// A key in a token is used through OpenSSL with libp11's "pkcs11" engine: the
// process holds a handle, every signature is made by the token, and the key
// itself never enters this process's memory (docs/signing.md, "Keys in a
// PKCS#11 token").

// True when `key` is a PKCS#11 URI ("pkcs11:" prefix, case-insensitive).
bool is_pkcs11_uri(std::string_view key);

struct Pkcs11Options {
    // The PKCS#11 module (shared library) that drives the token. Empty: the
    // URI's "module-path" attribute, else $EBPF_PKCS11_MODULE, else libp11's
    // default (p11-kit's proxy module).
    std::string module_path;
    // libp11's OpenSSL engine. Empty: $EBPF_PKCS11_ENGINE, else the engine
    // "pkcs11" from OpenSSL's engines directory.
    std::string engine_path;
    // The user PIN when the URI has neither "pin-value" nor "pin-source".
    // Empty: $EBPF_PKCS11_PIN (kPkcs11PinEnvironment), else an error.
    std::string pin;
};
inline constexpr const char* kPkcs11PinEnvironment = "EBPF_PKCS11_PIN";
inline constexpr const char* kPkcs11ModuleEnvironment = "EBPF_PKCS11_MODULE";
inline constexpr const char* kPkcs11EngineEnvironment = "EBPF_PKCS11_ENGINE";

// A signing key and its certificate chain, ready to sign many modules. Safe
// to use from several threads at once (signing is serialised per signer).
class ModuleSigner {
public:
    // `key` is a PEM path or a pkcs11: URI; `cert_pem_path` the signer
    // certificate, PEM, with any intermediates after it. Checks that the key
    // belongs to the certificate (for a token key: by its public half).
    // Throws ebpf::Error naming what is wrong: unreadable files, an engine or
    // PKCS#11 module that cannot be loaded, no matching token, wrong PIN,
    // no such key.
    static ModuleSigner open(std::string_view key, const std::filesystem::path& cert_pem_path,
                             const Pkcs11Options& pkcs11 = {});
    // From PEM text in memory (tests, `ebpf keygen` output).
    static ModuleSigner from_credential(const SigningCredential& credential);

    ModuleSigner(ModuleSigner&&) noexcept;
    ModuleSigner& operator=(ModuleSigner&&) noexcept;
    ~ModuleSigner();

    // Signs `bytes` (an unsigned module; a signed one has its old signature
    // replaced) and returns module + signature + trailer.
    std::vector<uint8_t> sign(std::span<const uint8_t> bytes) const;
    // The signer certificate's subject ("CN=..., O=...").
    std::string subject() const;
    // The key as given, without any PIN ("keys/signing-key.pem",
    // "pkcs11:token=...;object=..."), for reports and audit logs.
    const std::string& key_description() const;
    bool key_in_token() const;

    struct Impl;

private:
    explicit ModuleSigner(std::unique_ptr<Impl> impl);
    std::unique_ptr<Impl> impl_;
};

// Trusted root certificates. A module is trusted when its signer chains to one.
class TrustStore {
public:
    // Every certificate in a PEM file, or in every *.pem / *.crt / *.cer file
    // of a directory. Throws ebpf::Error when nothing can be read or no
    // certificate is found.
    static TrustStore from_path(const std::filesystem::path& dir_or_file);
    // From the environment variable EBPF_TRUST_STORE (kTrustStoreEnvironment).
    // Throws ebpf::Error when it is unset or empty.
    static TrustStore from_environment();
    // `path` when given, else the environment.
    static TrustStore from_path_or_environment(const std::optional<std::filesystem::path>& path);
    // Certificates given as PEM text; `description` names them in messages.
    static TrustStore from_pem(std::string_view pem, std::string description);

    TrustStore(TrustStore&&) noexcept;
    TrustStore& operator=(TrustStore&&) noexcept;
    ~TrustStore();

    // Where the roots came from ("DIR", "FILE", ...), for messages.
    const std::string& description() const;
    // Subjects of the roots, one-line form ("CN=..., O=...").
    std::vector<std::string> subjects() const;
    size_t size() const;

    struct Impl;
    const Impl& impl() const { return *impl_; }

private:
    explicit TrustStore(std::unique_ptr<Impl> impl);
    std::unique_ptr<Impl> impl_;
};
inline constexpr const char* kTrustStoreEnvironment = "EBPF_TRUST_STORE";

enum class SignatureVerdict {
    valid,      // signature matches and the signer chains to a trusted root
    unsigned_,  // no signature trailer
    malformed,  // trailer or CMS structure unreadable
    invalid,    // signature does not match, or the signer is not trusted
};
const char* signature_verdict_name(SignatureVerdict verdict);

struct SignatureReport {
    SignatureVerdict verdict = SignatureVerdict::unsigned_;
    // Signer chain, leaf first, as far as it could be built (subjects, one line each).
    std::vector<std::string> chain;
    // Why the verdict is not `valid`, naming the failed check; empty when valid.
    std::string reason;
    // The signer certificate's validity, when a signer was found (UTC, text).
    std::string signer_not_before;
    std::string signer_not_after;
    bool ok() const { return verdict == SignatureVerdict::valid; }
};

// Checks the signature over exactly `bytes`' module part and the signer's
// chain (X509 strict, validity dates), then what the chain may be
// (docs/signing.md, "Trust store and certificates"): the signer is not a CA
// (no CA:TRUE, no keyCertSign) and has the digitalSignature key usage and the
// codeSigning extended key usage; every CA above it that restricts its
// extended key usage permits codeSigning; every key in the chain is RSA of
// at least 2048 bits or EC of at least 256 bits; every certificate below the
// root is signed with SHA-256 or stronger. Never throws for bad input: every
// failure is a verdict with a reason.
SignatureReport verify_module_signature(std::span<const uint8_t> bytes, const TrustStore& trust);

// Who signed a module, as its signature says, for display (`ebpf show`):
// nothing here is checked (verify_module_signature decides trust).
struct SignerIdentity {
    std::string subject;     // one-line form, "CN=..., O=..."
    std::string issuer;
    std::string not_before;  // validity, UTC text
    std::string not_after;
};
// nullopt for an unsigned module; throws ebpf::Error when the trailer or the
// CMS structure is unreadable or names no signer certificate it includes.
std::optional<SignerIdentity> read_module_signer(std::span<const uint8_t> bytes);

// SHA-256 of `bytes`.
std::array<uint8_t, 32> sha256(std::span<const uint8_t> bytes);
std::string to_hex(std::span<const uint8_t> bytes);

// A memfd holding `bytes`, sealed against any change (write, grow, shrink,
// and further sealing), positioned at offset 0. The loader dlopens
// "/proc/self/fd/N" so it maps exactly the bytes that were checked.
class SealedMemfd {
public:
    SealedMemfd() = default;
    explicit SealedMemfd(int fd) : fd_(fd) {}
    SealedMemfd(SealedMemfd&& other) noexcept : fd_(other.release()) {}
    SealedMemfd& operator=(SealedMemfd&& other) noexcept;
    SealedMemfd(const SealedMemfd&) = delete;
    SealedMemfd& operator=(const SealedMemfd&) = delete;
    ~SealedMemfd();

    int fd() const { return fd_; }
    int release() { int fd = fd_; fd_ = -1; return fd; }
    // "/proc/self/fd/N": a path dlopen accepts.
    std::string path() const;

private:
    int fd_ = -1;
};
// `name` shows in /proc/self/maps as "/memfd:NAME". Throws ebpf::Error on failure.
SealedMemfd make_sealed_memfd(std::span<const uint8_t> bytes, const std::string& name = "ebpf-module");

// Development credentials (`ebpf keygen`): a root CA and a code-signing
// certificate it issued, ECDSA P-256. For development only: the keys are
// written unencrypted.
struct CertificateSpec {
    std::string common_name;
    std::string organization = "ebpf-native development";
    bool certificate_authority = false;  // CA:TRUE, keyCertSign; else a code-signing leaf
    bool code_signing_usage = true;      // leaf only: digitalSignature + codeSigning EKU
    // "P-256", "P-384" or "RSA-N" (N bits). Tests make weak keys with it.
    std::string key_algorithm = "P-256";
    // The digest of the certificate's signature: "SHA256", "SHA384", "SHA1"...
    std::string signature_digest = "SHA256";
    // When not empty, replace the default extensions (OpenSSL config syntax,
    // e.g. "critical,digitalSignature" / "serverAuth"); tests make
    // wrongly-purposed certificates with them.
    std::string key_usage;
    std::string extended_key_usage;
    // When not empty: issue the certificate to this public key (PEM,
    // SubjectPublicKeyInfo) instead of generating a key pair; the returned
    // credential's key_pem is then empty. For keys that live in a token.
    std::string public_key_pem;
    // Validity relative to now (negative = in the past).
    std::chrono::seconds not_before_offset{-60};
    std::chrono::seconds not_after_offset{std::chrono::hours(24 * 365)};
};
// A new key and certificate; self-signed when `issuer` is null.
SigningCredential issue_certificate(const CertificateSpec& spec, const SigningCredential* issuer);

struct DevelopmentKeys {
    std::filesystem::path root_cert;    // trust store entry
    std::filesystem::path root_key;
    std::filesystem::path signing_cert;
    std::filesystem::path signing_key;
};
// Writes root-ca.pem, root-ca.key, signing.pem and signing.key into `dir`
// (created if needed; existing files are not overwritten: an error instead).
DevelopmentKeys write_development_keys(const std::filesystem::path& dir);
// The same, but the code-signing certificate is issued to the private key
// that the pkcs11: URI names (it stays in its token: no signing key file is
// written, DevelopmentKeys::signing_key is empty). Logs into the token to
// prove the key is there.
DevelopmentKeys write_development_keys(const std::filesystem::path& dir, std::string_view token_key_uri,
                                       const Pkcs11Options& pkcs11 = {});

}  // namespace ebpf
