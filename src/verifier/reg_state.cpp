#include "reg_state.hpp"

#include "verifier_state.hpp"

namespace ebpf::verifier {

const char* reg_type_name(RegType type) {
    switch (type) {
    case RegType::not_init: return "not_init";
    case RegType::scalar: return "scalar";
    case RegType::ptr_to_ctx: return "ctx";
    case RegType::ptr_to_stack: return "fp";
    case RegType::const_map_ptr: return "map_ptr";
    case RegType::ptr_to_map_value: return "map_value";
    case RegType::ptr_to_map_value_or_null: return "map_value_or_null";
    case RegType::ptr_to_map_key: return "map_key";
    case RegType::ptr_to_packet: return "pkt";
    case RegType::ptr_to_packet_end: return "pkt_end";
    case RegType::ptr_to_packet_meta: return "pkt_meta";
    case RegType::ptr_to_ringbuf_mem: return "ringbuf_mem";
    case RegType::ptr_to_ringbuf_mem_or_null: return "ringbuf_mem_or_null";
    case RegType::ptr_to_func: return "func";
    case RegType::const_map_ptr_or_null: return "map_ptr_or_null";
    case RegType::ptr_to_sock: return "sock";
    case RegType::ptr_to_sock_or_null: return "sock_or_null";
    case RegType::ptr_to_sock_common: return "sock_common";
    case RegType::ptr_to_sock_common_or_null: return "sock_common_or_null";
    case RegType::ptr_to_flow_keys: return "flow_keys";
    }
    return "?";
}

std::string RegState::to_string() const {
    if (type == RegType::scalar) {
        std::string range = var.to_string();
        std::string s = var.is_const() ? range : range == "unknown" ? "scalar" : "scalar" + range;
        if (mem_len) s += "(mem_len)";
        if (len_margin >= 0) s += "(<=mem_len-" + std::to_string(len_margin) + ")";
        return s;
    }
    if (type == RegType::not_init) return "?";
    std::string s = reg_type_name(type);
    if (type == RegType::ptr_to_stack) s += std::to_string(frameno);
    s += "(";
    s += "off=" + std::to_string(off);
    if (!var.is_const() || var.value() != 0) s += ",var=" + var.to_string();
    if (map_index >= 0) s += ",map=" + std::to_string(map_index);
    if (id) s += ",id=" + std::to_string(id);
    if (ref_obj_id) s += ",ref=" + std::to_string(ref_obj_id);
    if (type == RegType::ptr_to_packet || type == RegType::ptr_to_packet_meta) s += ",r=" + std::to_string(pkt_range);
    if (mem_size) s += ",size=" + std::to_string(mem_size);
    s += ")";
    return s;
}

size_t VerifierState::memory_bytes() const {
    size_t total = sizeof(*this) + refs.capacity() * sizeof(Reference) + history.capacity() * sizeof(HistoryEntry);
    for (const auto& f : frames) {
        total += sizeof(FuncFrame) + f.stack.table_bytes();
    }
    return total;
}

}  // namespace ebpf::verifier
