// The fds of the libbpf-compatible API: the runtime's own handles for maps
// and programs, as eBPF for Windows gives its own handles. Each one is backed
// by a real fd of the process, a placeholder memfd named after the object
// ("ebpf-native-map:NAME", "ebpf-native-prog:NAME", visible in /proc/PID/fd
// as kernel bpf fds are), for two reasons:
//  * no collision: the number is the kernel's, so no file the host opens can
//    get it while the handle lives, and code that passes fds around
//    (dup2, select limits, close-on-exec) sees an ordinary fd;
//  * close() is meaningful: every call checks that the fd still refers to its
//    memfd (same device and inode). After the host closes it, or after the
//    number was reused for another file, the handle is gone (-EBADF), as a
//    closed bpf fd is on Linux. The object keeps its maps and programs alive,
//    as libbpf's object does; the table never closes a number it does not own.
#pragma once

#include <memory>
#include <optional>
#include <string>

#include "ebpf/runtime.hpp"

namespace ebpf::libbpf_detail {

struct Handle {
    std::shared_ptr<Map> map;               // a map handle
    std::shared_ptr<LoadedObject> object;   // a program handle: its object, kept alive while in use
    const LoadedProgram* program = nullptr;
};

// A new fd for a map or a program; -errno (memfd_create's) on failure.
int register_map(std::shared_ptr<Map> map);
int register_program(std::shared_ptr<LoadedObject> object, const LoadedProgram& program);
// Forgets the handle and closes its memfd if the fd still is that memfd.
void release(int fd);
// The live handle of `fd`, or nullopt (EBADF) for an fd that is not one of
// ours any more (never was, closed by the host, or reused).
std::optional<Handle> find(int fd);

}  // namespace ebpf::libbpf_detail
