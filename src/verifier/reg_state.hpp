// The abstract value of one register: what kind of thing it holds, and for
// pointers where into their region it points (a fixed offset plus a variable
// part kept as a ScalarRange).
#pragma once

#include <cstdint>
#include <string>

#include "scalar_range.hpp"

namespace ebpf::verifier {

enum class RegType : uint8_t {
    not_init,
    scalar,
    ptr_to_ctx,
    ptr_to_stack,
    const_map_ptr,
    ptr_to_map_value,
    ptr_to_map_value_or_null,
    ptr_to_map_key,
    ptr_to_packet,       // also the context memory of hook/raw_memory programs
    ptr_to_packet_end,
    ptr_to_packet_meta,
    ptr_to_ringbuf_mem,
    ptr_to_ringbuf_mem_or_null,
    ptr_to_func,
    const_map_ptr_or_null,  // an inner map from a map-in-map lookup
    ptr_to_sock,                 // struct bpf_sock (context fields of socket program types)
    ptr_to_sock_or_null,
    ptr_to_sock_common,          // struct bpf_sock, common fields only (__sk_buff.sk)
    ptr_to_sock_common_or_null,
    ptr_to_flow_keys,            // struct bpf_flow_keys (__sk_buff.flow_keys in flow_dissector)
};
const char* reg_type_name(RegType type);

struct RegState {
    RegType type = RegType::not_init;
    int32_t off = 0;           // pointers: fixed offset into the region
    ScalarRange var = ScalarRange::constant(0);  // scalars: the value; pointers: variable offset
    uint32_t id = 0;           // or_null: null-check id; packet: range id; scalar: copy id
    int32_t link_off = 0;      // scalar with an id: value = (the id's base value) + link_off (mod 2^64)
    uint32_t ref_obj_id = 0;   // ring-buffer record that must be released
    int32_t map_index = -1;    // map pointers, map values and keys
    uint32_t mem_size = 0;     // bytes of the region (map value, key, ring-buffer record)
    int32_t pkt_range = 0;     // packet: bytes proven inside the packet from start+var
    uint8_t frameno = 0;       // stack pointers: the frame they point into
    bool mem_len = false;      // scalar: the length of the context memory (hook, raw_memory)
    int32_t len_margin = -1;   // scalar: value + len_margin <= memory length (-1: unknown)
    int32_t origin = -1;       // instruction that produced the value, for messages
    uint32_t func_insn = 0;    // ptr_to_func: first instruction of the callback

    static RegState scalar(const ScalarRange& value) {
        RegState r;
        r.type = RegType::scalar;
        r.var = value;
        return r;
    }
    static RegState unknown_scalar() { return scalar(ScalarRange::unknown()); }
    static RegState pointer(RegType type, int32_t off = 0) {
        RegState r;
        r.type = type;
        r.off = off;
        return r;
    }

    bool is_pointer() const { return type != RegType::not_init && type != RegType::scalar; }
    bool is_or_null() const {
        return type == RegType::ptr_to_map_value_or_null || type == RegType::ptr_to_ringbuf_mem_or_null ||
               type == RegType::const_map_ptr_or_null || type == RegType::ptr_to_sock_or_null ||
               type == RegType::ptr_to_sock_common_or_null;
    }
    bool is_packet_like() const { return type == RegType::ptr_to_packet || type == RegType::ptr_to_packet_meta; }
    bool is_const_scalar(uint64_t v) const { return type == RegType::scalar && var.is_const() && var.value() == v; }
    std::string to_string() const;
    bool operator==(const RegState&) const = default;
};

}  // namespace ebpf::verifier
