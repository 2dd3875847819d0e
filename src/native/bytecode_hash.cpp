// The SHA-256 of verified bytecode that bpf2c records in module metadata.
#include <openssl/evp.h>

#include "ebpf/error.hpp"
#include "ebpf/native.hpp"

namespace ebpf {

std::array<uint8_t, 32> sha256_of_instructions(std::span<const Instruction> insns) {
    std::vector<uint8_t> bytes = instructions_to_bytes(insns);
    std::array<uint8_t, 32> digest{};
    unsigned int length = 0;
    if (EVP_Digest(bytes.data(), bytes.size(), digest.data(), &length, EVP_sha256(), nullptr) != 1 ||
        length != digest.size())
        throw Error("bpf2c: SHA-256 of the bytecode failed (OpenSSL)");
    return digest;
}

}  // namespace ebpf
