// The one helper table of every mode, and the load-time check that a
// program only calls helpers that exist and that its type allows.
#include <algorithm>
#include <string>

#include "ebpf/error.hpp"
#include "ebpf/runtime.hpp"
#include "helper_registry.hpp"

namespace ebpf {

using namespace runtime_detail;

const HelperTable& helper_table() {
    static const HelperTable table = [] {
        HelperTable t;
        register_map_helpers(t);
        register_ringbuf_helpers(t);
        register_system_helpers(t);
        register_data_helpers(t);
        register_xdp_helpers(t);
        register_skb_helpers(t);
        register_tunnel_helpers(t);
        register_fib_helpers(t);
        register_control_helpers(t);
        register_trace_helpers(t);
        register_redirect_helpers(t);
        register_lock_helpers(t);
        register_socket_helpers(t);
        return t;
    }();
    return table;
}

void check_helper_calls(const std::string& program_name, std::span<const Instruction> insns, ProgramType type) {
    const ProgramTypeInfo& info = program_type_info(type);
    for (size_t i = 0; i < insns.size(); ++i) {
        const Instruction& insn = insns[i];
        if (insn.opcode == op::kLddw) {
            ++i;  // skip the second slot
            continue;
        }
        if (insn.opcode != (op::kClassJmp | op::kCall) || insn.src != op::kCallHelper) continue;
        const std::string where = "program '" + program_name + "': instruction " + std::to_string(i) + ": ";
        const HelperPrototype* proto = helper_prototype(insn.imm);
        if (proto && !helper_table().find(insn.imm))
            throw Error(where + "the runtime cannot run helper " + std::string(proto->name) + " (" +
                        std::to_string(insn.imm) + "): it is verified only (`ebpf verify` checks calls to it)");
        if (!proto || !helper_table().find(insn.imm)) throw Error(where + helper_display_name(insn.imm) + " is not supported by this runtime");
        if (type != ProgramType::unspec &&
            std::find(info.helpers.begin(), info.helpers.end(), insn.imm) == info.helpers.end())
            throw Error(where + "helper " + std::string(proto->name) + " is not allowed in " +
                        std::string(info.name) + " programs");
    }
}

}  // namespace ebpf
