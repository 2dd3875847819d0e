// libbpf's error conventions: int results are a negative errno with errno
// set, pointer results NULL with errno set; messages go to the function the
// host set with libbpf_set_print ("libbpf: ..." lines, as libbpf's).
#pragma once

#include <cerrno>
#include <exception>
#include <new>
#include <string>

#include <bpf/libbpf.h>

namespace ebpf::libbpf_detail {

// Sends one message line to the host's print function, if any.
void print(enum libbpf_print_level level, const std::string& message);

// Sets errno and returns -error; reports `message` at LIBBPF_WARN when given.
int fail(int error, const std::string& message = {});
// The same for pointer results: NULL.
template <typename T>
T* fail_null(int error, const std::string& message = {}) {
    fail(error, message);
    return nullptr;
}
// A result of the runtime's errno-style calls (0 or -errno) as libbpf returns it.
int result(long value);

// Runs `body`, turning exceptions into -EINVAL / -ENOMEM with their message.
template <typename Body>
int guarded(Body&& body) noexcept {
    try {
        return body();
    } catch (const std::bad_alloc&) {
        return fail(ENOMEM, "out of memory");
    } catch (const std::exception& e) {
        return fail(EINVAL, e.what());
    }
}

}  // namespace ebpf::libbpf_detail
