// bpf_csum_diff and bpf_strncmp.
#include <cerrno>

#include "helper_registry.hpp"

namespace ebpf::runtime_detail {
namespace {

// The 32-bit one's-complement sum of the little-endian 32-bit words of
// `bytes` and `seed`, carries folded back in (x86 csum_partial).
uint32_t csum_partial(uint64_t bytes, uint64_t size, uint32_t seed) {
    uint64_t sum = seed;
    for (uint64_t i = 0; i < size; i += 4) {
        uint32_t word;
        std::memcpy(&word, as_pointer<const uint8_t>(bytes) + i, 4);
        sum += word;
    }
    while (sum >> 32) sum = (sum & 0xffffffffu) + (sum >> 32);
    return static_cast<uint32_t>(sum);
}

uint32_t csum_sub(uint32_t a, uint32_t b) {
    const uint32_t r = a + ~b;
    return r + (r < ~b);
}

// As Linux 6.13 and later (net/core/filter.c): the difference of the sums of
// `to` and `from` with the seed, folded to 16 bits (not complemented), so
// every architecture returns the same value. Sizes must be multiples of 4.
uint64_t csum_diff(uint64_t from, uint64_t from_size, uint64_t to, uint64_t to_size, uint64_t seed_arg) {
    if ((from_size | to_size) % 4) return from_errno(-EINVAL);
    const auto seed = static_cast<uint32_t>(seed_arg);
    uint32_t sum = seed;
    if (from_size && to_size) sum = csum_sub(csum_partial(to, to_size, seed), csum_partial(from, from_size, 0));
    else if (to_size) sum = csum_partial(to, to_size, seed);
    else if (from_size) sum = ~csum_partial(from, from_size, ~seed);
    sum = (sum & 0xffff) + (sum >> 16);
    sum = (sum & 0xffff) + (sum >> 16);
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
