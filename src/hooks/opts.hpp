// Extensible option structs, as libbpf's: the first field is `size_t sz`, the
// caller's sizeof. An older caller (smaller sz) gets zeros for the fields it
// does not know; a newer one (larger sz) is accepted only when every byte
// past what this library knows is zero, since a non-zero one asks for
// something we would silently not do. Used by the C API (ebpf.h) and the
// libbpf-compatible API (src/libbpf).
#pragma once

#include <cerrno>
#include <cstddef>
#include <cstring>
#include <string>

namespace ebpf::c_api {

// Bytes past the known struct we are willing to read to check they are zero:
// a garbage sz must not make us read far into the caller's memory.
inline constexpr size_t kMaxOptsTail = 4096;

// Why `sz` is refused, or "" when it is fine.
inline std::string opts_size_problem(const void* user, size_t known_size, const char* struct_name) {
    size_t sz = 0;
    std::memcpy(&sz, user, sizeof sz);
    const std::string name = struct_name;
    if (sz < sizeof(size_t)) return name + ": sz is " + std::to_string(sz) + ", smaller than the sz field itself";
    if (sz <= known_size) return "";
    if (sz - known_size > kMaxOptsTail)
        return name + ": sz is " + std::to_string(sz) + ", far more than the " + std::to_string(known_size) +
               " bytes this library knows";
    const auto* bytes = static_cast<const unsigned char*>(user);
    for (size_t i = known_size; i < sz; ++i) {
        if (bytes[i] != 0)
            return name + ": sz is " + std::to_string(sz) + " and byte " + std::to_string(i) +
                   " past the " + std::to_string(known_size) + " bytes this library knows is not zero";
    }
    return "";
}

// Copies the caller's struct into `*known` (zeroed first). Returns 0 or
// -EINVAL after `fail(EINVAL, message)`.
template <typename Opts, typename Fail>
int read_opts(const void* user, Opts* known, const char* struct_name, Fail&& fail) {
    *known = Opts{};
    std::string problem = opts_size_problem(user, sizeof(Opts), struct_name);
    if (!problem.empty()) return fail(EINVAL, problem);
    size_t sz = 0;
    std::memcpy(&sz, user, sizeof sz);
    std::memcpy(static_cast<void*>(known), user, sz < sizeof(Opts) ? sz : sizeof(Opts));
    return 0;
}

// Writes the output fields back: only the bytes the caller's struct has.
template <typename Opts>
void write_opts(const Opts& known, void* user) {
    size_t sz = 0;
    std::memcpy(&sz, user, sizeof sz);
    std::memcpy(user, static_cast<const void*>(&known), sz < sizeof(Opts) ? sz : sizeof(Opts));
}

}  // namespace ebpf::c_api
