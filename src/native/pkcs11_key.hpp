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
// material. The engine and its token session stay for the life of the process.
struct TokenKey {
    ssl::Key key;
    std::string description;  // the URI without any PIN
};

// Logs into the token and loads the private key that the pkcs11: URI `uri`
// names. Throws ebpf::Error with what went wrong. One PKCS#11 module per
// process (libp11's engine): a second module path is an error.
TokenKey load_key(std::string_view uri, const Pkcs11Options& options);

}  // namespace ebpf::pkcs11
