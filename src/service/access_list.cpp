// Who may submit: hashed bearer tokens and TLS client certificate names, each
// with the program types it may get signed.
#include <openssl/crypto.h>

#include <cctype>
#include <sstream>

#include "ebpf/error.hpp"
#include "ebpf/input_file.hpp"
#include "ebpf/service.hpp"
#include "ebpf/signing.hpp"

namespace ebpf::service {
namespace {

std::optional<std::array<uint8_t, 32>> parse_hash(std::string_view text) {
    constexpr std::string_view prefix = "sha256:";
    if (text.substr(0, prefix.size()) != prefix || text.size() != prefix.size() + 64) return std::nullopt;
    std::array<uint8_t, 32> out{};
    for (size_t i = 0; i < 32; ++i) {
        int value = 0;
        for (size_t k = 0; k < 2; ++k) {
            const char c = text[prefix.size() + 2 * i + k];
            int digit = c >= '0' && c <= '9' ? c - '0' : c >= 'a' && c <= 'f' ? c - 'a' + 10 : -1;
            if (digit < 0) return std::nullopt;
            value = value * 16 + digit;
        }
        out[i] = static_cast<uint8_t>(value);
    }
    return out;
}

Identity parse_identity(const std::string& name, const std::string& types, const std::string& where) {
    Identity identity;
    identity.name = name;
    if (types == "*") return identity;
    identity.any_type = false;
    std::stringstream list(types);
    std::string type;
    while (std::getline(list, type, ',')) {
        auto parsed = program_type_by_name(type);
        if (!parsed) throw Error(where + ": unknown program type '" + type + "' (use names such as xdp, socket_filter, or *)");
        identity.allowed_types.push_back(*parsed);
    }
    if (identity.allowed_types.empty()) throw Error(where + ": no program types (use * for any)");
    return identity;
}

std::array<uint8_t, 32> hash_of(std::string_view token) {
    return sha256({reinterpret_cast<const uint8_t*>(token.data()), token.size()});
}

}  // namespace

bool Identity::allows(ProgramType type) const {
    if (any_type) return true;
    for (ProgramType allowed : allowed_types)
        if (allowed == type) return true;
    return false;
}

std::string token_hash_line(std::string_view token) { return "sha256:" + to_hex(hash_of(token)); }

AccessList AccessList::from_file(const std::string& path) {
    auto bytes = read_input_file(path, 1 << 20);
    return from_text(std::string_view(reinterpret_cast<const char*>(bytes.data()), bytes.size()), path);
}

AccessList AccessList::from_text(std::string_view text, const std::string& description) {
    AccessList list;
    std::stringstream lines{std::string(text)};
    std::string line;
    for (size_t number = 1; std::getline(lines, line); ++number) {
        if (auto hash = line.find('#'); hash != std::string::npos) line.resize(hash);
        std::stringstream words(line);
        std::string kind, credential, name, types, extra;
        if (!(words >> kind)) continue;
        const std::string where = description + ":" + std::to_string(number);
        if (!(words >> credential >> name >> types) || (words >> extra))
            throw Error(where + ": expected 'token sha256:HEX NAME TYPES' or 'cert COMMON-NAME NAME TYPES'");
        Identity identity = parse_identity(name, types, where);
        if (kind == "token") {
            auto parsed = parse_hash(credential);
            if (!parsed) throw Error(where + ": a token is stored as sha256: and 64 lower-case hex digits of its SHA-256");
            list.tokens_.push_back({*parsed, std::move(identity)});
        } else if (kind == "cert") {
            list.certificates_.emplace_back(credential, std::move(identity));
        } else {
            throw Error(where + ": unknown kind '" + kind + "' (token or cert)");
        }
    }
    if (list.size() == 0) throw Error(description + ": no identities");
    return list;
}

std::optional<Identity> AccessList::for_token(std::string_view token) const {
    const auto presented = hash_of(token);
    // Every entry is compared, in constant time, so timing says nothing about
    // which entry (or how much of one) matched.
    const Identity* found = nullptr;
    for (const auto& entry : tokens_) {
        const bool equal = CRYPTO_memcmp(entry.hash.data(), presented.data(), presented.size()) == 0;
        if (equal && found == nullptr) found = &entry.identity;
    }
    if (found == nullptr) return std::nullopt;
    return *found;
}

std::optional<Identity> AccessList::for_certificate(std::string_view common_name) const {
    for (const auto& [name, identity] : certificates_)
        if (name == common_name) return identity;
    return std::nullopt;
}

bool is_valid_digest(std::string_view digest) {
    constexpr std::string_view prefix = "sha256:";
    if (digest.size() != prefix.size() + 64 || digest.substr(0, prefix.size()) != prefix) return false;
    for (char c : digest.substr(prefix.size()))
        if (!((c >= '0' && c <= '9') || (c >= 'a' && c <= 'f'))) return false;
    return true;
}

}  // namespace ebpf::service
