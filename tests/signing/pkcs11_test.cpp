// Signing keys in a PKCS#11 token: a SoftHSM2 token made in a private
// directory for each test process (its own SOFTHSM2_CONF), keys generated in
// it with pkcs11-tool (sensitive, never extractable), used through libp11's
// engine. Skips cleanly when SoftHSM2, pkcs11-tool or the engine is missing.
#include <gtest/gtest.h>
#include <openssl/core_names.h>
#include <openssl/evp.h>
#include <dlfcn.h>
#include <openssl/bn.h>
#include <openssl/crypto.h>
#include <p11-kit/pkcs11.h>
#include <sys/stat.h>

#include <cstdlib>
#include <fstream>
#include <atomic>
#include <thread>

#include "ebpf/error.hpp"
#include "ebpf/signing.hpp"
#include "pkcs11_key.hpp"
#include "test_support.hpp"

namespace ebpf {
namespace {

constexpr const char* kSoftHsm = "/usr/lib/softhsm/libsofthsm2.so";
constexpr const char* kPin = "4321";

bool contains(const std::string& text, const std::string& part) { return text.find(part) != std::string::npos; }

// Runs a shell command quietly; true when it exits 0.
bool shell(const std::string& command) { return std::system((command + " > /dev/null 2>&1").c_str()) == 0; }

// The token, made once per test process.
struct Token {
    std::unique_ptr<test::ScratchDir> dir;
    std::string skip_reason;
    std::filesystem::path keys;  // trust/ (the test CA), signing-cert.pem (for the EC key, id 01)
    std::filesystem::path rsa_cert;
};

Token& token() {
    static Token* made = [] {
        auto* t = new Token;
        for (const char* tool : {"softhsm2-util", "pkcs11-tool"})
            if (!shell(std::string("command -v ") + tool)) t->skip_reason = std::string(tool) + " not installed";
        if (t->skip_reason.empty() && ::access(kSoftHsm, R_OK) != 0) t->skip_reason = "SoftHSM2 not installed";
        // libp11's engine for this build's architecture (a cross build under
        // qemu-user needs libengine-pkcs11-openssl and libsofthsm2 of the target).
        if (t->skip_reason.empty() && !std::getenv("EBPF_PKCS11_ENGINE")) {
            std::string engines = OpenSSL_version(OPENSSL_ENGINES_DIR);  // ENGINESDIR: "/usr/lib/.../engines-3"
            if (const auto quote = engines.find('"'); quote != std::string::npos)
                engines = engines.substr(quote + 1, engines.rfind('"') - quote - 1);
            if (::access((engines + "/pkcs11.so").c_str(), R_OK) != 0)
                t->skip_reason = "libp11's OpenSSL engine for this architecture is not installed (" + engines + "/pkcs11.so)";
        }
        if (!t->skip_reason.empty()) return t;
        t->dir = std::make_unique<test::ScratchDir>();
        const auto& dir = t->dir->path();
        std::filesystem::create_directories(dir / "tokens");
        std::ofstream(dir / "softhsm2.conf") << "directories.tokendir = " << (dir / "tokens").string()
                                              << "\nobjectstore.backend = file\nlog.level = ERROR\n";
        ::setenv("SOFTHSM2_CONF", (dir / "softhsm2.conf").c_str(), 1);
        const std::string tool = std::string("pkcs11-tool --module ") + kSoftHsm + " --token-label ebpf-test --login --pin " + kPin;
        if (!shell(std::string("softhsm2-util --init-token --free --label ebpf-test --so-pin 8765 --pin ") + kPin) ||
            !shell(tool + " --keypairgen --key-type EC:prime256v1 --label signer --id 01 --usage-sign --sensitive --private") ||
            !shell(tool + " --keypairgen --key-type rsa:2048 --label rsa-signer --id 02 --usage-sign --sensitive --private")) {
            t->skip_reason = "cannot make a SoftHSM2 token";
            return t;
        }
        // Certificates for the token keys, issued to their public halves as
        // pkcs11-tool reads them: this process does not log into the token
        // before the tests do (a PKCS#11 login lasts as long as the process).
        const test::Pki& ca = test::pki();
        auto certify = [&](const char* id, const std::filesystem::path& cert) {
            const auto der_path = dir / (std::string("pub-") + id + ".der");
            if (!shell(tool + " --read-object --type pubkey --id " + id + " -o " + der_path.string())) return false;
            const auto der = test::read_bytes(der_path);
            const unsigned char* p = der.data();
            ssl::Key key(d2i_PUBKEY(nullptr, &p, static_cast<long>(der.size())));
            ssl::Bio bio(BIO_new(BIO_s_mem()));
            if (!key || !PEM_write_bio_PUBKEY(bio.get(), key.get())) return false;
            CertificateSpec spec{.common_name = std::string("module signer in a PKCS#11 token (key ") + id + ")"};
            spec.public_key_pem = ssl::bio_text(bio.get());
            std::ofstream(cert) << issue_certificate(spec, &ca.root).cert_pem;
            return true;
        };
        t->keys = dir / "keys";
        std::filesystem::create_directories(t->keys / "trust");
        std::ofstream(t->keys / "trust" / "root.pem") << ca.root.cert_pem;
        t->rsa_cert = dir / "rsa-cert.pem";
        if (!certify("01", t->keys / "signing-cert.pem") || !certify("02", t->rsa_cert))
            t->skip_reason = "cannot read the token's public keys";
        return t;
    }();
    return *made;
}

#define REQUIRE_TOKEN()                                                         \
    do {                                                                        \
        if (!token().skip_reason.empty()) GTEST_SKIP() << token().skip_reason; \
    } while (0)

// Whether this process has logged into the token (ctest runs each test in a
// process of its own; run by hand, earlier tests log in first).
bool logged_in = false;

ModuleSigner open_signer(const std::string& uri, const std::filesystem::path& cert, const Pkcs11Options& options);

Pkcs11Options softhsm(std::string pin = kPin) { return {.module_path = kSoftHsm, .pin = std::move(pin)}; }

std::vector<uint8_t> some_module() {
    static const std::vector<uint8_t> bytes = [] {
        test::ScratchDir dir;
        return test::build_module(dir.path(), "answer", 42);
    }();
    return bytes;
}

ModuleSigner open_signer(const std::string& uri, const std::filesystem::path& cert, const Pkcs11Options& options) {
    ModuleSigner signer = ModuleSigner::open(uri, cert, options);
    logged_in = true;
    return signer;
}

std::string error_of(const std::function<void()>& body) {
    try {
        body();
    } catch (const Error& e) {
        return e.what();
    }
    return "(no error)";
}

TEST(Pkcs11, SignsWithAnEcKeyInTheTokenAndTheSignatureChains) {
    REQUIRE_TOKEN();
    const ModuleSigner signer = open_signer("pkcs11:token=ebpf-test;object=signer",
                                                   token().keys / "signing-cert.pem", softhsm());
    EXPECT_TRUE(signer.key_in_token());
    EXPECT_EQ(signer.key_description(), "pkcs11:token=ebpf-test;object=signer");
    EXPECT_TRUE(contains(signer.subject(), "PKCS#11 token (key 01)")) << signer.subject();
    const auto module = some_module();
    const auto signed_file = signer.sign(module);
    const TrustStore trust = TrustStore::from_path(token().keys / "trust");
    const SignatureReport report = verify_module_signature(signed_file, trust);
    EXPECT_TRUE(report.ok()) << report.reason;
    // The unsigned module digest survives signing; the file digest does not.
    EXPECT_EQ(module_digest(signed_file), sha256_digest(module));
    EXPECT_NE(module_digests(signed_file).file, sha256_digest(module));
    // A module changed after signing no longer verifies.
    auto tampered = signed_file;
    tampered[100] ^= 1;
    EXPECT_FALSE(verify_module_signature(tampered, trust).ok());
}

TEST(Pkcs11, SignsWithAnRsaKeyInTheToken) {
    REQUIRE_TOKEN();
    const ModuleSigner signer = open_signer("pkcs11:token=ebpf-test;object=rsa-signer", token().rsa_cert, softhsm());
    const SignatureReport report =
        verify_module_signature(signer.sign(some_module()), TrustStore::from_path(token().keys / "trust"));
    EXPECT_TRUE(report.ok()) << report.reason;
}

TEST(Pkcs11, KeyByIdAndPinFromTheUriOrAFile) {
    REQUIRE_TOKEN();
    const TrustStore trust = TrustStore::from_path(token().keys / "trust");
    const auto cert = token().keys / "signing-cert.pem";
    // id=%01 and pin-value in the URI; the description never shows the PIN.
    const ModuleSigner by_id = open_signer(std::string("pkcs11:token=ebpf-test;id=%01;pin-value=") + kPin, cert,
                                                  {.module_path = kSoftHsm});
    EXPECT_FALSE(contains(by_id.key_description(), kPin)) << by_id.key_description();
    EXPECT_TRUE(verify_module_signature(by_id.sign(some_module()), trust).ok());

    // pin-source=file: (mode 0600) and module-path in the URI.
    const auto pin_file = token().dir->path() / "pin";
    std::ofstream(pin_file) << kPin << "\n";
    ::chmod(pin_file.c_str(), 0600);
    const std::string uri = "pkcs11:token=ebpf-test;object=signer?module-path=" + std::string(kSoftHsm) +
                            "&pin-source=file:" + pin_file.string();
    const ModuleSigner from_file = open_signer(uri, cert, {});
    EXPECT_TRUE(verify_module_signature(from_file.sign(some_module()), trust).ok());

    // A PIN file others can read is refused, as ssh refuses such keys.
    ::chmod(pin_file.c_str(), 0644);
    EXPECT_TRUE(contains(error_of([&] { ModuleSigner::open(uri, cert); }), "chmod 600")) ;
}

TEST(Pkcs11, ThePinMayComeFromTheEnvironment) {
    REQUIRE_TOKEN();
    ::setenv(kPkcs11PinEnvironment, kPin, 1);
    const ModuleSigner signer = open_signer("pkcs11:token=ebpf-test;object=signer",
                                                   token().keys / "signing-cert.pem", {.module_path = kSoftHsm});
    ::unsetenv(kPkcs11PinEnvironment);
    EXPECT_TRUE(verify_module_signature(signer.sign(some_module()), TrustStore::from_path(token().keys / "trust")).ok());
    // No PIN anywhere: say where one may come from.
    const std::string why = error_of([] {
        ModuleSigner::open("pkcs11:token=ebpf-test;object=signer", token().keys / "signing-cert.pem",
                           {.module_path = kSoftHsm});
    });
    EXPECT_TRUE(contains(why, "no PIN") && contains(why, kPkcs11PinEnvironment)) << why;
}

TEST(Pkcs11, WrongPinIsAClearError) {
    REQUIRE_TOKEN();
    const bool first_login = !logged_in;
    const std::string why = error_of([] {
        ModuleSigner::open("pkcs11:token=ebpf-test;object=signer", token().keys / "signing-cert.pem", softhsm("0000"));
    });
    // Not yet logged in: the token itself refuses the PIN.
    if (first_login) {
        EXPECT_TRUE(contains(why, "wrong PIN (the token refused the login: PIN incorrect)")) << why;
    }
    EXPECT_TRUE(contains(why, "wrong PIN")) << why;
    // Also after a login with the right PIN in this process (PKCS#11 logins
    // are per process: the token would not check the PIN again).
    open_signer("pkcs11:token=ebpf-test;object=signer", token().keys / "signing-cert.pem", softhsm());
    const std::string again = error_of([] {
        ModuleSigner::open("pkcs11:token=ebpf-test;object=signer", token().keys / "signing-cert.pem", softhsm("0000"));
    });
    EXPECT_TRUE(contains(again, "wrong PIN (this process is logged into the token with another PIN)")) << again;
}

TEST(Pkcs11, MissingTokenKeyModuleAndEngineAreNamed) {
    REQUIRE_TOKEN();
    const auto cert = token().keys / "signing-cert.pem";
    std::string why = error_of([&] { ModuleSigner::open("pkcs11:token=no-such-token;object=signer", cert, softhsm()); });
    EXPECT_TRUE(contains(why, "no initialised token with token=no-such-token") && contains(why, "'ebpf-test'")) << why;
    why = error_of([&] { ModuleSigner::open("pkcs11:token=ebpf-test;object=no-such-key", cert, softhsm()); });
    EXPECT_TRUE(contains(why, "no private key with object=no-such-key in token token=ebpf-test")) << why;
    why = error_of([&] { ModuleSigner::open("pkcs11:token=ebpf-test;id=%7f", cert, softhsm()); });
    EXPECT_TRUE(contains(why, "no private key with id=7f")) << why;
    why = error_of([&] {
        ModuleSigner::open("pkcs11:token=ebpf-test;object=signer", cert, {.module_path = "/nonexistent/libpkcs11.so", .pin = kPin});
    });
    EXPECT_TRUE(contains(why, "PKCS#11 module /nonexistent/libpkcs11.so")) << why;
    why = error_of([&] {
        ModuleSigner::open("pkcs11:token=ebpf-test;object=signer", cert,
                           {.module_path = kSoftHsm, .engine_path = "/nonexistent/pkcs11.so", .pin = kPin});
    });
    EXPECT_TRUE(contains(why, "libp11's OpenSSL engine /nonexistent/pkcs11.so")) << why;
    // The key must belong to the certificate.
    why = error_of([&] { ModuleSigner::open("pkcs11:token=ebpf-test;object=signer", token().rsa_cert, softhsm()); });
    EXPECT_TRUE(contains(why, "does not belong to certificate")) << why;
    logged_in = true;
}

TEST(Pkcs11, OneModulePerProcess) {
    REQUIRE_TOKEN();
    const auto cert = token().keys / "signing-cert.pem";
    open_signer("pkcs11:token=ebpf-test;object=signer", cert, softhsm());
    // libp11's engine drives one module per process: another module path
    // (here another name for the same file) is refused, not silently ignored.
    const auto other = token().dir->path() / "other-module.so";
    std::filesystem::create_symlink(kSoftHsm, other);
    const std::string why = error_of([&] {
        ModuleSigner::open("pkcs11:token=ebpf-test;object=signer", cert, {.module_path = other.string(), .pin = kPin});
    });
    EXPECT_TRUE(contains(why, "already uses the PKCS#11 module " + std::string(kSoftHsm)) &&
                contains(why, other.string()))
        << why;
}

TEST(Pkcs11, MalformedUrisAreRefusedBeforeAnyTokenIsTouched) {
    const auto cert = std::filesystem::path("/nonexistent-cert.pem");
    for (const auto& [uri, expected] : std::vector<std::pair<std::string, std::string>>{
             {"pkcs11:token=x", "names no key"},
             {"pkcs11:token=x;object=y;slot-id=3", "unsupported attribute 'slot-id'"},
             {"pkcs11:token=x;object=y?module-name=softhsm2", "unsupported query attribute 'module-name'"},
             {"pkcs11:token=x;object=%zz", "bad percent-encoding"},
             {"pkcs11:token=x;object=y;type=cert", "type=private"},
             {"pkcs11:token=x;token=y;object=z", "given twice"},
             {"pkcs11:object=y;pin-value=1?pin-source=file:/p", "either pin-value or pin-source"},
             {"pkcs11:object=y?pin-source=relative", "absolute file"},
             {"pkcs11:object", "not NAME=VALUE"},
             {"pkcs11:token=a b;object=y", "percent-encode it"},
             {"pkcs11:token=x;object=y\nforged audit line", "percent-encode it"},
             {"pkcs11:token=x;object=y%0aforged", "control character"},
             {"pkcs11:token=x;object=y%00", "control character"}}) {
        // The certificate does not exist either: the URI is checked after it,
        // so read it from a real file.
        const std::string why = error_of([&] { pkcs11::load_key(uri, {.module_path = kSoftHsm, .pin = kPin}); });
        EXPECT_TRUE(contains(why, expected)) << uri << ": " << why;
        EXPECT_FALSE(contains(why, "pin-value=1")) << why;
    }
    EXPECT_TRUE(contains(error_of([&] { ModuleSigner::open("pkcs11:object=y", cert); }), "signing certificate"));
}

// The token's answers about private key `id` (CKA_SENSITIVE, CKA_EXTRACTABLE,
// and what reading its secret attribute returns), asked through PKCS#11 directly.
struct KeyAttributes {
    CK_BBOOL sensitive = CK_FALSE, extractable = CK_TRUE;
    CK_RV read_value = CKR_OK;
    std::string error;
};
KeyAttributes private_key_attributes(CK_BYTE id, CK_ATTRIBUTE_TYPE secret_attribute) {
    KeyAttributes out;
    void* module = ::dlopen(kSoftHsm, RTLD_NOW | RTLD_LOCAL);
    auto get_list = module ? reinterpret_cast<CK_RV (*)(CK_FUNCTION_LIST_PTR_PTR)>(::dlsym(module, "C_GetFunctionList")) : nullptr;
    CK_FUNCTION_LIST_PTR f = nullptr;
    if (get_list == nullptr || get_list(&f) != CKR_OK) return {.error = "no function list"};
    const CK_RV init = f->C_Initialize(nullptr);
    if (init != CKR_OK && init != CKR_CRYPTOKI_ALREADY_INITIALIZED) return {.error = "C_Initialize failed"};
    CK_ULONG count = 0;
    f->C_GetSlotList(CK_TRUE, nullptr, &count);
    std::vector<CK_SLOT_ID> slots(count);
    f->C_GetSlotList(CK_TRUE, slots.data(), &count);
    for (CK_SLOT_ID slot : slots) {
        CK_TOKEN_INFO info{};
        if (f->C_GetTokenInfo(slot, &info) != CKR_OK ||
            std::string(reinterpret_cast<char*>(info.label), 9) != "ebpf-test")
            continue;
        CK_SESSION_HANDLE session = 0;
        if (f->C_OpenSession(slot, CKF_SERIAL_SESSION, nullptr, nullptr, &session) != CKR_OK) return {.error = "no session"};
        const CK_RV login = f->C_Login(session, CKU_USER, reinterpret_cast<CK_UTF8CHAR_PTR>(const_cast<char*>(kPin)), 4);
        if (login != CKR_OK && login != CKR_USER_ALREADY_LOGGED_IN) out.error = "login failed";
        CK_OBJECT_CLASS cls = CKO_PRIVATE_KEY;
        CK_ATTRIBUTE find[] = {{CKA_CLASS, &cls, sizeof cls}, {CKA_ID, &id, 1}};
        CK_OBJECT_HANDLE key = 0;
        CK_ULONG found = 0;
        f->C_FindObjectsInit(session, find, 2);
        f->C_FindObjects(session, &key, 1, &found);
        f->C_FindObjectsFinal(session);
        if (found != 1) {
            out.error = "no private key";
        } else {
            CK_ATTRIBUTE flags[] = {{CKA_SENSITIVE, &out.sensitive, sizeof(CK_BBOOL)},
                                    {CKA_EXTRACTABLE, &out.extractable, sizeof(CK_BBOOL)}};
            if (f->C_GetAttributeValue(session, key, flags, 2) != CKR_OK) out.error = "cannot read the flags";
            unsigned char value[512];
            CK_ATTRIBUTE secret[] = {{secret_attribute, value, sizeof value}};
            out.read_value = f->C_GetAttributeValue(session, key, secret, 1);
        }
        f->C_CloseSession(session);  // only ours; no C_Finalize: the engine may be using the module
        return out;
    }
    return {.error = "token not found"};
}

TEST(Pkcs11, ThePrivateKeyNeverLeavesTheToken) {
    REQUIRE_TOKEN();
    // The handle we sign with holds no key material: libp11 gives OpenSSL a
    // placeholder private scalar of zero; the signature comes from the token.
    const pkcs11::TokenKey key = pkcs11::load_key("pkcs11:token=ebpf-test;object=signer", softhsm());
    logged_in = true;
    BIGNUM* priv = nullptr;
    if (EVP_PKEY_get_bn_param(key.key.get(), OSSL_PKEY_PARAM_PRIV_KEY, &priv) == 1 && priv != nullptr) {
        EXPECT_TRUE(BN_is_zero(priv)) << "the handle holds a private scalar";
    }
    BN_free(priv);
    ERR_clear_error();
    // The token marks both keys sensitive and not extractable, and refuses
    // to reveal their value.
    // EC: the scalar is CKA_VALUE; RSA: CKA_PRIVATE_EXPONENT.
    for (auto [id, secret] : {std::pair<CK_BYTE, CK_ATTRIBUTE_TYPE>{1, CKA_VALUE}, {2, CKA_PRIVATE_EXPONENT}}) {
        const KeyAttributes attributes = private_key_attributes(id, secret);
        ASSERT_EQ(attributes.error, "") << int(id);
        EXPECT_EQ(attributes.sensitive, CK_TRUE) << int(id);
        EXPECT_EQ(attributes.extractable, CK_FALSE) << int(id);
        EXPECT_EQ(attributes.read_value, static_cast<CK_RV>(CKR_ATTRIBUTE_SENSITIVE)) << int(id);
    }
    // And signing still works after our own session came and went.
    const ModuleSigner signer = open_signer("pkcs11:token=ebpf-test;object=signer",
                                            token().keys / "signing-cert.pem", softhsm());
    EXPECT_TRUE(verify_module_signature(signer.sign(some_module()), TrustStore::from_path(token().keys / "trust")).ok());
}

TEST(Pkcs11, SignsFromSeveralThreadsAtOnce) {
    REQUIRE_TOKEN();
    const ModuleSigner signer = open_signer("pkcs11:token=ebpf-test;object=signer",
                                                   token().keys / "signing-cert.pem", softhsm());
    const TrustStore trust = TrustStore::from_path(token().keys / "trust");
    const auto module = some_module();
    std::vector<std::thread> threads;
    std::atomic<int> valid{0};
    for (int t = 0; t < 4; ++t)
        threads.emplace_back([&] {
            for (int i = 0; i < 5; ++i)
                if (verify_module_signature(signer.sign(module), trust).ok()) ++valid;
        });
    for (auto& thread : threads) thread.join();
    EXPECT_EQ(valid.load(), 20);
}

}  // namespace
}  // namespace ebpf
