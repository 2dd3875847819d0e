// The verifier: a path-sensitive abstract interpreter in the style of the
// Linux kernel verifier. Every execution mode requires a passing verification
// (only the bounds-checked interpreter may run unverified code).
#pragma once

#include <cstdint>
#include <optional>
#include <span>
#include <string>
#include <vector>

#include "ebpf/abi.hpp"
#include "ebpf/isa.hpp"
#include "ebpf/object.hpp"

namespace ebpf {

// The verifier's budget. Each limit ends verification with "program too
// complex" (naming the loop or branch nest that used it up) instead of
// letting a small hostile program use the host's time or memory.
struct VerifyOptions {
    uint64_t complexity_limit = 1'000'000;  // processed instructions, as Linux
    uint64_t max_states = 65'536;           // states stored for pruning
    uint64_t max_memory_bytes = uint64_t{256} << 20;  // stored and pending states
    uint64_t max_pending = 8'192;           // branches waiting to be explored
    double max_seconds = 0;                 // wall time; 0: no limit (the others bound it)
    int log_level = 0;                      // 0: errors; 1: + path; 2: + state at every insn
    // Context memory programs (ProgramType::hook, raw_memory): r1 points to
    // memory of r2 bytes. When the size is known at verification time (the
    // bpf_conformance runner knows its input), accesses at constant offsets
    // below it need no length check; otherwise every access through r1 must
    // be proven below r2 by a comparison.
    std::optional<uint64_t> mem_size;
};

struct VerifyStats {
    uint64_t insns_processed = 0;
    uint64_t states_visited = 0;
    uint64_t peak_states = 0;
    double seconds = 0;
    uint64_t peak_memory_bytes = 0;
};

struct VerifyDiagnostic {
    uint32_t insn = 0;                    // instruction index
    std::optional<SourceLocation> where;  // from BTF line info, when present
    std::string message;                  // "R1 may be NULL when dereferenced (...)"
    std::string insn_text;                // the instruction, disassembled
    std::string state;                    // register state at the instruction
    std::vector<std::string> path;        // branches taken to get here
};

// What the verifier learnt that later stages need.
struct CtxAccess {
    uint32_t insn = 0;       // an LDX/STX/ST whose base register points to the context
    uint32_t ctx_offset = 0; // offset of the access within the program-visible context
};

struct VerifyResult {
    bool ok = false;
    std::vector<VerifyDiagnostic> errors;
    // Accepted, as Linux accepts it, but probably not what was meant (an XDP
    // program that may return a value that is no XDP action).
    std::vector<VerifyDiagnostic> warnings;
    VerifyStats stats;
    std::string log;                    // the verifier log at the requested level
    std::vector<CtxAccess> ctx_accesses;// for rewrite_context_accesses()
};

// Verifies one program of an object; `maps` are the object's maps (for map
// pointers, key/value sizes).
VerifyResult verify_program(const Program& program, std::span<const MapDefinition> maps,
                            const VerifyOptions& options = {});

// Verifies raw instructions of the given type (e.g. raw_memory for
// bpf_conformance programs), without line info.
VerifyResult verify_instructions(std::span<const Instruction> insns, ProgramType type,
                                 std::span<const MapDefinition> maps = {},
                                 const VerifyOptions& options = {});

// "prog.c:96:5: error: R1 may be NULL ..." (or "prog.o:insn 12: error: ..."
// without line info), followed by the instruction, state and path lines.
// `kind` is "error" or "warning".
std::string format_diagnostic(const VerifyDiagnostic& diagnostic, const std::string& object_path,
                              const char* kind = "error");

// As the kernel's convert_ctx_accesses: rewrites the context loads/stores the
// verifier found to the runtime context layout (CtxField::runtime_offset and
// runtime_size), so that e.g. xdp_md.data reads a real 64-bit pointer.
std::vector<Instruction> rewrite_context_accesses(std::span<const Instruction> insns,
                                                  ProgramType type,
                                                  std::span<const CtxAccess> accesses);

}  // namespace ebpf
