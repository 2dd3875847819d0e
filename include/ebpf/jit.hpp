// What the x86-64 JIT produced, for people reading it: the machine code of a
// program with the range that each eBPF instruction became, and a listing that
// shows the machine instructions (disassembled with capstone) beside the eBPF
// ones. The host's code by default; either architecture's on request, so an
// x86-64 machine can show what an AArch64 one would run and vice versa.
// Compiling a listing needs no executable memory, so it works under MDWE too.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "ebpf/exec.hpp"

namespace ebpf {

// Whose machine code: the host's (what make_jit() runs), or either JIT's.
enum class JitArch { host, x86_64, aarch64 };

struct JitListing {
    JitArch arch = JitArch::x86_64;      // never `host`: the architecture it was compiled for
    std::vector<uint8_t> code;           // the whole generated code, relocated to address 0
    // Start offset in `code` of every eBPF instruction; size insns + 1, the last
    // entry is the end of the program body. The second slot of an LDDW gets an
    // empty range.
    std::vector<uint64_t> insn_offsets;
    uint64_t entry_offset = 0;           // the trampoline that run() enters first
};

// Compiles `program` as make_jit() would (same options, e.g. constant blinding)
// without making it executable. Throws ebpf::Error for malformed programs.
// AArch64 listings use LSE atomics exactly when make_jit() would (on an
// AArch64 host: when the CPU has them; on other hosts: always).
JitListing jit_compile_listing(const ExecutableProgram& program, const ExecOptions& options = {},
                               JitArch arch = JitArch::host);

// The listing as text: every eBPF instruction ("  12: r0 = 1") followed by its
// machine instructions ("      0x0040  48 c7 c0 01 00 00 00  mov rax, 1"), then
// the entry trampoline and out-of-line stubs. Throws ebpf::Error when capstone
// cannot be opened.
std::string jit_disassemble(const ExecutableProgram& program, const ExecOptions& options = {},
                            JitArch arch = JitArch::host);

}  // namespace ebpf
