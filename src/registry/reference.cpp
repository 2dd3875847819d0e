// References (REGISTRY/REPO:TAG, REGISTRY/REPO@sha256:HEX) and digests.
// Everything in a reference ends up in a URL path, so the grammar is the
// distribution spec's, checked strictly: what it cannot express (".." path
// components, percent signs, query characters, whitespace) is refused here.
#include <openssl/evp.h>

#include <algorithm>
#include <array>
#include <cctype>
#include <charconv>

#include "ebpf/error.hpp"
#include "ebpf/printable.hpp"
#include "ebpf/registry.hpp"

namespace ebpf::registry {
namespace {

constexpr size_t kMaxReferenceLength = 512;
constexpr size_t kMaxNameLength = 255;  // registry/repository, as Docker limits it
constexpr size_t kMaxTagLength = 128;

bool is_lower_alnum(char c) { return (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9'); }
bool is_alnum(char c) { return is_lower_alnum(c) || (c >= 'A' && c <= 'Z'); }
bool is_hex_lower(char c) { return (c >= '0' && c <= '9') || (c >= 'a' && c <= 'f'); }

[[noreturn]] void refuse(std::string_view text, const std::string& why) {
    throw Error("reference '" + printable(text) + "': " + why);
}

// One path component: [a-z0-9]+((\.|_|__|-+)[a-z0-9]+)*
bool is_valid_component(std::string_view component) {
    if (component.empty() || !is_lower_alnum(component.front()) || !is_lower_alnum(component.back())) return false;
    for (size_t i = 0; i < component.size();) {
        if (is_lower_alnum(component[i])) {
            ++i;
            continue;
        }
        // A separator run: ".", "_", "__" or one or more "-", then alnum.
        const size_t start = i;
        if (component[i] == '.') {
            ++i;
        } else if (component[i] == '_') {
            ++i;
            if (i < component.size() && component[i] == '_') ++i;
        } else if (component[i] == '-') {
            while (i < component.size() && component[i] == '-') ++i;
        } else {
            return false;
        }
        if (i == start || i >= component.size() || !is_lower_alnum(component[i])) return false;
    }
    return true;
}

bool is_valid_repository(std::string_view repository) {
    if (repository.empty()) return false;
    size_t start = 0;
    while (true) {
        const size_t slash = repository.find('/', start);
        const std::string_view component =
            repository.substr(start, slash == std::string_view::npos ? std::string_view::npos : slash - start);
        if (!is_valid_component(component)) return false;
        if (slash == std::string_view::npos) return true;
        start = slash + 1;
    }
}

// [a-zA-Z0-9_][a-zA-Z0-9._-]{0,127}
bool is_valid_tag(std::string_view tag) {
    if (tag.empty() || tag.size() > kMaxTagLength) return false;
    if (!is_alnum(tag.front()) && tag.front() != '_') return false;
    return std::all_of(tag.begin(), tag.end(),
                       [](char c) { return is_alnum(c) || c == '_' || c == '.' || c == '-'; });
}

bool is_valid_port(std::string_view port) {
    if (port.empty() || port.size() > 5) return false;
    unsigned value = 0;
    const auto [end, ec] = std::from_chars(port.data(), port.data() + port.size(), value);
    return ec == std::errc() && end == port.data() + port.size() && value >= 1 && value <= 65535;
}

// A DNS name or IPv4 address: labels of [A-Za-z0-9-], not starting or ending with '-'.
bool is_valid_host_name(std::string_view host) {
    if (host.empty() || host.size() > 253) return false;
    size_t start = 0;
    while (true) {
        const size_t dot = host.find('.', start);
        const std::string_view label =
            host.substr(start, dot == std::string_view::npos ? std::string_view::npos : dot - start);
        if (label.empty() || label.size() > 63 || label.front() == '-' || label.back() == '-') return false;
        if (!std::all_of(label.begin(), label.end(), [](char c) { return is_alnum(c) || c == '-'; })) return false;
        if (dot == std::string_view::npos) return true;
        start = dot + 1;
    }
}

// HOST[:PORT] or [IPV6][:PORT].
bool is_valid_registry(std::string_view registry) {
    if (registry.starts_with('[')) {
        const size_t close = registry.find(']');
        if (close == std::string_view::npos || close < 3) return false;
        const std::string_view address = registry.substr(1, close - 1);
        if (!std::all_of(address.begin(), address.end(),
                         [](char c) { return std::isxdigit(static_cast<unsigned char>(c)) || c == ':' || c == '.'; }))
            return false;
        const std::string_view rest = registry.substr(close + 1);
        return rest.empty() || (rest.front() == ':' && is_valid_port(rest.substr(1)));
    }
    const size_t colon = registry.find(':');
    if (colon != std::string_view::npos && !is_valid_port(registry.substr(colon + 1))) return false;
    return is_valid_host_name(registry.substr(0, colon));
}

// Docker's rule for "is the first component a registry": it has a dot or a
// port, is "localhost", or is a bracketed IPv6 address.
bool looks_like_registry(std::string_view first) {
    return first.find('.') != std::string_view::npos || first.find(':') != std::string_view::npos ||
           first == "localhost" || first.starts_with('[');
}

std::string host_of(std::string_view registry) {
    if (registry.starts_with('[')) return std::string(registry.substr(0, registry.find(']') + 1));
    return std::string(registry.substr(0, registry.find(':')));
}

}  // namespace

bool is_valid_digest(std::string_view digest) {
    constexpr std::string_view prefix = "sha256:";
    if (digest.size() != prefix.size() + 64 || !digest.starts_with(prefix)) return false;
    return std::all_of(digest.begin() + prefix.size(), digest.end(), is_hex_lower);
}

std::string digest_of(std::span<const uint8_t> bytes) {
    std::array<unsigned char, EVP_MAX_MD_SIZE> hash{};
    unsigned int length = 0;
    if (EVP_Digest(bytes.data(), bytes.size(), hash.data(), &length, EVP_sha256(), nullptr) != 1 || length != 32)
        throw Error("sha256: OpenSSL digest failed");
    static constexpr char kHex[] = "0123456789abcdef";
    std::string text = "sha256:";
    for (unsigned i = 0; i < length; ++i) {
        text += kHex[hash[i] >> 4];
        text += kHex[hash[i] & 15];
    }
    return text;
}

std::string digest_of(std::string_view bytes) {
    return digest_of(std::span(reinterpret_cast<const uint8_t*>(bytes.data()), bytes.size()));
}

Reference Reference::parse(std::string_view text) {
    if (text.empty()) refuse(text, "empty; expected REGISTRY/REPOSITORY:TAG or REGISTRY/REPOSITORY@sha256:DIGEST");
    if (text.size() > kMaxReferenceLength)
        refuse(text.substr(0, 64), "longer than " + std::to_string(kMaxReferenceLength) + " characters");
    if (std::any_of(text.begin(), text.end(), [](char c) {
            return static_cast<unsigned char>(c) <= 0x20 || static_cast<unsigned char>(c) >= 0x7f;
        }))
        refuse(text, "contains whitespace, control or non-ASCII characters");

    Reference reference;
    const size_t slash = text.find('/');
    if (slash == std::string_view::npos || !looks_like_registry(text.substr(0, slash)))
        refuse(text, "name the registry: REGISTRY/REPOSITORY:TAG (e.g. localhost:5000/prog:v1 or "
                     "registry.example.com/team/prog:v1); there is no default registry");
    reference.registry = std::string(text.substr(0, slash));
    if (!is_valid_registry(reference.registry))
        refuse(text, "'" + reference.registry + "' is not a valid registry host[:port]");

    std::string_view rest = text.substr(slash + 1);
    if (const size_t at = rest.find('@'); at != std::string_view::npos) {
        reference.digest = std::string(rest.substr(at + 1));
        rest = rest.substr(0, at);
        if (!is_valid_digest(reference.digest))
            refuse(text, "the digest must be sha256: followed by 64 lowercase hex digits");
    }
    if (const size_t colon = rest.rfind(':'); colon != std::string_view::npos) {
        reference.tag = std::string(rest.substr(colon + 1));
        rest = rest.substr(0, colon);
        if (!is_valid_tag(reference.tag))
            refuse(text, "the tag must match [A-Za-z0-9_][A-Za-z0-9._-]{0,127}");
    }
    reference.repository = std::string(rest);
    if (!is_valid_repository(reference.repository))
        refuse(text, "the repository '" + reference.repository +
                         "' must be lowercase components [a-z0-9] joined by '/', with '.', '_', '__' or '-' "
                         "only between letters or digits");
    if (reference.registry.size() + 1 + reference.repository.size() > kMaxNameLength)
        refuse(text, "registry/repository is longer than " + std::to_string(kMaxNameLength) + " characters");
    if (reference.tag.empty() && reference.digest.empty())
        refuse(text, "give a tag (:TAG) or a digest (@sha256:...)");
    return reference;
}

std::string Reference::to_string() const {
    std::string text = registry + "/" + repository;
    if (!tag.empty()) text += ":" + tag;
    if (!digest.empty()) text += "@" + digest;
    return text;
}

Reference Reference::pinned(std::string_view new_digest) const {
    if (!is_valid_digest(new_digest)) throw Error("not a sha256 digest: '" + printable(new_digest) + "'");
    Reference result{registry, repository, {}, std::string(new_digest)};
    return result;
}

bool Reference::is_loopback() const {
    const std::string host = host_of(registry);
    return host == "localhost" || host == "127.0.0.1" || host == "[::1]";
}

}  // namespace ebpf::registry
