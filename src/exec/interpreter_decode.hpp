// The interpreter's internal form of a program: what decode_program() makes of
// the eBPF instructions once, so that the run loop (interpreter.cpp) does no
// decoding at all. One Decoded record per eBPF instruction slot, at the same
// index (error messages and jump targets keep the program's numbering; the
// second slot of an LDDW gets a record that fails if ever reached), plus a
// sentinel record after the last one that fails "ran past the end".
#pragma once

#include <cstdint>
#include <span>

#include "ebpf/exec.hpp"
#include "ebpf/isa.hpp"

namespace ebpf::interp {

// Every operation the run loop has a handler for. K forms take `imm` (already
// widened: sign-extended for 64-bit operations, zero-extended for 32-bit ones,
// shift counts masked), X forms take reg[src].
#define EBPF_INTERP_ALU_OPS(X, W)                                                                  \
    X(add##W##k) X(add##W##x) X(sub##W##k) X(sub##W##x) X(mul##W##k) X(mul##W##x) X(div##W##k)     \
    X(div##W##x) X(sdiv##W##k) X(sdiv##W##x) X(mod##W##k) X(mod##W##x) X(smod##W##k) X(smod##W##x) \
    X(or##W##k) X(or##W##x) X(and##W##k) X(and##W##x) X(xor##W##k) X(xor##W##x) X(lsh##W##k)       \
    X(lsh##W##x) X(rsh##W##k) X(rsh##W##x) X(arsh##W##k) X(arsh##W##x) X(mov##W##k) X(mov##W##x)   \
    X(neg##W)
#define EBPF_INTERP_JMP_OPS(X, C) X(C##64k) X(C##64x) X(C##32k) X(C##32x)
#define EBPF_INTERP_OPS(X)                                                                           \
    EBPF_INTERP_ALU_OPS(X, 64) EBPF_INTERP_ALU_OPS(X, 32)                                            \
    X(movsx8_64) X(movsx16_64) X(movsx32_64) X(movsx8_32) X(movsx16_32)                              \
    X(le16) X(le32) X(nop) X(bswap16) X(bswap32) X(bswap64)                                          \
    X(lddw)                                                                                          \
    X(ldxb) X(ldxh) X(ldxw) X(ldxdw) X(ldxsb) X(ldxsh) X(ldxsw)                                      \
    X(stb) X(sth) X(stw) X(stdw) X(stxb) X(stxh) X(stxw) X(stxdw)                                    \
    X(atomic32) X(atomic64)                                                                          \
    X(ja)                                                                                            \
    EBPF_INTERP_JMP_OPS(X, jeq) EBPF_INTERP_JMP_OPS(X, jne) EBPF_INTERP_JMP_OPS(X, jgt)              \
    EBPF_INTERP_JMP_OPS(X, jge) EBPF_INTERP_JMP_OPS(X, jlt) EBPF_INTERP_JMP_OPS(X, jle)              \
    EBPF_INTERP_JMP_OPS(X, jset) EBPF_INTERP_JMP_OPS(X, jsgt) EBPF_INTERP_JMP_OPS(X, jsge)           \
    EBPF_INTERP_JMP_OPS(X, jslt) EBPF_INTERP_JMP_OPS(X, jsle)                                        \
    X(call_helper) X(call_tail) X(call_local) X(exit)                                \
    X(unsupported) X(past_end) X(lddw_second_slot)                                                   \
    EBPF_INTERP_FUSED_OPS(X)

// Fused pairs: one record does the work of two consecutive instructions. The
// second keeps its own record, which the fused handler reads for its operands
// (so a jump to the second instruction still works, and a record stays 16
// bytes). Chosen by measurement on the compute set (bench/compute): an add of
// an immediate followed by a conditional jump on an immediate is the typical
// loop latch (`i += 1; if i != n goto loop`); `r <<= 32; r >>= 32` is how
// clang zero-extends a 32-bit value in a 64-bit register.
#define EBPF_INTERP_FUSED_OPS(X) X(add64k_jne64k) X(add64k_jlt64k) X(add64k_jgt64k) X(add64k_jslt64k) \
    X(add64k_jsgt64k) X(add64k_jeq64k) X(zext32_pair)

enum class Op : uint8_t {
#define EBPF_INTERP_ENUM(name) name,
    EBPF_INTERP_OPS(EBPF_INTERP_ENUM)
#undef EBPF_INTERP_ENUM
    count
};

struct Decoded {
    uint64_t imm = 0;    // widened immediate, LDDW value, or the original opcode of an unsupported form
    int32_t off = 0;     // memory offset (sign-extended), jump/call target index, or helper ID
    uint8_t dst = 0, src = 0;
    Op op = Op::unsupported;     // what the fast loop runs (possibly a fused pair)
    Op plain = Op::unsupported;  // the single instruction's operation (the checked loop runs this)
};
static_assert(sizeof(Decoded) == 16);

// Decodes a program that validate() accepted into `out` (insns.size() + 1
// records; the last is the sentinel). Never trusts the program blindly: a
// jump, call or function-reference target outside the program, LD ABS/IND, a
// kfunc call or an unresolved map LDDW throws ebpf::Error; a jump into the
// second slot of an LDDW lands on a record that fails. An LDDW pseudo-func
// loads the address of its target's record (what call_function takes).
// Helper calls keep their ID (the run loop looks the helper up when called).
void decode_program(std::span<const Instruction> insns, std::span<Decoded> out);

}  // namespace ebpf::interp
