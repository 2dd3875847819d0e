// Appending a CMS signature to a module and cutting it off again. The trailer
// is checked strictly before any byte of it is believed: a file must never
// make us read outside itself, and a signature whose DER does not fill the
// space the trailer gives it is refused as truncated.
#include <openssl/sha.h>

#include <algorithm>
#include <cstring>
#include <fstream>
#include <iterator>

#include "ebpf/input_file.hpp"
#include "ebpf/signing.hpp"
#include "openssl_util.hpp"

namespace ebpf {
namespace {

uint32_t load_be32(const uint8_t* p) {
    return (uint32_t{p[0]} << 24) | (uint32_t{p[1]} << 16) | (uint32_t{p[2]} << 8) | uint32_t{p[3]};
}

// The length of the DER element that starts at `der` (header included), or
// 0 when its header is not a definite-length DER header that fits in `size`.
size_t der_element_size(const uint8_t* der, size_t size) {
    if (size < 2) return 0;
    size_t header = 2;
    size_t length = der[1];
    if (length & 0x80) {
        size_t count = length & 0x7f;
        if (count == 0 || count > 4 || size < 2 + count) return 0;  // indefinite or absurd
        length = 0;
        for (size_t i = 0; i < count; ++i) length = (length << 8) | der[2 + i];
        header += count;
    }
    return header + length;
}

std::string read_text(const std::filesystem::path& path, const char* what) {
    constexpr uint64_t kMaxPemBytes = 16 << 20;  // a key or a certificate chain, not a disk image
    try {
        const std::vector<uint8_t> bytes = read_input_file(path.string(), kMaxPemBytes);
        return std::string(bytes.begin(), bytes.end());
    } catch (const Error& e) {
        throw Error(std::string(e.what()) + " (the " + what + ")");
    }
}

}  // namespace

bool has_module_signature(std::span<const uint8_t> bytes) {
    if (bytes.size() < kModuleSignatureTrailerSize) return false;
    auto tail = bytes.last(kModuleSignatureMagic.size());
    return std::equal(tail.begin(), tail.end(), kModuleSignatureMagic.begin(), kModuleSignatureMagic.end(),
                      [](uint8_t a, char b) { return a == static_cast<uint8_t>(b); });
}

SplitModule split_signed_module(std::span<const uint8_t> bytes) {
    if (!has_module_signature(bytes))
        throw Error("signature trailer: the module is not signed (it does not end with the '" +
                    std::string(kModuleSignatureMagic.substr(0, kModuleSignatureMagic.size() - 1)) +
                    "' magic)");
    ModuleSignatureInfo info;
    std::memcpy(&info, bytes.data() + bytes.size() - kModuleSignatureTrailerSize, sizeof info);
    if (info.version != kModuleSignatureVersion)
        throw Error("signature trailer: unsupported version " + std::to_string(info.version) +
                    " (this build reads version " + std::to_string(kModuleSignatureVersion) + ")");
    if (info.format != kModuleSignatureFormatCms)
        throw Error("signature trailer: unknown signature format " + std::to_string(info.format) +
                    " (expected 1, CMS)");
    if (info.digest != kModuleSignatureDigestSha256)
        throw Error("signature trailer: unknown digest " + std::to_string(info.digest) +
                    " (expected 1, SHA-256)");
    if (info.reserved != 0) throw Error("signature trailer: reserved byte is not 0");
    const size_t length = load_be32(info.signature_length);
    const size_t available = bytes.size() - kModuleSignatureTrailerSize;
    if (length == 0) throw Error("signature trailer: the signature length is 0");
    if (length > available)
        throw Error("signature trailer: claims a " + std::to_string(length) +
                    "-byte signature but the file holds only " + std::to_string(available) +
                    " bytes before the trailer");
    SplitModule split{bytes.first(available - length), bytes.subspan(available - length, length)};
    if (split.signature[0] != 0x30)
        throw Error("signature trailer: the " + std::to_string(length) +
                    " bytes before the trailer are not a DER-encoded CMS structure "
                    "(truncated or corrupted signature)");
    size_t der = der_element_size(split.signature.data(), split.signature.size());
    if (der == 0)
        throw Error("signature trailer: the signature's DER header is truncated or not definite-length");
    if (der > length)
        throw Error("signature trailer: the signature is truncated (its DER encoding needs " + std::to_string(der) +
                    " bytes, the trailer gives " + std::to_string(length) + ")");
    if (der < length)
        throw Error("signature trailer: " + std::to_string(length - der) +
                    " stray bytes follow the signature's DER encoding");
    return split;
}

SigningCredential read_signing_credential(const std::filesystem::path& key_pem_path,
                                          const std::filesystem::path& cert_pem_path) {
    return {read_text(key_pem_path, "signing key"), read_text(cert_pem_path, "signing certificate")};
}

std::vector<uint8_t> sign_module(std::span<const uint8_t> bytes, const SigningCredential& credential) {
    return ModuleSigner::from_credential(credential).sign(bytes);
}

std::vector<uint8_t> sign_module(std::span<const uint8_t> bytes, const std::filesystem::path& key_pem_path,
                                 const std::filesystem::path& cert_pem_path) {
    return sign_module(bytes, read_signing_credential(key_pem_path, cert_pem_path));
}

std::array<uint8_t, 32> sha256(std::span<const uint8_t> bytes) {
    std::array<uint8_t, 32> digest{};
    unsigned int size = 0;
    if (!EVP_Digest(bytes.data(), bytes.size(), digest.data(), &size, EVP_sha256(), nullptr) || size != 32)
        throw ssl::error("sha256: digest failed");
    return digest;
}

std::string to_hex(std::span<const uint8_t> bytes) {
    static const char digits[] = "0123456789abcdef";
    std::string text;
    text.reserve(bytes.size() * 2);
    for (uint8_t b : bytes) {
        text.push_back(digits[b >> 4]);
        text.push_back(digits[b & 15]);
    }
    return text;
}

const char* signature_verdict_name(SignatureVerdict verdict) {
    switch (verdict) {
        case SignatureVerdict::valid: return "valid";
        case SignatureVerdict::unsigned_: return "unsigned";
        case SignatureVerdict::malformed: return "malformed";
        case SignatureVerdict::invalid: return "invalid";
    }
    return "unknown";
}

}  // namespace ebpf
