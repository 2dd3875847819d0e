// Reading memory a program points to without trusting the pointer (%s of
// bpf_printk, the format of bpf_snprintf): process_vm_readv on our own
// process (or a pipe where that is missing, as under qemu-user) fails with
// EFAULT instead of crashing on an unmapped address.
#pragma once

#include <cstddef>
#include <cstdint>

namespace ebpf::runtime_detail {

// Copies the NUL-terminated string at `address` into out (always
// NUL-terminated, at most capacity - 1 characters) and returns its length.
// Stops early at unreadable memory; returns capacity when no NUL was found
// within capacity - 1 bytes.
size_t safe_read_string(uint64_t address, char* out, size_t capacity);

}  // namespace ebpf::runtime_detail
