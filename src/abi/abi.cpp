// The shared ABI tables. Facts (IDs, offsets, signatures) follow Linux
// include/uapi/linux/bpf.h so that unmodified libbpf-style programs work.
#include "ebpf/abi.hpp"


#include <algorithm>
#include <cstddef>
#include <array>
#include <vector>

namespace ebpf {
namespace {

struct MapTypeName {
    MapType type;
    std::string_view name;
};
constexpr MapTypeName kMapTypes[] = {
    {MapType::hash, "hash"},
    {MapType::array, "array"},
    {MapType::prog_array, "prog_array"},
    {MapType::perf_event_array, "perf_event_array"},
    {MapType::percpu_hash, "percpu_hash"},
    {MapType::percpu_array, "percpu_array"},
    {MapType::stack_trace, "stack_trace"},
    {MapType::cgroup_array, "cgroup_array"},
    {MapType::lru_hash, "lru_hash"},
    {MapType::lru_percpu_hash, "lru_percpu_hash"},
    {MapType::lpm_trie, "lpm_trie"},
    {MapType::array_of_maps, "array_of_maps"},
    {MapType::hash_of_maps, "hash_of_maps"},
    {MapType::devmap, "devmap"},
    {MapType::cpumap, "cpumap"},
    {MapType::xskmap, "xskmap"},
    {MapType::queue, "queue"},
    {MapType::stack, "stack"},
    {MapType::devmap_hash, "devmap_hash"},
    {MapType::ringbuf, "ringbuf"},
};

using A = ArgKind;
using R = RetKind;
namespace id = helper_id;

constexpr HelperPrototype kHelpers[] = {
    {id::map_lookup_elem, "bpf_map_lookup_elem", R::map_value_or_null, {A::const_map_ptr, A::map_key}},
    {id::map_update_elem, "bpf_map_update_elem", R::integer,
     {A::const_map_ptr, A::map_key, A::map_value, A::anything}},
    {id::map_delete_elem, "bpf_map_delete_elem", R::integer, {A::const_map_ptr, A::map_key}},
    {4, "bpf_probe_read", R::integer, {A::uninit_mem, A::const_size_or_zero, A::anything}},  // verify only
    {id::ktime_get_ns, "bpf_ktime_get_ns", R::integer, {}},
    {id::trace_printk, "bpf_trace_printk", R::integer,
     {A::mem, A::const_size, A::anything, A::anything, A::anything}},
    {id::get_prandom_u32, "bpf_get_prandom_u32", R::integer, {}},
    {id::get_smp_processor_id, "bpf_get_smp_processor_id", R::integer, {}},
    {id::skb_store_bytes, "bpf_skb_store_bytes", R::integer, {A::ctx, A::anything, A::mem, A::const_size, A::anything}},
    {id::l3_csum_replace, "bpf_l3_csum_replace", R::integer, {A::ctx, A::anything, A::anything, A::anything, A::anything}},
    {id::l4_csum_replace, "bpf_l4_csum_replace", R::integer, {A::ctx, A::anything, A::anything, A::anything, A::anything}},
    {id::tail_call, "bpf_tail_call", R::integer, {A::ctx, A::const_map_ptr, A::anything}},
    {id::clone_redirect, "bpf_clone_redirect", R::integer, {A::ctx, A::anything, A::anything}},
    {id::get_current_pid_tgid, "bpf_get_current_pid_tgid", R::integer, {}},
    {15, "bpf_get_current_uid_gid", R::integer, {}},  // verify only
    {16, "bpf_get_current_comm", R::integer, {A::uninit_mem, A::const_size}},  // verify only
    {id::get_cgroup_classid, "bpf_get_cgroup_classid", R::integer, {A::ctx}},
    {id::skb_vlan_push, "bpf_skb_vlan_push", R::integer, {A::ctx, A::anything, A::anything}},
    {id::skb_vlan_pop, "bpf_skb_vlan_pop", R::integer, {A::ctx}},
    {id::skb_get_tunnel_key, "bpf_skb_get_tunnel_key", R::integer, {A::ctx, A::uninit_mem, A::const_size, A::anything}},
    {id::skb_set_tunnel_key, "bpf_skb_set_tunnel_key", R::integer, {A::ctx, A::mem, A::const_size, A::anything}},
    {22, "bpf_perf_event_read", R::integer, {A::const_map_ptr, A::anything}},  // verify only
    {id::redirect, "bpf_redirect", R::integer, {A::anything, A::anything}},
    {id::perf_event_output, "bpf_perf_event_output", R::integer,
     {A::ctx, A::const_map_ptr, A::anything, A::mem, A::const_size_or_zero}},
    {id::skb_load_bytes, "bpf_skb_load_bytes", R::integer, {A::ctx, A::anything, A::uninit_mem, A::const_size}},
    {id::get_stackid, "bpf_get_stackid", R::integer, {A::ctx, A::const_map_ptr, A::anything}},
    {id::csum_diff, "bpf_csum_diff", R::integer,
     {A::mem_or_null, A::const_size_or_zero, A::mem_or_null, A::const_size_or_zero, A::anything}},
    {id::skb_get_tunnel_opt, "bpf_skb_get_tunnel_opt", R::integer, {A::ctx, A::uninit_mem, A::const_size}},
    {id::skb_set_tunnel_opt, "bpf_skb_set_tunnel_opt", R::integer, {A::ctx, A::mem, A::const_size}},
    {id::skb_change_proto, "bpf_skb_change_proto", R::integer, {A::ctx, A::anything, A::anything}},
    {id::skb_change_type, "bpf_skb_change_type", R::integer, {A::ctx, A::anything}},
    {id::skb_under_cgroup, "bpf_skb_under_cgroup", R::integer, {A::ctx, A::const_map_ptr, A::anything}},
    {id::get_hash_recalc, "bpf_get_hash_recalc", R::integer, {A::ctx}},
    {35, "bpf_get_current_task", R::integer, {}},  // verify only
    {36, "bpf_probe_write_user", R::integer, {A::anything, A::mem, A::const_size}},  // verify only
    {37, "bpf_current_task_under_cgroup", R::integer, {A::const_map_ptr, A::anything}},  // verify only
    {id::skb_change_tail, "bpf_skb_change_tail", R::integer, {A::ctx, A::anything, A::anything}},
    {id::skb_pull_data, "bpf_skb_pull_data", R::integer, {A::ctx, A::anything}},
    {42, "bpf_get_numa_node_id", R::integer, {}},  // verify only
    {id::skb_change_head, "bpf_skb_change_head", R::integer, {A::ctx, A::anything, A::anything}},
    {id::xdp_adjust_head, "bpf_xdp_adjust_head", R::integer, {A::ctx, A::anything}},
    {45, "bpf_probe_read_str", R::integer, {A::uninit_mem, A::const_size_or_zero, A::anything}},  // verify only
    {46, "bpf_get_socket_cookie", R::integer, {A::ctx}},
    {47, "bpf_get_socket_uid", R::integer, {A::ctx}},  // verify only
    {49, "bpf_setsockopt", R::integer, {A::ctx, A::anything, A::anything, A::mem, A::const_size}},  // verify only
    {id::skb_adjust_room, "bpf_skb_adjust_room", R::integer, {A::ctx, A::anything, A::anything, A::anything}},
    {id::redirect_map, "bpf_redirect_map", R::integer, {A::const_map_ptr, A::anything, A::anything}},
    {id::xdp_adjust_meta, "bpf_xdp_adjust_meta", R::integer, {A::ctx, A::anything}},
    {55, "bpf_perf_event_read_value", R::integer, {A::const_map_ptr, A::anything, A::uninit_mem, A::const_size}},  // verify only
    {56, "bpf_perf_prog_read_value", R::integer, {A::ctx, A::uninit_mem, A::const_size}},  // verify only
    {57, "bpf_getsockopt", R::integer, {A::ctx, A::anything, A::anything, A::uninit_mem, A::const_size}},  // verify only
    {58, "bpf_override_return", R::integer, {A::ctx, A::anything}},  // verify only
    {59, "bpf_sock_ops_cb_flags_set", R::integer, {A::ctx, A::anything}},  // verify only
    {61, "bpf_msg_apply_bytes", R::integer, {A::ctx, A::anything}},  // verify only
    {62, "bpf_msg_cork_bytes", R::integer, {A::ctx, A::anything}},  // verify only
    {63, "bpf_msg_pull_data", R::integer, {A::ctx, A::anything, A::anything, A::anything}},  // verify only
    {id::xdp_adjust_tail, "bpf_xdp_adjust_tail", R::integer, {A::ctx, A::anything}},
    {67, "bpf_get_stack", R::integer, {A::ctx, A::uninit_mem, A::const_size_or_zero, A::anything}},  // verify only
    {id::skb_load_bytes_relative, "bpf_skb_load_bytes_relative", R::integer,
     {A::ctx, A::anything, A::uninit_mem, A::const_size, A::anything}},
    {id::fib_lookup, "bpf_fib_lookup", R::integer, {A::ctx, A::mem_rw, A::const_size, A::anything}},
    {80, "bpf_get_current_cgroup_id", R::integer, {}},  // verify only
    {id::spin_lock, "bpf_spin_lock", R::void_, {A::spin_lock}},
    {id::spin_unlock, "bpf_spin_unlock", R::void_, {A::spin_lock}},
    {id::map_push_elem, "bpf_map_push_elem", R::integer, {A::const_map_ptr, A::map_value, A::anything}},
    {id::map_pop_elem, "bpf_map_pop_elem", R::integer, {A::const_map_ptr, A::uninit_map_value}},
    {id::map_peek_elem, "bpf_map_peek_elem", R::integer, {A::const_map_ptr, A::uninit_map_value}},
    {id::skb_ecn_set_ce, "bpf_skb_ecn_set_ce", R::integer, {A::ctx}},
    {101, "bpf_sysctl_get_name", R::integer, {A::ctx, A::uninit_mem, A::const_size, A::anything}},  // verify only
    {102, "bpf_sysctl_get_current_value", R::integer, {A::ctx, A::uninit_mem, A::const_size}},  // verify only
    {103, "bpf_sysctl_get_new_value", R::integer, {A::ctx, A::uninit_mem, A::const_size}},  // verify only
    {104, "bpf_sysctl_set_new_value", R::integer, {A::ctx, A::mem, A::const_size}},  // verify only
    {109, "bpf_send_signal", R::integer, {A::anything}},  // verify only
    {112, "bpf_probe_read_user", R::integer, {A::uninit_mem, A::const_size_or_zero, A::anything}},  // verify only
    {113, "bpf_probe_read_kernel", R::integer, {A::uninit_mem, A::const_size_or_zero, A::anything}},  // verify only
    {114, "bpf_probe_read_user_str", R::integer, {A::uninit_mem, A::const_size_or_zero, A::anything}},  // verify only
    {115, "bpf_probe_read_kernel_str", R::integer, {A::uninit_mem, A::const_size_or_zero, A::anything}},  // verify only
    {117, "bpf_send_signal_thread", R::integer, {A::anything}},  // verify only
    {id::jiffies64, "bpf_jiffies64", R::integer, {}},
    {122, "bpf_get_netns_cookie", R::integer, {A::ctx_or_null}},
    {id::xdp_output, "bpf_xdp_output", R::integer,
     {A::ctx, A::const_map_ptr, A::anything, A::mem, A::const_size_or_zero}},
    {id::ktime_get_boot_ns, "bpf_ktime_get_boot_ns", R::integer, {}},
    {id::redirect_neigh, "bpf_redirect_neigh", R::integer, {A::anything, A::mem_or_null, A::const_size_or_zero, A::anything}},
    {id::redirect_peer, "bpf_redirect_peer", R::integer, {A::anything, A::anything}},
    {id::ktime_get_coarse_ns, "bpf_ktime_get_coarse_ns", R::integer, {}},
    {id::ringbuf_output, "bpf_ringbuf_output", R::integer,
     {A::const_map_ptr, A::mem, A::const_size_or_zero, A::anything}},
    {id::ringbuf_reserve, "bpf_ringbuf_reserve", R::ringbuf_mem_or_null,
     {A::const_map_ptr, A::const_size, A::anything}},
    {id::ringbuf_submit, "bpf_ringbuf_submit", R::void_, {A::ringbuf_mem, A::anything}},
    {id::ringbuf_discard, "bpf_ringbuf_discard", R::void_, {A::ringbuf_mem, A::anything}},
    {id::ringbuf_query, "bpf_ringbuf_query", R::integer, {A::const_map_ptr, A::anything}},
    {id::for_each_map_elem, "bpf_for_each_map_elem", R::integer,
     {A::const_map_ptr, A::func, A::stack_or_null, A::anything}},
    {id::snprintf, "bpf_snprintf", R::integer,
     {A::uninit_mem, A::const_size_or_zero, A::const_str, A::mem_or_null, A::const_size_or_zero}},
    {id::trace_vprintk, "bpf_trace_vprintk", R::integer, {A::mem, A::const_size, A::mem_or_null, A::const_size_or_zero}},
    {id::loop, "bpf_loop", R::integer, {A::anything, A::func, A::stack_or_null, A::anything}},
    {id::strncmp, "bpf_strncmp", R::integer, {A::mem, A::const_size, A::const_str}},
    {id::xdp_get_buff_len, "bpf_xdp_get_buff_len", R::integer, {A::ctx}},
    {id::xdp_load_bytes, "bpf_xdp_load_bytes", R::integer, {A::ctx, A::anything, A::uninit_mem, A::const_size}},
    {id::xdp_store_bytes, "bpf_xdp_store_bytes", R::integer, {A::ctx, A::anything, A::mem, A::const_size}},
};

// Helpers every program type may call.
#define EBPF_BASE_HELPERS                                                                      \
    id::map_lookup_elem, id::map_update_elem, id::map_delete_elem, id::ktime_get_ns,           \
        id::trace_printk, id::get_prandom_u32, id::get_smp_processor_id, id::tail_call,        \
        id::get_current_pid_tgid, id::map_push_elem, id::map_pop_elem, id::map_peek_elem,      \
        id::ktime_get_boot_ns, id::ringbuf_output, id::ringbuf_reserve, id::ringbuf_submit,    \
        id::ringbuf_discard, id::ringbuf_query, id::for_each_map_elem, id::snprintf, id::loop, \
        id::strncmp, id::spin_lock, id::spin_unlock, id::ktime_get_coarse_ns, id::trace_vprintk, id::jiffies64
#define EBPF_COMMON_HELPERS EBPF_BASE_HELPERS, id::csum_diff

constexpr int32_t kCommonHelpers[] = {EBPF_COMMON_HELPERS};
constexpr int32_t kXdpHelpers[] = {EBPF_COMMON_HELPERS, id::xdp_adjust_head, id::xdp_adjust_tail,
                                   id::xdp_adjust_meta, id::fib_lookup, id::xdp_get_buff_len,
                                   id::xdp_load_bytes, id::xdp_store_bytes, id::redirect,
                                   id::perf_event_output, id::redirect_map};
// Linux tc_cls_act_func_proto (the helpers implemented here).
constexpr int32_t kTcHelpers[] = {EBPF_COMMON_HELPERS, id::skb_store_bytes, id::l3_csum_replace,
                                  id::l4_csum_replace, id::get_cgroup_classid, id::skb_vlan_push,
                                  id::skb_vlan_pop, id::skb_load_bytes, id::skb_change_proto,
                                  id::skb_change_type, id::get_hash_recalc, id::skb_change_tail,
                                  id::skb_pull_data, id::skb_change_head, id::skb_adjust_room,
                                  id::skb_load_bytes_relative, id::fib_lookup, id::skb_ecn_set_ce,
                                  id::clone_redirect, id::redirect, id::perf_event_output,
                                  id::redirect_neigh, id::redirect_peer, id::skb_get_tunnel_key, id::skb_set_tunnel_key,
                                  id::skb_get_tunnel_opt, id::skb_set_tunnel_opt, id::skb_under_cgroup};
// cgroup_sock_addr: Linux sock_addr_func_proto's helpers the runtime has,
// with the socket and namespace cookies (socket_helpers.cpp).
constexpr int32_t kSockAddrHelpers[] = {EBPF_COMMON_HELPERS, 46 /* get_socket_cookie */, 122 /* get_netns_cookie */};
// Linux sk_filter_func_proto: reads only (no bpf_csum_diff either).
constexpr int32_t kSocketFilterHelpers[] = {EBPF_BASE_HELPERS, id::skb_load_bytes, id::skb_load_bytes_relative};
#undef EBPF_COMMON_HELPERS
#undef EBPF_BASE_HELPERS

// Linux bpf_helper_changes_pkt_data, for the helpers Linux has.
constexpr int32_t kChangesPacketData[] = {
    id::skb_store_bytes, id::l3_csum_replace, id::l4_csum_replace, id::clone_redirect, id::skb_vlan_push,
    id::skb_vlan_pop, id::skb_change_proto, id::skb_change_tail, id::skb_pull_data, id::skb_change_head,
    id::xdp_adjust_head, id::skb_adjust_room, id::xdp_adjust_meta, id::xdp_adjust_tail,
    63 /* msg_pull_data */, 73 /* lwt_push_encap */, 74 /* lwt_seg6_store_bytes */, 75 /* lwt_seg6_adjust_srh */,
    76 /* lwt_seg6_action */, 90 /* msg_push_data */, 91 /* msg_pop_data */};

// The helpers Linux (6.18, probed with scripts/corpus/kernel_types_probe.py)
// gives each program type the runtime cannot run, by ID. IDs without a
// prototype above are refused by the verifier as unsupported, by name.
// Tracing (kprobe, tracepoint, raw_tracepoint): bpf_tracing_func_proto.
constexpr int32_t kTracingHelpers[] = {
    1, 2, 3, 4, 5, 6, 7, 8, 12, 14, 15, 16, 17, 22, 25, 27, 35, 37, 42, 45, 55, 67, 80, 87, 88, 89, 93, 94,
    105, 106, 109, 112, 113, 114, 115, 117, 118, 120, 123, 125, 130, 131, 132, 133, 134, 141, 148, 149, 153,
    154, 156, 157, 158, 164, 165, 169, 170, 171, 172, 173, 174, 175, 176, 177, 180, 181, 182, 191, 194, 195,
    197, 198, 199, 200, 201, 202, 203, 208, 209, 210, 211};
// kprobe adds bpf_override_return (58) where the kernel allows error injection.
constexpr int32_t kKprobeHelpers[] = {
    1, 2, 3, 4, 5, 6, 7, 8, 12, 14, 15, 16, 17, 22, 25, 27, 35, 37, 42, 45, 55, 58, 67, 80, 87, 88, 89, 93, 94,
    105, 106, 109, 112, 113, 114, 115, 117, 118, 120, 123, 125, 130, 131, 132, 133, 134, 141, 148, 149, 153,
    154, 156, 157, 158, 164, 165, 169, 170, 171, 172, 173, 174, 175, 176, 177, 180, 181, 182, 191, 194, 195,
    197, 198, 199, 200, 201, 202, 203, 208, 209, 210, 211};
constexpr int32_t kPerfEventHelpers[] = {
    1, 2, 3, 4, 5, 6, 7, 8, 12, 14, 15, 16, 17, 22, 25, 27, 35, 37, 42, 45, 55, 56, 67, 80, 87, 88, 89, 93, 94,
    105, 106, 109, 112, 113, 114, 115, 117, 118, 119, 120, 123, 125, 130, 131, 132, 133, 134, 141, 148, 149,
    153, 154, 156, 157, 158, 164, 165, 169, 170, 171, 172, 173, 174, 175, 176, 177, 180, 181, 182, 191, 194,
    195, 197, 198, 199, 200, 201, 202, 203, 208, 209, 210, 211};
constexpr int32_t kSockOpsHelpers[] = {
    1, 2, 3, 5, 6, 7, 8, 12, 14, 15, 16, 17, 22, 25, 35, 37, 42, 46, 49, 53, 55, 57, 59, 70, 80, 81, 87, 88,
    89, 93, 94, 96, 105, 106, 107, 108, 109, 112, 113, 114, 115, 117, 118, 120, 122, 123, 125, 130, 131, 132,
    133, 134, 136, 137, 138, 139, 140, 141, 142, 143, 144, 148, 149, 153, 154, 156, 157, 158, 160, 164, 165,
    169, 170, 171, 172, 175, 176, 177, 178, 180, 181, 182, 191, 194, 195, 196, 197, 198, 199, 200, 201, 202,
    203, 208, 209, 210, 211};
constexpr int32_t kCgroupSkbHelpers[] = {
    1, 2, 3, 5, 6, 7, 8, 12, 14, 15, 16, 17, 22, 25, 26, 35, 37, 42, 46, 47, 55, 68, 79, 80, 81, 83, 84, 85,
    86, 87, 88, 89, 93, 94, 95, 96, 97, 98, 99, 105, 106, 107, 108, 109, 112, 113, 114, 115, 117, 118, 120,
    122, 123, 125, 128, 129, 130, 131, 132, 133, 134, 136, 137, 138, 139, 140, 141, 148, 149, 153, 154, 156,
    157, 158, 160, 164, 165, 169, 170, 171, 172, 175, 176, 177, 178, 180, 181, 182, 191, 194, 195, 196, 197,
    198, 199, 200, 201, 202, 203, 208, 209, 210, 211};
constexpr int32_t kCgroupSockHelpers[] = {
    1, 2, 3, 5, 6, 7, 8, 12, 14, 15, 16, 17, 22, 25, 35, 37, 42, 46, 55, 80, 81, 87, 88, 89, 93, 94, 105, 106,
    107, 109, 112, 113, 114, 115, 117, 118, 120, 122, 123, 125, 130, 131, 132, 133, 134, 141, 148, 149, 153,
    154, 156, 157, 158, 160, 164, 165, 169, 170, 171, 172, 175, 176, 177, 180, 181, 182, 186, 187, 191, 194,
    195, 197, 198, 199, 200, 201, 202, 203, 208, 209, 210, 211};
// cgroup/getsockopt and setsockopt. Linux gives setsockopt programs
// bpf_setsockopt (49) and bpf_getsockopt (57) taking the socket (ctx->sk),
// not the context as sock_ops does; our one prototype per helper takes the
// context, so they stay out (refused) rather than verified wrongly.
constexpr int32_t kGetsockoptHelpers[] = {
    1, 2, 3, 5, 6, 7, 8, 12, 14, 15, 16, 17, 22, 25, 35, 37, 42, 55, 80, 81, 87, 88, 89, 93, 94, 96, 105,
    106, 107, 108, 109, 112, 113, 114, 115, 117, 118, 120, 122, 123, 125, 130, 131, 132, 133, 134, 141, 148,
    149, 153, 154, 156, 157, 158, 164, 165, 169, 170, 171, 172, 175, 176, 177, 180, 181, 182, 186, 187, 191,
    194, 195, 197, 198, 199, 200, 201, 202, 203, 208, 209, 210, 211};
constexpr int32_t kSkSkbHelpers[] = {
    1, 2, 3, 5, 6, 7, 8, 9, 12, 14, 15, 16, 17, 22, 25, 26, 35, 37, 38, 39, 42, 43, 46, 47, 50, 52, 55, 72, 80,
    84, 85, 86, 87, 88, 89, 93, 94, 99, 105, 106, 109, 112, 113, 114, 115, 117, 118, 120, 123, 125, 130, 131,
    132, 133, 134, 136, 137, 138, 139, 140, 141, 148, 149, 153, 154, 156, 157, 158, 160, 164, 165, 169, 170,
    171, 172, 175, 176, 177, 178, 180, 181, 182, 191, 194, 195, 196, 197, 198, 199, 200, 201, 202, 203, 208,
    209, 210, 211};
constexpr int32_t kSkMsgHelpers[] = {
    1, 2, 3, 5, 6, 7, 8, 12, 14, 15, 16, 17, 22, 25, 35, 37, 42, 55, 60, 61, 62, 63, 71, 80, 87, 88, 89, 90,
    91, 93, 94, 105, 106, 107, 108, 109, 112, 113, 114, 115, 117, 118, 120, 122, 123, 125, 130, 131, 132, 133,
    134, 136, 137, 138, 139, 140, 141, 148, 149, 153, 154, 156, 157, 158, 160, 164, 165, 169, 170, 171, 172,
    175, 176, 177, 178, 180, 181, 182, 191, 194, 195, 196, 197, 198, 199, 200, 201, 202, 203, 208, 209, 210,
    211};
constexpr int32_t kFlowDissectorHelpers[] = {
    1, 2, 3, 5, 6, 7, 8, 12, 14, 15, 16, 17, 22, 26, 35, 37, 42, 55, 80, 87, 88, 89, 93, 94, 105, 106, 109,
    112, 113, 114, 115, 117, 118, 120, 123, 125, 130, 131, 132, 133, 134, 136, 137, 138, 139, 140, 141, 148,
    149, 153, 154, 156, 157, 158, 160, 164, 165, 169, 170, 171, 172, 175, 176, 177, 178, 180, 181, 182, 191,
    194, 195, 196, 197, 198, 199, 200, 201, 202, 203, 208, 209, 210, 211};
// lwt_in and lwt_out; lwt_in adds bpf_lwt_push_encap (73).
constexpr int32_t kLwtInHelpers[] = {
    1, 2, 3, 5, 6, 7, 8, 12, 14, 15, 16, 17, 22, 24, 25, 26, 28, 33, 34, 35, 37, 39, 42, 55, 73, 80, 87, 88,
    89, 93, 94, 105, 106, 109, 112, 113, 114, 115, 117, 118, 120, 123, 125, 130, 131, 132, 133, 134, 136, 137,
    138, 139, 140, 141, 148, 149, 153, 154, 156, 157, 158, 160, 164, 165, 169, 170, 171, 172, 175, 176, 177,
    178, 180, 181, 182, 191, 194, 195, 196, 197, 198, 199, 200, 201, 202, 203, 208, 209, 210, 211};
constexpr int32_t kLwtOutHelpers[] = {
    1, 2, 3, 5, 6, 7, 8, 12, 14, 15, 16, 17, 22, 24, 25, 26, 28, 33, 34, 35, 37, 39, 42, 55, 80, 87, 88, 89,
    93, 94, 105, 106, 109, 112, 113, 114, 115, 117, 118, 120, 123, 125, 130, 131, 132, 133, 134, 136, 137, 138,
    139, 140, 141, 148, 149, 153, 154, 156, 157, 158, 160, 164, 165, 169, 170, 171, 172, 175, 176, 177, 178,
    180, 181, 182, 191, 194, 195, 196, 197, 198, 199, 200, 201, 202, 203, 208, 209, 210, 211};
constexpr int32_t kLwtXmitHelpers[] = {
    1, 2, 3, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15, 16, 17, 20, 21, 22, 23, 24, 25, 26, 28, 29, 30, 33, 34,
    35, 37, 38, 39, 40, 41, 42, 43, 55, 73, 80, 87, 88, 89, 93, 94, 105, 106, 109, 112, 113, 114, 115, 117,
    118, 120, 123, 125, 130, 131, 132, 133, 134, 135, 136, 137, 138, 139, 140, 141, 148, 149, 153, 154, 156,
    157, 158, 160, 164, 165, 169, 170, 171, 172, 175, 176, 177, 178, 180, 181, 182, 191, 194, 195, 196, 197,
    198, 199, 200, 201, 202, 203, 208, 209, 210, 211};
constexpr int32_t kLwtSeg6Helpers[] = {
    1, 2, 3, 5, 6, 7, 8, 12, 14, 15, 16, 17, 22, 24, 25, 26, 28, 33, 34, 35, 37, 39, 42, 55, 74, 75, 76, 80,
    87, 88, 89, 93, 94, 105, 106, 109, 112, 113, 114, 115, 117, 118, 120, 123, 125, 130, 131, 132, 133, 134,
    136, 137, 138, 139, 140, 141, 148, 149, 153, 154, 156, 157, 158, 160, 164, 165, 169, 170, 171, 172, 175,
    176, 177, 178, 180, 181, 182, 191, 194, 195, 196, 197, 198, 199, 200, 201, 202, 203, 208, 209, 210, 211};
constexpr int32_t kCgroupDeviceHelpers[] = {
    1, 2, 3, 5, 6, 7, 8, 12, 14, 15, 16, 17, 22, 25, 35, 37, 42, 55, 80, 81, 87, 88, 89, 93, 94, 105, 106, 109,
    112, 113, 114, 115, 117, 118, 120, 123, 125, 130, 131, 132, 133, 134, 141, 148, 149, 153, 154, 156, 157,
    158, 164, 165, 169, 170, 171, 172, 175, 176, 177, 180, 181, 182, 186, 187, 191, 194, 195, 197, 198, 199,
    200, 201, 202, 203, 208, 209, 210, 211};
constexpr int32_t kCgroupSysctlHelpers[] = {
    1, 2, 3, 5, 6, 7, 8, 12, 14, 15, 16, 17, 22, 25, 35, 37, 42, 55, 80, 81, 87, 88, 89, 93, 94, 101, 102, 103,
    104, 105, 106, 109, 112, 113, 114, 115, 117, 118, 120, 123, 125, 130, 131, 132, 133, 134, 141, 148, 149,
    153, 154, 156, 157, 158, 160, 164, 165, 169, 170, 171, 172, 175, 176, 177, 180, 181, 182, 186, 187, 191,
    194, 195, 197, 198, 199, 200, 201, 202, 203, 208, 209, 210, 211};
// (bpf_get_socket_cookie (46) takes a socket here, not the context: left out.)
constexpr int32_t kSkReuseportHelpers[] = {
    1, 2, 3, 5, 6, 7, 8, 12, 14, 15, 16, 17, 22, 26, 35, 37, 42, 55, 68, 80, 82, 87, 88, 89, 93, 94, 105,
    106, 109, 112, 113, 114, 115, 117, 118, 120, 123, 125, 130, 131, 132, 133, 134, 141, 148, 149, 153, 154,
    156, 157, 158, 160, 164, 165, 169, 170, 171, 172, 175, 176, 177, 180, 181, 182, 191, 194, 195, 197, 198,
    199, 200, 201, 202, 203, 208, 209, 210, 211};
constexpr int32_t kSkLookupHelpers[] = {
    1, 2, 3, 5, 6, 7, 8, 12, 14, 15, 16, 17, 22, 25, 35, 37, 42, 55, 80, 86, 87, 88, 89, 93, 94, 105, 106, 109,
    112, 113, 114, 115, 117, 118, 120, 123, 124, 125, 130, 131, 132, 133, 134, 136, 137, 138, 139, 140, 141,
    148, 149, 153, 154, 156, 157, 158, 160, 164, 165, 169, 170, 171, 172, 175, 176, 177, 178, 180, 181, 182,
    191, 194, 195, 196, 197, 198, 199, 200, 201, 202, 203, 208, 209, 210, 211};

using K = CtxFieldKind;
// struct xdp_md (Linux): u32 data, data_end, data_meta, ingress_ifindex, rx_queue_index, egress_ifindex.
// At run time they live in XdpRuntimeContext, the pointers as 8 bytes.
// Linux reads every field whole (4 bytes).
constexpr CtxField kXdpFields[] = {
    {0, 4, K::packet, false, 0, 8},      {4, 4, K::packet_end, false, 8, 8},
    {8, 4, K::packet_meta, false, 16, 8}, {12, 4, K::scalar, false, 24, 4, 4, 4, 0},
    {16, 4, K::scalar, false, 28, 4, 4, 4, 0}, {20, 4, K::scalar, false, 32, 4, 4, 4, 0},
};
// struct __sk_buff (Linux), as net/core/filter.c's bpf_skb_is_valid_access,
// tc_cls_act_is_valid_access and sk_filter_is_valid_access allow it: numbers
// are read with 1, 2 or 4 bytes (aligned) and written with 4, cb[] with any
// aligned size, tstamp/hwtstamp only as 8 bytes; family .. local_port (sk_skb
// only), flow_keys and sk are not offered. The packet pointers (tc only) are
// read as 8-byte pointers from SkbRuntimeContext; every number keeps its offset.
// EBPF_SKB_FIELD(offset, size, writable, min_read, max_read, write_sizes)
#define EBPF_SKB_FIELD(off, size, writable, min, max, writes) {off, size, K::scalar, writable, off, size, min, max, writes}
#define EBPF_SKB_COMMON_FIELDS(tc)                                                                     \
    EBPF_SKB_FIELD(0, 4, false, 1, 4, 0),         /* len */                                    \
    EBPF_SKB_FIELD(4, 4, false, 1, 4, 0),         /* pkt_type */                               \
    EBPF_SKB_FIELD(8, 4, tc, 1, 4, 4),        /* mark */                                   \
    EBPF_SKB_FIELD(12, 4, tc, 1, 4, 4),       /* queue_mapping */                          \
    EBPF_SKB_FIELD(16, 4, false, 1, 4, 0),        /* protocol */                               \
    EBPF_SKB_FIELD(20, 4, false, 1, 4, 0),        /* vlan_present */                           \
    EBPF_SKB_FIELD(24, 4, false, 1, 4, 0),        /* vlan_tci */                               \
    EBPF_SKB_FIELD(28, 4, false, 1, 4, 0),        /* vlan_proto */                             \
    EBPF_SKB_FIELD(32, 4, tc, 1, 4, 4),       /* priority */                               \
    EBPF_SKB_FIELD(36, 4, false, 1, 4, 0),        /* ingress_ifindex */                        \
    EBPF_SKB_FIELD(40, 4, false, 1, 4, 0),        /* ifindex */                                \
    EBPF_SKB_FIELD(44, 4, tc, 1, 4, 4),       /* tc_index */                               \
    EBPF_SKB_FIELD(48, 20, true, 1, 8, 1 | 2 | 4 | 8),        /* cb[5] */                                  \
    EBPF_SKB_FIELD(68, 4, false, 1, 4, 0)         /* hash */
constexpr CtxField kSkbTcFields[] = {
    EBPF_SKB_COMMON_FIELDS(true),
    EBPF_SKB_FIELD(72, 4, true, 1, 4, 4),     // tc_classid
    {76, 4, K::packet, false, 192, 8, 4, 4, 0},     // data
    {80, 4, K::packet_end, false, 200, 8, 4, 4, 0}, // data_end
    EBPF_SKB_FIELD(84, 4, false, 1, 4, 0),        // napi_id
    {140, 4, K::packet_meta, false, 208, 8, 4, 4, 0}, // data_meta
    EBPF_SKB_FIELD(152, 8, true, 8, 8, 8),        // tstamp
    EBPF_SKB_FIELD(160, 4, false, 1, 4, 0),       // wire_len
    EBPF_SKB_FIELD(164, 4, false, 1, 4, 0),       // gso_segs
    EBPF_SKB_FIELD(176, 4, false, 1, 4, 0),       // gso_size
    EBPF_SKB_FIELD(180, 1, false, 1, 1, 0),         // tstamp_type
    EBPF_SKB_FIELD(184, 8, false, 8, 8, 0),          // hwtstamp
};
// Socket filters: no packet pointers (no direct packet access, as Linux),
// only cb[] is writable.
constexpr CtxField kSkbSocketFields[] = {
    EBPF_SKB_COMMON_FIELDS(false),
    EBPF_SKB_FIELD(84, 4, false, 1, 4, 0),        // napi_id
    EBPF_SKB_FIELD(164, 4, false, 1, 4, 0),       // gso_segs
    EBPF_SKB_FIELD(176, 4, false, 1, 4, 0),       // gso_size
};
#undef EBPF_SKB_COMMON_FIELDS
#undef EBPF_SKB_FIELD
// struct bpf_sock_addr (Linux): user_family, user_ip4 (rw), user_ip6[4] (rw),
// user_port (rw), family, type, protocol, msg_src_ip4 (rw), msg_src_ip6[4] (rw), sk.
// The runtime passes struct bpf_sock_addr itself (no pointer fields are exposed).
constexpr CtxField kSockAddrFields[] = {
    {0, 4, K::scalar, false, 0, 4},   {4, 4, K::scalar, true, 4, 4},
    {8, 16, K::scalar, true, 8, 16},  {24, 4, K::scalar, true, 24, 4},
    {28, 4, K::scalar, false, 28, 4}, {32, 4, K::scalar, false, 32, 4},
    {36, 4, K::scalar, false, 36, 4}, {40, 4, K::scalar, true, 40, 4},
    {44, 16, K::scalar, true, 44, 16},
};

// Context layouts of the types the runtime only verifies, as Linux's
// *_is_valid_access allows them (checked against the kernel with
// scripts/corpus/kernel_types_probe.py). Nothing rewrites them, so the
// runtime layout is the program's. ro: readable with reads of min..max bytes;
// rw: also writable with stores of exactly `size` bytes; ptr: a pointer.
constexpr CtxField ro(uint32_t off, uint32_t size, uint8_t min_read = 1, uint8_t max_read = 8) {
    return {off, size, K::scalar, false, off, size, min_read, max_read, 0};
}
constexpr CtxField rw(uint32_t off, uint32_t size, uint8_t min_read = 1) {
    return {off, size, K::scalar, true, off, size, min_read, 8, static_cast<uint8_t>(size)};
}
constexpr CtxField ptr(uint32_t off, uint32_t size, CtxFieldKind kind) {
    return {off, size, kind, false, off, size, static_cast<uint8_t>(size), static_cast<uint8_t>(size), 0};
}
// The registers a kprobe and a perf_event program read are the host's
// (bpf_user_pt_regs_t, what bpf_tracing.h's PT_REGS_* read for
// __TARGET_ARCH_x86 or _arm64): x86-64's struct pt_regs, 21 registers; on
// AArch64 struct user_pt_regs, x0-x30, sp, pc and pstate (Linux allows reads
// up to its larger kernel struct pt_regs there; we stop at what programs see).
#if defined(__aarch64__)
constexpr uint32_t kPtRegsSize = 272;
#else
constexpr uint32_t kPtRegsSize = 168;
#endif
// struct pt_regs: read-only, any aligned size.
constexpr CtxField kPtRegsFields[] = {ro(0, kPtRegsSize)};
// A tracepoint's raw record: its size is the event's, known only to the
// kernel, which allows reads of [8, PERF_MAX_TRACE_SIZE) (the first 8 bytes
// are the common header; PERF_MAX_TRACE_SIZE is 8192 since Linux 6.3, 2048
// before). Read-only.
constexpr CtxField kTracepointFields[] = {ro(8, 8184)};
// struct bpf_raw_tracepoint_args: up to 12 u64 arguments.
constexpr CtxField kRawTracepointFields[] = {ro(0, 96)};
// struct bpf_perf_event_data: regs (whole u64 reads only), sample_period, addr.
constexpr CtxField kPerfEventFields[] = {ro(0, kPtRegsSize, 8), ro(kPtRegsSize, 8), ro(kPtRegsSize + 8, 8)};
// struct bpf_sock_ops: u32 fields read whole; reply/replylong[0] (4) and
// sk_txhash (164) writable; bytes_received/acked u64; sk, skb_data, skb_data_end pointers.
constexpr CtxField kSockOpsFields[] = {
    ro(0, 4, 4, 4),  rw(4, 4, 4),         ro(8, 156, 4, 4), rw(164, 4, 4),
    ro(168, 16, 8),  ptr(184, 8, K::sock_or_null), ptr(192, 8, K::packet), ptr(200, 8, K::packet_end),
    ro(208, 4, 4),   ro(212, 4),
};
// __sk_buff.cb[0..1] (any store size) and cb[2..4] (stores of up to 4 bytes).
constexpr CtxField kCb01{48, 16, K::scalar, true, 48, 16, 1, 8, 1 | 2 | 4 | 8};
constexpr CtxField kCb2{64, 4, K::scalar, true, 64, 4, 1, 4, 1 | 2 | 4};
// struct __sk_buff as cgroup_skb sees it: mark, priority and cb[] writable.
constexpr CtxField kCgroupSkbFields[] = {
    ro(0, 8, 1, 4),   rw(8, 4),       ro(12, 20, 1, 4), rw(32, 4),        ro(36, 12, 1, 4),
    kCb01,            kCb2,
    ro(68, 4),        ptr(76, 4, K::packet), ptr(80, 4, K::packet_end), ro(84, 8, 1, 4),
    ro(92, 40, 4, 4), ro(132, 8, 1, 4), rw(152, 8, 8), ro(164, 4), ptr(168, 8, K::sock_common_or_null),
    ro(176, 4), ro(184, 8, 8),
};
// struct __sk_buff as sk_skb sees it: priority and tc_index writable.
constexpr CtxField kSkSkbFields[] = {
    ro(0, 8, 1, 4),   ro(12, 20, 1, 4), rw(32, 4),      ro(36, 8, 1, 4), rw(44, 4),
    ro(48, 16, 1, 8), ro(64, 8, 1, 4),  ptr(76, 4, K::packet), ptr(80, 4, K::packet_end), ro(84, 8, 1, 4),
    ro(92, 40, 4, 4), ro(132, 8, 1, 4), ro(164, 4), ptr(168, 8, K::sock_common_or_null), ro(176, 4),
};
// struct __sk_buff as lwt_* see it: mark, priority and cb[] writable.
constexpr CtxField kLwtFields[] = {
    ro(0, 8, 1, 4), rw(8, 4), ro(12, 20, 1, 4), rw(32, 4), ro(36, 12, 1, 4), kCb01, kCb2, ro(68, 4), ptr(76, 4, K::packet), ptr(80, 4, K::packet_end),
    ro(84, 4), ro(164, 4), ptr(168, 8, K::sock_common_or_null), ro(176, 4),
};
// struct __sk_buff as flow_dissector sees it: data, data_end and flow_keys only.
constexpr CtxField kFlowDissectorFields[] = {
    ptr(76, 4, K::packet), ptr(80, 4, K::packet_end), ptr(144, 8, K::flow_keys)};
// struct bpf_sock (cgroup/sock_create, sock_release): bound_dev_if, mark, priority writable.
constexpr CtxField kCgroupSockFields[] = {
    rw(0, 4, 4), ro(4, 12, 1, 4), rw(16, 4, 4), rw(20, 4, 4), ro(48, 32, 1, 4)};
// struct bpf_sock after bind (cgroup/post_bind4|6): read-only, the local address readable too.
constexpr CtxField kCgroupSockPostBind4Fields[] = {ro(4, 12, 1, 4), ro(24, 4, 1, 4), ro(44, 36, 1, 4)};
constexpr CtxField kCgroupSockPostBind6Fields[] = {ro(4, 12, 1, 4), ro(28, 52, 1, 4)};
// struct bpf_sockopt: sk, optval, optval_end pointers; level, optname, optlen, retval.
constexpr CtxField kSockoptGetFields[] = {
    ptr(0, 8, K::sock), ptr(8, 8, K::packet), ptr(16, 8, K::packet_end), ro(24, 8, 4, 4), rw(32, 4, 4),
    rw(36, 4, 4)};
constexpr CtxField kSockoptSetFields[] = {
    ptr(0, 8, K::sock), ptr(8, 8, K::packet), ptr(16, 8, K::packet_end), rw(24, 4, 4), rw(28, 4, 4),
    rw(32, 4, 4)};
// struct sk_msg_md: data, data_end, sk pointers; the rest u32, read whole.
constexpr CtxField kSkMsgFields[] = {
    ptr(0, 8, K::packet), ptr(8, 8, K::packet_end), ro(16, 56, 4, 4), ptr(72, 8, K::sock)};
// struct bpf_cgroup_dev_ctx: access_type, major, minor.
constexpr CtxField kCgroupDeviceFields[] = {ro(0, 4), ro(4, 8, 4, 4)};
// struct bpf_sysctl: write, file_pos (writable).
constexpr CtxField kCgroupSysctlFields[] = {ro(0, 4), {4, 4, K::scalar, true, 4, 4, 1, 4, 4}};
// struct sk_reuseport_md.
constexpr CtxField kSkReuseportFields[] = {
    ptr(0, 8, K::packet), ptr(8, 8, K::packet_end), ro(16, 4, 1, 4), ro(20, 4, 2, 4), ro(24, 8, 1, 4),
    ro(32, 4, 4, 4), ptr(40, 8, K::sock), ptr(48, 8, K::sock_common_or_null)};
// struct bpf_sk_lookup: sk (or NULL), then u32 fields.
constexpr CtxField kSkLookupFields[] = {ptr(0, 8, K::sock_or_null), ro(8, 60, 1, 4)};

static_assert(offsetof(SkbRuntimeContext, cb) == 48 && offsetof(SkbRuntimeContext, hash) == 68 &&
              offsetof(SkbRuntimeContext, napi_id) == 84 && offsetof(SkbRuntimeContext, tstamp) == 152 &&
              offsetof(SkbRuntimeContext, gso_size) == 176 && offsetof(SkbRuntimeContext, tstamp_type) == 180 &&
              offsetof(SkbRuntimeContext, hwtstamp) == 184 && offsetof(SkbRuntimeContext, data) == kSkBuffSize &&
              offsetof(SkbRuntimeContext, data_end) == 200 && offsetof(SkbRuntimeContext, data_meta) == 208,
              "SkbRuntimeContext keeps struct __sk_buff's offsets");

const ProgramTypeInfo kProgramTypes[] = {
    {ProgramType::xdp, "xdp", 24, kXdpFields, false, 0, 4, kXdpHelpers, sizeof(XdpRuntimeContext), "struct xdp_md"},
    // tc and socket filters: Linux checks no return range; the verdict is the
    // low 32 bits of R0 (an int for tc: TC_ACT_UNSPEC is -1; a length for socket filters).
    {ProgramType::sched_cls, "sched_cls", 192, kSkbTcFields, false, INT64_MIN, INT64_MAX, kTcHelpers, sizeof(SkbRuntimeContext), "struct __sk_buff"},
    {ProgramType::sched_act, "sched_act", 192, kSkbTcFields, false, INT64_MIN, INT64_MAX, kTcHelpers, sizeof(SkbRuntimeContext), "struct __sk_buff"},
    {ProgramType::socket_filter, "socket_filter", 192, kSkbSocketFields, false, INT64_MIN, INT64_MAX, kSocketFilterHelpers, sizeof(SkbRuntimeContext), "struct __sk_buff"},
    {ProgramType::cgroup_sock_addr, "cgroup_sock_addr", 72, kSockAddrFields, false, 0, 1, kSockAddrHelpers, 72, "struct bpf_sock_addr"},
    // Verified with Linux's rules; the runtime has no hook to run them.
    {ProgramType::kprobe, "kprobe", kPtRegsSize, kPtRegsFields, false, INT64_MIN, INT64_MAX, kKprobeHelpers, 0, "struct pt_regs"},
    {ProgramType::tracepoint, "tracepoint", 8192, kTracepointFields, false, INT64_MIN, INT64_MAX, kTracingHelpers, 0, "the event's record"},
    {ProgramType::perf_event, "perf_event", kPtRegsSize + 16, kPerfEventFields, false, INT64_MIN, INT64_MAX, kPerfEventHelpers, 0, "struct bpf_perf_event_data"},
    {ProgramType::cgroup_skb, "cgroup_skb", 192, kCgroupSkbFields, false, 0, 1, kCgroupSkbHelpers, 0, "struct __sk_buff"},
    {ProgramType::cgroup_sock, "cgroup_sock", 80, kCgroupSockFields, false, 0, 1, kCgroupSockHelpers, 0, "struct bpf_sock"},
    {ProgramType::lwt_in, "lwt_in", 192, kLwtFields, false, INT64_MIN, INT64_MAX, kLwtInHelpers, 0, "struct __sk_buff"},
    {ProgramType::lwt_out, "lwt_out", 192, kLwtFields, false, INT64_MIN, INT64_MAX, kLwtOutHelpers, 0, "struct __sk_buff"},
    {ProgramType::lwt_xmit, "lwt_xmit", 192, kLwtFields, false, INT64_MIN, INT64_MAX, kLwtXmitHelpers, 0, "struct __sk_buff"},
    {ProgramType::sock_ops, "sock_ops", 216, kSockOpsFields, false, 0, 1, kSockOpsHelpers, 0, "struct bpf_sock_ops"},
    {ProgramType::sk_skb, "sk_skb", 192, kSkSkbFields, false, INT64_MIN, INT64_MAX, kSkSkbHelpers, 0, "struct __sk_buff"},
    {ProgramType::cgroup_device, "cgroup_device", 12, kCgroupDeviceFields, false, 0, 1, kCgroupDeviceHelpers, 0, "struct bpf_cgroup_dev_ctx"},
    {ProgramType::sk_msg, "sk_msg", 80, kSkMsgFields, false, INT64_MIN, INT64_MAX, kSkMsgHelpers, 0, "struct sk_msg_md"},
    {ProgramType::raw_tracepoint, "raw_tracepoint", 96, kRawTracepointFields, false, INT64_MIN, INT64_MAX, kTracingHelpers, 0, "struct bpf_raw_tracepoint_args"},
    {ProgramType::lwt_seg6local, "lwt_seg6local", 192, kLwtFields, false, INT64_MIN, INT64_MAX, kLwtSeg6Helpers, 0, "struct __sk_buff"},
    {ProgramType::sk_reuseport, "sk_reuseport", 56, kSkReuseportFields, false, INT64_MIN, INT64_MAX, kSkReuseportHelpers, 0, "struct sk_reuseport_md"},
    {ProgramType::flow_dissector, "flow_dissector", 192, kFlowDissectorFields, false, INT64_MIN, INT64_MAX, kFlowDissectorHelpers, 0, "struct __sk_buff"},
    {ProgramType::cgroup_sysctl, "cgroup_sysctl", 8, kCgroupSysctlFields, false, 0, 1, kCgroupSysctlHelpers, 0, "struct bpf_sysctl"},
    {ProgramType::cgroup_sockopt, "cgroup_sockopt", 40, kSockoptGetFields, false, 0, 1, kGetsockoptHelpers, 0, "struct bpf_sockopt"},
    {ProgramType::sk_lookup, "sk_lookup", 72, kSkLookupFields, false, 0, 1, kSkLookupHelpers, 0, "struct bpf_sk_lookup"},
    // Types whose context only the kernel's BTF describes: refused with the reason.
    {ProgramType::lirc_mode2, "lirc_mode2", 0, {}, false, INT64_MIN, INT64_MAX, {}, 0, "", "the context is a raw IR sample of a LIRC device; not modelled"},
    {ProgramType::raw_tracepoint_writable, "raw_tracepoint_writable", 0, {}, false, INT64_MIN, INT64_MAX, {}, 0, "", "the writable buffer's size comes from the tracepoint's kernel BTF"},
    {ProgramType::tracing, "tracing", 0, {}, false, INT64_MIN, INT64_MAX, {}, 0, "", "fentry/fexit/fmod_ret/tp_btf/iter programs are BTF-typed: their context is the traced kernel function's arguments, known only from the kernel's BTF"},
    {ProgramType::struct_ops, "struct_ops", 0, {}, false, INT64_MIN, INT64_MAX, {}, 0, "", "struct_ops programs implement kernel function pointers typed by the kernel's BTF"},
    {ProgramType::ext, "ext", 0, {}, false, INT64_MIN, INT64_MAX, {}, 0, "", "freplace programs take the type of the function they replace, known only from its BTF"},
    {ProgramType::lsm, "lsm", 0, {}, false, INT64_MIN, INT64_MAX, {}, 0, "", "LSM programs are BTF-typed: their context is the LSM hook's arguments, known only from the kernel's BTF"},
    {ProgramType::syscall, "syscall", 0, {}, false, INT64_MIN, INT64_MAX, {}, 0, "", "syscall programs are sleepable and call kernel functions (kfuncs) typed by the kernel's BTF"},
    {ProgramType::netfilter, "netfilter", 0, {}, false, INT64_MIN, INT64_MAX, {}, 0, "", "netfilter programs read struct bpf_nf_ctx, whose pointers are typed by the kernel's BTF"},
    {ProgramType::hook, "hook", 0, {}, true, INT64_MIN, INT64_MAX, kCommonHelpers, 0},
    {ProgramType::raw_memory, "raw_memory", 0, {}, true, INT64_MIN, INT64_MAX, kCommonHelpers, 0},
};
const ProgramTypeInfo kUnspec{ProgramType::unspec, "unspec", 0, {}, false, INT64_MIN, INT64_MAX, {}, 0};

// Section names as libbpf 1.x names them (its section table is the
// reference), then the bare prefixes libbpf 0.x and the kernel samples'
// bpf_load.c accepted. The first match wins: longer names first.
using P = ProgramType;
constexpr SectionRule kSections[] = {
    {"cgroup/connect4", P::cgroup_sock_addr, "connect4"},
    {"cgroup/connect6", P::cgroup_sock_addr, "connect6"},
    {"cgroup/connect_unix", P::cgroup_sock_addr, "connect_unix"},
    {"cgroup/bind4", P::cgroup_sock_addr, "bind4"},
    {"cgroup/bind6", P::cgroup_sock_addr, "bind6"},
    {"cgroup/sendmsg4", P::cgroup_sock_addr, "sendmsg4"},
    {"cgroup/sendmsg6", P::cgroup_sock_addr, "sendmsg6"},
    {"cgroup/sendmsg_unix", P::cgroup_sock_addr, "sendmsg_unix"},
    {"cgroup/recvmsg4", P::cgroup_sock_addr, "recvmsg4"},
    {"cgroup/recvmsg6", P::cgroup_sock_addr, "recvmsg6"},
    {"cgroup/recvmsg_unix", P::cgroup_sock_addr, "recvmsg_unix"},
    {"cgroup/getpeername4", P::cgroup_sock_addr, "getpeername4"},
    {"cgroup/getpeername6", P::cgroup_sock_addr, "getpeername6"},
    {"cgroup/getpeername_unix", P::cgroup_sock_addr, "getpeername_unix"},
    {"cgroup/getsockname4", P::cgroup_sock_addr, "getsockname4"},
    {"cgroup/getsockname6", P::cgroup_sock_addr, "getsockname6"},
    {"cgroup/getsockname_unix", P::cgroup_sock_addr, "getsockname_unix"},
    {"cgroup/sock_create", P::cgroup_sock, "sock_create"},
    {"cgroup/sock_release", P::cgroup_sock, "sock_release"},
    {"cgroup/sock", P::cgroup_sock, "sock_create"},
    {"cgroup/post_bind4", P::cgroup_sock, "post_bind4"},
    {"cgroup/post_bind6", P::cgroup_sock, "post_bind6"},
    {"cgroup/getsockopt", P::cgroup_sockopt, "getsockopt"},
    {"cgroup/setsockopt", P::cgroup_sockopt, "setsockopt"},
    {"cgroup/sysctl", P::cgroup_sysctl, ""},
    {"cgroup/dev", P::cgroup_device, ""},
    {"cgroup/skb", P::cgroup_skb, ""},
    {"cgroup_skb/ingress", P::cgroup_skb, "ingress"},
    {"cgroup_skb/egress", P::cgroup_skb, "egress"},
    {"xdp.frags/devmap", P::xdp, "devmap"},
    {"xdp.frags/cpumap", P::xdp, "cpumap"},
    {"xdp/devmap", P::xdp, "devmap"},
    {"xdp/cpumap", P::xdp, "cpumap"},
    {"xdp/", P::xdp, "*"},
    {"xdp", P::xdp, ""},
    {"tc/ingress", P::sched_cls, "ingress"},
    {"tc/egress", P::sched_cls, "egress"},
    {"tcx/ingress", P::sched_cls, "ingress"},
    {"tcx/egress", P::sched_cls, "egress"},
    {"tc/", P::sched_cls, "*"},
    {"tc", P::sched_cls, ""},
    {"classifier", P::sched_cls, ""},
    {"action", P::sched_act, ""},
    {"socket", P::socket_filter, ""},
    {"sk_reuseport/migrate", P::sk_reuseport, "migrate"},
    {"sk_reuseport", P::sk_reuseport, ""},
    {"kprobe/", P::kprobe, "*"},
    {"kretprobe/", P::kprobe, "*"},
    {"uprobe/", P::kprobe, "*"},
    {"uretprobe/", P::kprobe, "*"},
    {"uprobe.s/", P::kprobe, "*"},
    {"uretprobe.s/", P::kprobe, "*"},
    {"kprobe.multi/", P::kprobe, "*"},
    {"kretprobe.multi/", P::kprobe, "*"},
    {"uprobe.multi/", P::kprobe, "*"},
    {"uretprobe.multi/", P::kprobe, "*"},
    {"ksyscall/", P::kprobe, "*"},
    {"kretsyscall/", P::kprobe, "*"},
    {"usdt/", P::kprobe, "*"},
    {"kprobe", P::kprobe, ""},
    {"kretprobe", P::kprobe, ""},
    {"uprobe", P::kprobe, ""},
    {"uretprobe", P::kprobe, ""},
    {"usdt", P::kprobe, ""},
    {"tracepoint/", P::tracepoint, "*"},
    {"tp/", P::tracepoint, "*"},
    {"raw_tracepoint.w/", P::raw_tracepoint_writable, "*"},
    {"raw_tp.w/", P::raw_tracepoint_writable, "*"},
    {"raw_tracepoint/", P::raw_tracepoint, "*"},
    {"raw_tp/", P::raw_tracepoint, "*"},
    {"raw_tracepoint", P::raw_tracepoint, ""},
    {"raw_tp", P::raw_tracepoint, ""},
    {"tp_btf/", P::tracing, "*"},
    {"fentry/", P::tracing, "*"},
    {"fentry.s/", P::tracing, "*"},
    {"fexit/", P::tracing, "*"},
    {"fexit.s/", P::tracing, "*"},
    {"fmod_ret/", P::tracing, "*"},
    {"fmod_ret.s/", P::tracing, "*"},
    {"iter/", P::tracing, "*"},
    {"iter.s/", P::tracing, "*"},
    {"freplace/", P::ext, "*"},
    {"lsm/", P::lsm, "*"},
    {"lsm.s/", P::lsm, "*"},
    {"lsm_cgroup/", P::lsm, "*"},
    {"struct_ops/", P::struct_ops, "*"},
    {"struct_ops.s/", P::struct_ops, "*"},
    {"struct_ops", P::struct_ops, ""},
    {"syscall", P::syscall, ""},
    {"netfilter", P::netfilter, ""},
    {"perf_event", P::perf_event, ""},
    {"lwt_in", P::lwt_in, ""},
    {"lwt_out", P::lwt_out, ""},
    {"lwt_xmit", P::lwt_xmit, ""},
    {"lwt_seg6local", P::lwt_seg6local, ""},
    {"sockops", P::sock_ops, ""},
    {"sk_skb/stream_parser", P::sk_skb, "stream_parser"},
    {"sk_skb/stream_verdict", P::sk_skb, "stream_verdict"},
    {"sk_skb/verdict", P::sk_skb, "verdict"},
    {"sk_skb", P::sk_skb, ""},
    {"sk_msg", P::sk_msg, ""},
    {"lirc_mode2", P::lirc_mode2, ""},
    {"flow_dissector", P::flow_dissector, ""},
    {"sk_lookup", P::sk_lookup, ""},
    {"hook/", P::hook, "*"},
    {"hook", P::hook, ""},
    {"raw", P::raw_memory, ""},
    // libbpf 0.x and bpf_load.c: a bare prefix ("xdp_prog0", "xdp_sock",
    // "socket1", "classifier_ingress", "kprobe_sys_open", "cgroup/skb1").
    {"xdp", P::xdp, "", true},
    {"socket", P::socket_filter, "", true},
    {"classifier", P::sched_cls, "", true},
    {"action", P::sched_act, "", true},
    {"kprobe", P::kprobe, "", true},
    {"kretprobe", P::kprobe, "", true},
    {"uprobe", P::kprobe, "", true},
    {"uretprobe", P::kprobe, "", true},
    {"tracepoint", P::tracepoint, "", true},
    {"raw_tracepoint", P::raw_tracepoint, "", true},
    {"perf_event", P::perf_event, "", true},
    {"sockops", P::sock_ops, "", true},
    {"sk_skb", P::sk_skb, "", true},
    {"sk_msg", P::sk_msg, "", true},
    {"sk_reuseport", P::sk_reuseport, "", true},
    {"flow_dissector", P::flow_dissector, "", true},
    {"lwt_in", P::lwt_in, "", true},
    {"lwt_out", P::lwt_out, "", true},
    {"lwt_xmit", P::lwt_xmit, "", true},
    {"lwt_seg6local", P::lwt_seg6local, "", true},
    {"cgroup/skb", P::cgroup_skb, "", true},
    {"cgroup_skb", P::cgroup_skb, "", true},
    {"cgroup/sock", P::cgroup_sock, "sock_create", true},
    {"cgroup/dev", P::cgroup_device, "", true},
    {"cgroup/sysctl", P::cgroup_sysctl, "", true},
};

}  // namespace

std::optional<MapType> map_type_from_id(uint32_t id) {
    for (const auto& entry : kMapTypes) {
        if (static_cast<uint32_t>(entry.type) == id) return entry.type;
    }
    return std::nullopt;
}

std::string_view map_type_name(MapType type) {
    for (const auto& entry : kMapTypes) {
        if (entry.type == type) return entry.name;
    }
    // Linux's other map types (which the runtime cannot provide) by their names.
    std::string_view linux_name = linux_map_type_name(static_cast<uint32_t>(type));
    return linux_name.empty() ? "unspec" : linux_name;
}

bool map_type_provided(MapType type) { return map_type_from_id(static_cast<uint32_t>(type)).has_value(); }

const HelperPrototype* helper_prototype(int32_t helper) {
    for (const auto& proto : kHelpers) {
        if (proto.id == helper) return &proto;
    }
    return nullptr;
}

std::span<const HelperPrototype> helper_prototypes() { return kHelpers; }

bool helper_changes_packet_data(int32_t helper) {
    return std::find(std::begin(kChangesPacketData), std::end(kChangesPacketData), helper) != std::end(kChangesPacketData);
}

std::span<const SectionRule> section_rules() { return kSections; }

std::string_view program_type_name(ProgramType type) { return program_type_info(type).name; }

const ProgramTypeInfo& program_type_info(ProgramType type) {
    // Every program run asks (context and return-range checks): Linux's IDs
    // are small, so an index built once answers those without a scan.
    static const auto by_linux_id = [] {
        std::array<const ProgramTypeInfo*, 64> index{};
        for (const auto& info : kProgramTypes) {
            const auto id = static_cast<uint32_t>(info.type);
            if (id < index.size() && !index[id]) index[id] = &info;
        }
        return index;
    }();
    const auto id = static_cast<uint32_t>(type);
    if (id < by_linux_id.size()) return by_linux_id[id] ? *by_linux_id[id] : kUnspec;
    for (const auto& info : kProgramTypes) {
        if (info.type == type) return info;
    }
    return kUnspec;
}

std::optional<SectionType> program_type_from_section(std::string_view section) {
    for (const auto& entry : kSections) {
        if (!section.starts_with(entry.prefix)) continue;
        std::string_view rest = section.substr(entry.prefix.size());
        bool exact = rest.empty();
        if (entry.attach == "*") return SectionType{entry.type, rest};
        // "xdp" matches "xdp" and "xdp.frags"-style suffixes, not "xdpfoo"
        // (except by the legacy rules, which come last).
        if (exact || entry.legacy || rest.front() == '.' || rest.front() == '/')
            return SectionType{entry.type, entry.attach};
    }
    return std::nullopt;
}

ProgramTypeInfo program_type_info(ProgramType type, std::string_view attach) {
    ProgramTypeInfo info = program_type_info(type);
    // Linux check_return_code and *_is_valid_access by expected attach type.
    switch (type) {
    case ProgramType::cgroup_skb:
        if (attach == "egress") info.ret_max = 3;  // bit 1: congestion notification
        break;
    case ProgramType::cgroup_sock_addr:
        if (attach == "bind4" || attach == "bind6") info.ret_max = 3;  // bit 1: bypass the port check
        if (attach.starts_with("recvmsg") || attach.starts_with("getpeername") || attach.starts_with("getsockname"))
            info.ret_min = 1;  // the call cannot be refused
        break;
    case ProgramType::cgroup_sock:
        if (attach == "post_bind4") info.fields = kCgroupSockPostBind4Fields;
        if (attach == "post_bind6") info.fields = kCgroupSockPostBind6Fields;
        break;
    case ProgramType::cgroup_sockopt:
        if (attach == "setsockopt") info.fields = kSockoptSetFields;
        break;
    default:
        break;
    }
    return info;
}

std::optional<SectionType> program_type_from_name(std::string_view name) {
    if (name.empty()) return std::nullopt;
    for (const auto& info : kProgramTypes)
        if (info.name == name) return SectionType{info.type, {}};
    // bpftool's names are libbpf's section names: "socket", "classifier", "tc",
    // "cgroup/connect4" (which also gives the attach point).
    // Only a whole section name counts: the legacy bare prefixes ("xdp*",
    // "socket*") would take any word that starts with them ("xdpp").
    const bool whole = std::any_of(std::begin(kSections), std::end(kSections),
                                   [&](const SectionRule& rule) { return rule.prefix == name; });
    auto type = program_type_from_section(name);
    if (whole && type && type->type != ProgramType::unspec && (type->attach.empty() || type->attach != "*")) return type;
    return std::nullopt;
}

namespace {

// Levenshtein distance with adjacent transpositions (optimal string alignment).
size_t edit_distance(std::string_view a, std::string_view b) {
    std::vector<std::vector<size_t>> d(a.size() + 1, std::vector<size_t>(b.size() + 1));
    for (size_t i = 0; i <= a.size(); ++i) d[i][0] = i;
    for (size_t j = 0; j <= b.size(); ++j) d[0][j] = j;
    for (size_t i = 1; i <= a.size(); ++i)
        for (size_t j = 1; j <= b.size(); ++j) {
            d[i][j] = std::min({d[i - 1][j] + 1, d[i][j - 1] + 1, d[i - 1][j - 1] + (a[i - 1] != b[j - 1])});
            if (i > 1 && j > 1 && a[i - 1] == b[j - 2] && a[i - 2] == b[j - 1]) d[i][j] = std::min(d[i][j], d[i - 2][j - 2] + 1);
        }
    return d[a.size()][b.size()];
}

}  // namespace

std::string_view closest_section_name(std::string_view section) {
    if (section.size() > 64) return {};
    // "hook/name" is compared as "hook/", "xdpx/name" as "xdpx".
    std::string_view head = section.substr(0, section.find('/'));
    // libbpf's other program types are real names, not typos of ours.
    static constexpr std::string_view kOtherTypes[] = {
        "tp", "tracepoint", "raw_tp", "raw_tracepoint", "tp_btf", "kprobe", "kretprobe", "uprobe", "uretprobe",
        "usdt", "fentry", "fexit", "fmod_ret", "lsm", "iter", "perf_event", "sk_msg", "sk_skb", "sockops",
        "cgroup_skb", "lwt_in", "lwt_out", "lwt_xmit", "flow_dissector", "struct_ops", "syscall", "netfilter",
        "sk_lookup", "sk_reuseport", "ksyscall", "kretsyscall", "uprobe.multi", "kprobe.multi"};
    for (std::string_view other : kOtherTypes)
        if (head == other) return {};
    std::string_view best;
    size_t best_distance = SIZE_MAX;
    for (const auto& entry : kSections) {
        std::string_view name = entry.prefix;
        // "xdp/" (any attach point) only for names that have one.
        if (entry.attach == "*" && section.find('/') == std::string_view::npos) continue;
        std::string_view name_head = name.substr(0, name.find('/'));
        const bool has_tail = name.find('/') != std::string_view::npos;
        size_t dist = has_tail && entry.attach != "*"
                          ? edit_distance(section, name)
                          : edit_distance(head, name_head);
        if (dist < best_distance) {
            best_distance = dist;
            best = name;
        }
    }
    // A typo, not another word: at most 2 edits, and fewer than half the name.
    if (best_distance == 0 || best_distance > 2 || best_distance * 2 >= best.size()) return {};
    return best;
}

}  // namespace ebpf
