// As the kernel's convert_ctx_accesses: after verification, context loads and
// stores move to the runtime layout of the context (CtxField::runtime_offset),
// and pointer fields are read as the full 64-bit pointers the runtime stores.
#include <cstddef>
#include <string>

#include "ebpf/error.hpp"
#include "ebpf/verifier.hpp"

namespace ebpf {
namespace {

bool is_legacy_packet_load(const Instruction& insn) {
    const uint8_t mode = op::mode(insn.opcode);
    return op::cls(insn.opcode) == op::kClassLd && (mode == op::kModeAbs || mode == op::kModeInd);
}

Instruction make(uint8_t opcode, int dst, int src, int16_t offset, int32_t imm) {
    Instruction insn;
    insn.opcode = opcode;
    insn.dst = static_cast<uint8_t>(dst) & 0xf;
    insn.src = static_cast<uint8_t>(src) & 0xf;
    insn.offset = offset;
    insn.imm = imm;
    return insn;
}

// LD ABS/IND (R0 = the big-endian 1, 2 or 4 bytes at offset imm, or at
// src + imm, of the packet of the context in R6; the program ends with 0 when
// they are not all inside) as ordinary instructions, so that every engine runs
// them alike. R1-R5 are free: the instruction clobbers them. The offset is the
// 32-bit sum, as Linux's (negative ones, the SKF_*_OFF ancillary areas, are
// outside). The verifier allowed them only where this works: no bpf-to-bpf
// functions (the `exit` ends the program), a context whose packet pointers
// the runtime stores as 64-bit fields.
std::vector<Instruction> lower_legacy_packet_loads(std::span<const Instruction> insns, const ProgramTypeInfo& info) {
    const CtxField* data = nullptr;
    const CtxField* data_end = nullptr;
    for (const auto& f : info.fields) {
        if (f.kind == CtxFieldKind::packet) data = &f;
        if (f.kind == CtxFieldKind::packet_end) data_end = &f;
    }
    // Socket filters and tc programs read the packet pointers of
    // SkbRuntimeContext (a socket filter's context does not show them).
    const bool skb = info.type == ProgramType::socket_filter || info.type == ProgramType::sched_cls ||
                     info.type == ProgramType::sched_act;
    const CtxField skb_data{0, 4, CtxFieldKind::packet, false, offsetof(SkbRuntimeContext, data), 8};
    const CtxField skb_data_end{0, 4, CtxFieldKind::packet_end, false, offsetof(SkbRuntimeContext, data_end), 8};
    if (skb) {
        data = &skb_data;
        data_end = &skb_data_end;
    }
    if (!data || !data_end || data->runtime_size != 8 || data_end->runtime_size != 8 || info.runtime_ctx_size == 0)
        throw Error("legacy packet loads (LD ABS/IND) need a runtime context with packet pointers; " +
                    std::string(info.name) + " programs have none");
    using namespace op;
    // Where each old instruction starts in the new program.
    std::vector<int64_t> at(insns.size() + 1, 0);
    std::vector<Instruction> out;
    std::vector<size_t> jumps;  // old indices of jumps, patched once every position is known
    for (size_t i = 0; i < insns.size(); ++i) {
        at[i] = static_cast<int64_t>(out.size());
        const Instruction& insn = insns[i];
        if (!is_legacy_packet_load(insn)) {
            const uint8_t c = cls(insn.opcode), j = jmp_op(insn.opcode);
            if ((c == kClassJmp || c == kClassJmp32) && j != kCall && j != kExit) jumps.push_back(i);
            out.push_back(insn);
            continue;
        }
        const int size = size_bytes(insn.opcode);
        if (mode(insn.opcode) == kModeInd) {
            out.push_back(make(kClassAlu | kMov | kSrcX, 3, insn.src, 0, 0));   // w3 = w<src>
            out.push_back(make(kClassAlu | kAdd | kSrcK, 3, 0, 0, insn.imm));   // w3 += imm
        } else {
            out.push_back(make(kClassAlu | kMov | kSrcK, 3, 0, 0, insn.imm));   // w3 = imm
        }
        out.push_back(make(kClassLdx | kModeMem | kSizeDW, 1, 6, static_cast<int16_t>(data->runtime_offset), 0));
        out.push_back(make(kClassLdx | kModeMem | kSizeDW, 2, 6, static_cast<int16_t>(data_end->runtime_offset), 0));
        out.push_back(make(kClassAlu64 | kAdd | kSrcX, 1, 3, 0, 0));            // r1 = data + offset
        out.push_back(make(kClassAlu64 | kMov | kSrcX, 3, 1, 0, 0));
        out.push_back(make(kClassAlu64 | kAdd | kSrcK, 3, 0, 0, size));         // r3 = r1 + size
        const int16_t to_fail = size == 1 ? 2 : 3;
        out.push_back(make(kClassJmp | kJgt | kSrcX, 3, 2, to_fail, 0));        // past data_end: end with 0
        out.push_back(make(kClassLdx | kModeMem | (insn.opcode & 0x18), 0, 1, 0, 0));
        if (size > 1) out.push_back(make(kClassAlu | kEnd | kSrcX, 0, 0, 0, size * 8));  // from network order
        out.push_back(make(kClassJmp | kJa, 0, 0, 2, 0));
        out.push_back(make(kClassAlu64 | kMov | kSrcK, 0, 0, 0, 0));
        out.push_back(make(kClassJmp | kExit, 0, 0, 0, 0));
    }
    at[insns.size()] = static_cast<int64_t>(out.size());
    for (size_t i : jumps) {
        const Instruction& old = insns[i];
        const bool long_ja = cls(old.opcode) == kClassJmp32 && jmp_op(old.opcode) == kJa;  // gotol: imm
        const int64_t target = static_cast<int64_t>(i) + 1 + (long_ja ? old.imm : old.offset);
        if (target < 0 || target > static_cast<int64_t>(insns.size()))
            throw Error("instruction " + std::to_string(i) + ": jump outside the program");
        const int64_t moved = at[static_cast<size_t>(target)] - (at[i] + 1);
        Instruction& insn = out[static_cast<size_t>(at[i])];
        if (long_ja) {
            insn.imm = static_cast<int32_t>(moved);
        } else {
            if (moved < INT16_MIN || moved > INT16_MAX)
                throw Error("instruction " + std::to_string(i) + ": jump too far after lowering legacy packet loads");
            insn.offset = static_cast<int16_t>(moved);
        }
    }
    return out;
}

}  // namespace

std::vector<Instruction> rewrite_context_accesses(std::span<const Instruction> insns, ProgramType type,
                                                  std::span<const CtxAccess> accesses) {
    const ProgramTypeInfo& info = program_type_info(type);
    std::vector<Instruction> out(insns.begin(), insns.end());
    for (const CtxAccess& access : accesses) {
        const std::string where = "rewrite_context_accesses: instruction " + std::to_string(access.insn);
        if (access.insn >= out.size()) throw Error(where + " is outside the program");
        Instruction& insn = out[access.insn];
        const uint8_t cls = op::cls(insn.opcode);
        if (cls != op::kClassLdx && cls != op::kClassSt && cls != op::kClassStx)
            throw Error(where + " is not a load or store");
        const CtxField* field = nullptr;
        for (const auto& f : info.fields)
            if (access.ctx_offset >= f.offset && access.ctx_offset < f.offset + f.size) field = &f;
        if (!field) throw Error(where + ": no context field at offset " + std::to_string(access.ctx_offset));
        const int64_t moved = int64_t{insn.offset} + int64_t{field->runtime_offset} - int64_t{field->offset};
        if (moved < INT16_MIN || moved > INT16_MAX) throw Error(where + ": rewritten offset does not fit");
        insn.offset = static_cast<int16_t>(moved);
        if (field->runtime_size != field->size) {
            // Only whole pointer fields change size (the verifier allows nothing else).
            if (field->kind == CtxFieldKind::scalar || field->runtime_size != 8 || cls != op::kClassLdx)
                throw Error(where + ": cannot rewrite a " + std::to_string(field->size) + "-byte field to " +
                            std::to_string(field->runtime_size) + " bytes");
            insn.opcode = static_cast<uint8_t>((insn.opcode & ~0x18) | op::kSizeDW);
        }
    }
    for (const Instruction& insn : out)
        if (is_legacy_packet_load(insn)) return lower_legacy_packet_loads(out, info);
    return out;
}

}  // namespace ebpf
