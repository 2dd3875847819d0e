// As the kernel's convert_ctx_accesses: after verification, context loads and
// stores move to the runtime layout of the context (CtxField::runtime_offset),
// and pointer fields are read as the full 64-bit pointers the runtime stores.
#include <string>

#include "ebpf/error.hpp"
#include "ebpf/verifier.hpp"

namespace ebpf {

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
    return out;
}

}  // namespace ebpf
