// The eBPF instruction set (RFC 9669, ISA v4): encoding, decoding with
// validation, disassembly and assembly. Everything else builds on this.
#pragma once

#include <cstddef>
#include <cstdint>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <vector>

namespace ebpf {

// One 64-bit instruction slot, exactly as it is laid out in memory
// (little-endian host). An LDDW occupies two slots.
struct Instruction {
    uint8_t opcode = 0;
    uint8_t dst : 4 = 0;
    uint8_t src : 4 = 0;
    int16_t offset = 0;
    int32_t imm = 0;
};
static_assert(sizeof(Instruction) == 8);

// An instruction from its fields; registers are masked to their 4 bits.
constexpr Instruction make_instruction(uint8_t opcode, int dst = 0, int src = 0, int16_t offset = 0,
                                       int32_t imm = 0) {
    Instruction insn;
    insn.opcode = opcode;
    insn.dst = static_cast<uint8_t>(dst) & 0x0f;
    insn.src = static_cast<uint8_t>(src) & 0x0f;
    insn.offset = offset;
    insn.imm = imm;
    return insn;
}

inline constexpr int kRegisterCount = 11;     // r0..r10
inline constexpr int kFramePointer = 10;      // r10, read-only
inline constexpr int kStackSize = 512;        // bytes per frame
inline constexpr int kMaxCallDepth = 8;       // bpf-to-bpf frames, as Linux

namespace op {
// Instruction classes (low 3 bits of the opcode).
inline constexpr uint8_t kClassLd = 0x00, kClassLdx = 0x01, kClassSt = 0x02, kClassStx = 0x03,
                         kClassAlu = 0x04, kClassJmp = 0x05, kClassJmp32 = 0x06,
                         kClassAlu64 = 0x07;
// Source bit for ALU/JMP (0x08): K = immediate, X = register. For END it means to-BE.
inline constexpr uint8_t kSrcK = 0x00, kSrcX = 0x08;
// ALU operations (high 4 bits).
inline constexpr uint8_t kAdd = 0x00, kSub = 0x10, kMul = 0x20, kDiv = 0x30, kOr = 0x40,
                         kAnd = 0x50, kLsh = 0x60, kRsh = 0x70, kNeg = 0x80, kMod = 0x90,
                         kXor = 0xa0, kMov = 0xb0, kArsh = 0xc0, kEnd = 0xd0;
// Jump operations (high 4 bits).
inline constexpr uint8_t kJa = 0x00, kJeq = 0x10, kJgt = 0x20, kJge = 0x30, kJset = 0x40,
                         kJne = 0x50, kJsgt = 0x60, kJsge = 0x70, kCall = 0x80, kExit = 0x90,
                         kJlt = 0xa0, kJle = 0xb0, kJslt = 0xc0, kJsle = 0xd0;
// Load/store sizes (bits 3-4) and modes (bits 5-7).
inline constexpr uint8_t kSizeW = 0x00, kSizeH = 0x08, kSizeB = 0x10, kSizeDW = 0x18;
inline constexpr uint8_t kModeImm = 0x00, kModeAbs = 0x20, kModeInd = 0x40, kModeMem = 0x60,
                         kModeMemSx = 0x80, kModeAtomic = 0xc0;
// Atomic operations (imm field of an atomic STX).
inline constexpr int32_t kAtomicFetch = 0x01;
inline constexpr int32_t kAtomicXchg = 0xe0 | kAtomicFetch, kAtomicCmpXchg = 0xf0 | kAtomicFetch;
// The LDDW opcode and its src pseudo-forms (Linux BPF_PSEUDO_*).
inline constexpr uint8_t kLddw = kClassLd | kModeImm | kSizeDW;  // 0x18
inline constexpr uint8_t kPseudoImm64 = 0, kPseudoMapFd = 1, kPseudoMapValue = 2,
                         kPseudoBtfId = 3, kPseudoFunc = 4, kPseudoMapIdx = 5,
                         kPseudoMapIdxValue = 6;
// CALL src forms.
inline constexpr uint8_t kCallHelper = 0, kCallLocal = 1, kCallBtf = 2;

constexpr uint8_t cls(uint8_t opcode) { return opcode & 0x07; }
constexpr uint8_t alu_op(uint8_t opcode) { return opcode & 0xf0; }
constexpr uint8_t jmp_op(uint8_t opcode) { return opcode & 0xf0; }
constexpr uint8_t size(uint8_t opcode) { return opcode & 0x18; }
constexpr uint8_t mode(uint8_t opcode) { return opcode & 0xe0; }
constexpr bool is_x(uint8_t opcode) { return (opcode & kSrcX) != 0; }
constexpr int size_bytes(uint8_t opcode) {
    switch (size(opcode)) {
    case kSizeW: return 4;
    case kSizeH: return 2;
    case kSizeB: return 1;
    default: return 8;
    }
}
}  // namespace op

// --- decoding ---------------------------------------------------------------

// Reinterprets raw bytes as instructions. Throws ebpf::Error when the length is
// not a multiple of 8.
std::vector<Instruction> instructions_from_bytes(std::span<const uint8_t> bytes);
std::vector<uint8_t> instructions_to_bytes(std::span<const Instruction> insns);

// What validation allows beyond plain RFC 9669 bytecode.
struct ValidateOptions {
    bool allow_pseudo_lddw = true;   // LDDW src 1..6 (maps, funcs): loader-resolved forms
    bool allow_legacy_packet = true; // LD ABS/IND (legacy packet access)
};

// Checks that a program is well formed: known opcodes, reserved fields zero,
// registers in range (r10 never written), jumps inside the program and never into
// the second slot of an LDDW, LDDW not truncated, local calls to a valid
// instruction. Throws ebpf::Error with "instruction N: why".
void validate(std::span<const Instruction> insns, const ValidateOptions& options = {});

// Where the program's functions start: instruction 0, every local-call target
// and every LDDW pseudo-func (callback) target, found over all instructions
// (reachable or not, LDDW second slots skipped); sorted, no duplicates.
// Targets outside the program are left out (validate() reports them). A
// function runs from its start to the next start. The verifier, the JIT and
// bpf2c all cut a program here; the verifier rejects a program whose jumps
// cross these boundaries or whose function runs on into the next.
std::vector<uint32_t> function_starts(std::span<const Instruction> insns);

// --- text forms -------------------------------------------------------------

// One instruction in the C-like syntax of llvm-objdump and the Linux verifier
// log, e.g. "r1 = *(u32 *)(r2 + 4)" or "if r1 > 0x10 goto +3". For an LDDW,
// `next` is the second slot.
// A helper call prints as "call 1", or as "call bpf_map_lookup_elem#1" when
// `helper_name` names the ID (the isa knows no helpers; ebpf/abi.hpp's
// linux_helper_name does); assemble() reads both.
using HelperNamer = std::string_view (*)(int32_t id);
std::string disassemble(const Instruction& insn, const Instruction* next = nullptr, HelperNamer helper_name = nullptr);
// A whole program, one line per instruction, "  12: r0 = 1".
std::string disassemble_program(std::span<const Instruction> insns, HelperNamer helper_name = nullptr);

// Reads assembler text: the C-like syntax above, or the bpf_conformance
// "-- asm" syntax ("mov %r0, 1", "ldxw %r0, [%r1+4]", "jeq %r1, 2, +3"),
// one instruction per line, '#' and ';' and '//' comments, optional "label:"
// lines usable as jump targets. Throws ebpf::Error "line N: why".
std::vector<Instruction> assemble(std::string_view text);

}  // namespace ebpf
