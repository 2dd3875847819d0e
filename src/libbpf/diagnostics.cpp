// libbpf_set_print, libbpf_get_error and the error helpers of diagnostics.hpp.
#include "diagnostics.hpp"

#include <atomic>
#include <cerrno>
#include <cstdarg>
#include <cstdint>

#include "ebpf/runtime.hpp"

namespace ebpf::libbpf_detail {
namespace {

// None until the host sets one: the library never writes to the host's
// stderr on its own (libbpf prints warnings by default; docs/libbpf.md).
std::atomic<libbpf_print_fn_t> print_function{nullptr};

int call_print(libbpf_print_fn_t fn, enum libbpf_print_level level, const char* format, ...) {
    va_list args;
    va_start(args, format);
    int written = fn(level, format, args);
    va_end(args);
    return written;
}

}  // namespace

void print(enum libbpf_print_level level, const std::string& message) {
    if (libbpf_print_fn_t fn = print_function.load(std::memory_order_acquire))
        call_print(fn, level, "libbpf: %s\n", message.c_str());
}

int fail(int error, const std::string& message) {
    if (!message.empty()) print(LIBBPF_WARN, message);
    errno = error;
    return -error;
}

int result(long value) {
    if (value >= 0) return 0;
    errno = static_cast<int>(-value);
    return static_cast<int>(value);
}

}  // namespace ebpf::libbpf_detail

extern "C" {

libbpf_print_fn_t libbpf_set_print(libbpf_print_fn_t fn) {
    return ebpf::libbpf_detail::print_function.exchange(fn, std::memory_order_acq_rel);
}

long libbpf_get_error(const void* ptr) {
    // libbpf 1.x: failed calls return NULL and set errno; older libbpf
    // returned error codes encoded in the pointer (the last 4095 addresses).
    if (ptr == nullptr) return -errno;
    const auto value = reinterpret_cast<uintptr_t>(ptr);
    if (value >= static_cast<uintptr_t>(-4095)) return static_cast<long>(static_cast<intptr_t>(value));
    return 0;
}

int libbpf_num_possible_cpus(void) { return static_cast<int>(ebpf::possible_cpus()); }

}  // extern "C"
