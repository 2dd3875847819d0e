// bpf_csum_diff and bpf_strncmp.
#include <cerrno>

#include "helper_registry.hpp"

namespace ebpf::runtime_detail {
namespace {

// As Linux: the 32-bit one's-complement sum (x86 csum_partial, carries folded
// back in) of the seed, the complement of every 32-bit word of `from` and
// every word of `to`. Sizes must be multiples of 4, together at most 512.
uint64_t csum_diff(uint64_t from, uint64_t from_size, uint64_t to, uint64_t to_size, uint64_t seed) {
    if (from_size % 4 || to_size % 4 || from_size + to_size > 512) return from_errno(-EINVAL);
    uint64_t sum = static_cast<uint32_t>(seed);
    for (uint64_t i = 0; i < from_size; i += 4) {
        uint32_t word;
        std::memcpy(&word, as_pointer<const uint8_t>(from) + i, 4);
        sum += static_cast<uint32_t>(~word);
    }
    for (uint64_t i = 0; i < to_size; i += 4) {
        uint32_t word;
        std::memcpy(&word, as_pointer<const uint8_t>(to) + i, 4);
        sum += word;
    }
    while (sum >> 32) sum = (sum & 0xffffffffu) + (sum >> 32);
    return sum;
}

// strncmp(s1, s2, s1_size): s2 is a NUL-terminated constant string.
uint64_t bpf_strncmp(uint64_t s1, uint64_t s1_size, uint64_t s2, uint64_t, uint64_t) {
    const auto* a = as_pointer<const unsigned char>(s1);
    const auto* b = as_pointer<const unsigned char>(s2);
    for (uint64_t i = 0; i < s1_size; ++i) {
        if (a[i] != b[i]) return from_errno(a[i] < b[i] ? -1 : 1);
        if (a[i] == 0) break;
    }
    return 0;
}

}  // namespace

void register_data_helpers(HelperTable& table) {
    table.set(helper_id::csum_diff, csum_diff);
    table.set(helper_id::strncmp, bpf_strncmp);
}

}  // namespace ebpf::runtime_detail
