// Keys in a PKCS#11 token, for signing modules (signing_key.cpp) and for
// issuing a development certificate to a token key (signing_keygen.cpp).
// Internal to the signing library.
#pragma once

#include <memory>
#include <string>
#include <string_view>

#include "ebpf/signing.hpp"
#include "openssl_util.hpp"

namespace ebpf::pkcs11 {

// A private key that lives in a token. `key` is an OpenSSL handle whose
// operations the token performs (libp11's engine); it holds no private key
// material. `engine` keeps the engine (and so the token session) alive.
struct TokenKey {
    ssl::Key key;
    std::shared_ptr<void> engine;
    std::string description;  // the URI without any PIN
};

// Logs into the token and loads the private key that the pkcs11: URI `uri`
// names. Throws ebpf::Error with what went wrong.
TokenKey load_key(std::string_view uri, const Pkcs11Options& options);

// Finishes the engines (and so the PKCS#11 modules: C_Finalize, which logs
// out) that no key uses any more. The next load logs in again.
void close_unused_tokens();

// The URI with pin-value removed, for messages and reports.
std::string describe_uri(std::string_view uri);

}  // namespace ebpf::pkcs11
