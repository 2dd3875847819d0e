// The inside of ebpf::TrustStore, shared by the trust store and the verifier.
#pragma once

#include <string>
#include <vector>

#include "ebpf/signing.hpp"
#include "openssl_util.hpp"

namespace ebpf {

struct TrustStore::Impl {
    std::vector<ssl::Cert> roots;
    std::string description;
};

}  // namespace ebpf
