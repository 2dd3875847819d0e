// The helper implementations (internal): each file registers its helpers in
// the one HelperTable that every execution mode uses.
#pragma once

#include <cstdint>
#include <cstring>

#include "ebpf/abi.hpp"
#include "ebpf/error.hpp"
#include "ebpf/exec.hpp"

namespace ebpf::runtime_detail {

void register_map_helpers(HelperTable& table);
void register_ringbuf_helpers(HelperTable& table);
void register_system_helpers(HelperTable& table);   // time, random, pid, cpu
void register_data_helpers(HelperTable& table);     // csum_diff, strncmp
void register_xdp_helpers(HelperTable& table);
void register_skb_helpers(HelperTable& table);     // __sk_buff: load/store bytes, checksums, resizing, vlan
void register_tunnel_helpers(HelperTable& table);  // __sk_buff tunnel keys, bpf_skb_under_cgroup
void register_fib_helpers(HelperTable& table);     // bpf_fib_lookup
void register_control_helpers(HelperTable& table);  // tail_call, loop, for_each_map_elem
void register_trace_helpers(HelperTable& table);    // trace_printk, snprintf
void register_redirect_helpers(HelperTable& table); // redirect, redirect_map, clone_redirect, perf_event_output
void register_lock_helpers(HelperTable& table);     // spin_lock, spin_unlock
void register_socket_helpers(HelperTable& table);   // socket and netns cookies (cgroup_sock_addr)

template <typename T>
T* as_pointer(uint64_t value) {
    return reinterpret_cast<T*>(static_cast<uintptr_t>(value));
}
inline uint64_t from_pointer(const void* pointer) { return reinterpret_cast<uintptr_t>(pointer); }
inline uint64_t from_errno(int64_t result) { return static_cast<uint64_t>(result); }

}  // namespace ebpf::runtime_detail
