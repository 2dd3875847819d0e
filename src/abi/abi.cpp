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
    {MapType::percpu_hash, "percpu_hash"},
    {MapType::percpu_array, "percpu_array"},
    {MapType::lru_hash, "lru_hash"},
    {MapType::lru_percpu_hash, "lru_percpu_hash"},
    {MapType::lpm_trie, "lpm_trie"},
    {MapType::array_of_maps, "array_of_maps"},
    {MapType::hash_of_maps, "hash_of_maps"},
    {MapType::queue, "queue"},
    {MapType::stack, "stack"},
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
    {id::ktime_get_ns, "bpf_ktime_get_ns", R::integer, {}},
    {id::trace_printk, "bpf_trace_printk", R::integer,
     {A::mem, A::const_size, A::anything, A::anything, A::anything}},
    {id::get_prandom_u32, "bpf_get_prandom_u32", R::integer, {}},
    {id::get_smp_processor_id, "bpf_get_smp_processor_id", R::integer, {}},
    {id::skb_store_bytes, "bpf_skb_store_bytes", R::integer, {A::ctx, A::anything, A::mem, A::const_size, A::anything}},
    {id::l3_csum_replace, "bpf_l3_csum_replace", R::integer, {A::ctx, A::anything, A::anything, A::anything, A::anything}},
    {id::l4_csum_replace, "bpf_l4_csum_replace", R::integer, {A::ctx, A::anything, A::anything, A::anything, A::anything}},
    {id::tail_call, "bpf_tail_call", R::integer, {A::ctx, A::const_map_ptr, A::anything}},
    {id::get_current_pid_tgid, "bpf_get_current_pid_tgid", R::integer, {}},
    {id::get_cgroup_classid, "bpf_get_cgroup_classid", R::integer, {A::ctx}},
    {id::skb_vlan_push, "bpf_skb_vlan_push", R::integer, {A::ctx, A::anything, A::anything}},
    {id::skb_vlan_pop, "bpf_skb_vlan_pop", R::integer, {A::ctx}},
    {id::skb_load_bytes, "bpf_skb_load_bytes", R::integer, {A::ctx, A::anything, A::uninit_mem, A::const_size}},
    {id::csum_diff, "bpf_csum_diff", R::integer,
     {A::mem_or_null, A::const_size_or_zero, A::mem_or_null, A::const_size_or_zero, A::anything}},
    {id::skb_change_proto, "bpf_skb_change_proto", R::integer, {A::ctx, A::anything, A::anything}},
    {id::skb_change_type, "bpf_skb_change_type", R::integer, {A::ctx, A::anything}},
    {id::get_hash_recalc, "bpf_get_hash_recalc", R::integer, {A::ctx}},
    {id::skb_change_tail, "bpf_skb_change_tail", R::integer, {A::ctx, A::anything, A::anything}},
    {id::skb_pull_data, "bpf_skb_pull_data", R::integer, {A::ctx, A::anything}},
    {id::skb_change_head, "bpf_skb_change_head", R::integer, {A::ctx, A::anything, A::anything}},
    {id::xdp_adjust_head, "bpf_xdp_adjust_head", R::integer, {A::ctx, A::anything}},
    {id::skb_adjust_room, "bpf_skb_adjust_room", R::integer, {A::ctx, A::anything, A::anything, A::anything}},
    {id::xdp_adjust_meta, "bpf_xdp_adjust_meta", R::integer, {A::ctx, A::anything}},
    {id::xdp_adjust_tail, "bpf_xdp_adjust_tail", R::integer, {A::ctx, A::anything}},
    {id::skb_load_bytes_relative, "bpf_skb_load_bytes_relative", R::integer,
     {A::ctx, A::anything, A::uninit_mem, A::const_size, A::anything}},
    {id::fib_lookup, "bpf_fib_lookup", R::integer, {A::ctx, A::mem_rw, A::const_size, A::anything}},
    {id::spin_lock, "bpf_spin_lock", R::void_, {A::spin_lock}},
    {id::spin_unlock, "bpf_spin_unlock", R::void_, {A::spin_lock}},
    {id::map_push_elem, "bpf_map_push_elem", R::integer, {A::const_map_ptr, A::map_value, A::anything}},
    {id::map_pop_elem, "bpf_map_pop_elem", R::integer, {A::const_map_ptr, A::uninit_map_value}},
    {id::map_peek_elem, "bpf_map_peek_elem", R::integer, {A::const_map_ptr, A::uninit_map_value}},
    {id::skb_ecn_set_ce, "bpf_skb_ecn_set_ce", R::integer, {A::ctx}},
    {id::ktime_get_boot_ns, "bpf_ktime_get_boot_ns", R::integer, {}},
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
        id::strncmp, id::spin_lock, id::spin_unlock, id::ktime_get_coarse_ns
#define EBPF_COMMON_HELPERS EBPF_BASE_HELPERS, id::csum_diff

constexpr int32_t kCommonHelpers[] = {EBPF_COMMON_HELPERS};
constexpr int32_t kXdpHelpers[] = {EBPF_COMMON_HELPERS, id::xdp_adjust_head, id::xdp_adjust_tail,
                                   id::xdp_adjust_meta, id::fib_lookup, id::xdp_get_buff_len,
                                   id::xdp_load_bytes, id::xdp_store_bytes};
// Linux tc_cls_act_func_proto (the helpers implemented here).
constexpr int32_t kTcHelpers[] = {EBPF_COMMON_HELPERS, id::skb_store_bytes, id::l3_csum_replace,
                                  id::l4_csum_replace, id::get_cgroup_classid, id::skb_vlan_push,
                                  id::skb_vlan_pop, id::skb_load_bytes, id::skb_change_proto,
                                  id::skb_change_type, id::get_hash_recalc, id::skb_change_tail,
                                  id::skb_pull_data, id::skb_change_head, id::skb_adjust_room,
                                  id::skb_load_bytes_relative, id::fib_lookup, id::skb_ecn_set_ce};
// Linux sk_filter_func_proto: reads only (no bpf_csum_diff either).
constexpr int32_t kSocketFilterHelpers[] = {EBPF_BASE_HELPERS, id::skb_load_bytes, id::skb_load_bytes_relative};
#undef EBPF_COMMON_HELPERS
#undef EBPF_BASE_HELPERS

// Linux bpf_helper_changes_pkt_data, for the helpers Linux has.
constexpr int32_t kChangesPacketData[] = {
    id::skb_store_bytes, id::l3_csum_replace, id::l4_csum_replace, id::clone_redirect, id::skb_vlan_push,
    id::skb_vlan_pop, id::skb_change_proto, id::skb_change_tail, id::skb_pull_data, id::skb_change_head,
    id::xdp_adjust_head, id::skb_adjust_room, id::xdp_adjust_meta, id::xdp_adjust_tail};

using K = CtxFieldKind;
// struct xdp_md (Linux): u32 data, data_end, data_meta, ingress_ifindex, rx_queue_index, egress_ifindex.
// At run time they live in XdpRuntimeContext, the pointers as 8 bytes.
constexpr CtxField kXdpFields[] = {
    {0, 4, K::packet, false, 0, 8},      {4, 4, K::packet_end, false, 8, 8},
    {8, 4, K::packet_meta, false, 16, 8}, {12, 4, K::scalar, false, 24, 4},
    {16, 4, K::scalar, false, 28, 4},    {20, 4, K::scalar, false, 32, 4},
};
// struct __sk_buff (Linux), as net/core/filter.c's bpf_skb_is_valid_access,
// tc_cls_act_is_valid_access and sk_filter_is_valid_access allow it: numbers
// are read with 1, 2 or 4 bytes (aligned) and written with 4, cb[] with any
// aligned size, tstamp/hwtstamp only as 8 bytes; family .. local_port (sk_skb
// only), flow_keys and sk are not offered. The packet pointers (tc only) are
// read as 8-byte pointers from SkbRuntimeContext; every number keeps its offset.
constexpr uint8_t kNarrow = 1 | 2 | 4, kWord = 4, kAny = 1 | 2 | 4 | 8, kU64 = 8, kByte = 1;
#define EBPF_SKB_FIELD(off, size, writable, reads, writes) {off, size, K::scalar, writable, off, size, reads, writes}
#define EBPF_SKB_COMMON_FIELDS(tc)                                                                     \
    EBPF_SKB_FIELD(0, 4, false, kNarrow, 0),         /* len */                                    \
    EBPF_SKB_FIELD(4, 4, false, kNarrow, 0),         /* pkt_type */                               \
    EBPF_SKB_FIELD(8, 4, tc, kNarrow, kWord),        /* mark */                                   \
    EBPF_SKB_FIELD(12, 4, tc, kNarrow, kWord),       /* queue_mapping */                          \
    EBPF_SKB_FIELD(16, 4, false, kNarrow, 0),        /* protocol */                               \
    EBPF_SKB_FIELD(20, 4, false, kNarrow, 0),        /* vlan_present */                           \
    EBPF_SKB_FIELD(24, 4, false, kNarrow, 0),        /* vlan_tci */                               \
    EBPF_SKB_FIELD(28, 4, false, kNarrow, 0),        /* vlan_proto */                             \
    EBPF_SKB_FIELD(32, 4, tc, kNarrow, kWord),       /* priority */                               \
    EBPF_SKB_FIELD(36, 4, false, kNarrow, 0),        /* ingress_ifindex */                        \
    EBPF_SKB_FIELD(40, 4, false, kNarrow, 0),        /* ifindex */                                \
    EBPF_SKB_FIELD(44, 4, tc, kNarrow, kWord),       /* tc_index */                               \
    EBPF_SKB_FIELD(48, 20, true, kAny, kAny),        /* cb[5] */                                  \
    EBPF_SKB_FIELD(68, 4, false, kNarrow, 0)         /* hash */
constexpr CtxField kSkbTcFields[] = {
    EBPF_SKB_COMMON_FIELDS(true),
    EBPF_SKB_FIELD(72, 4, true, kNarrow, kWord),     // tc_classid
    {76, 4, K::packet, false, 192, 8, kWord, 0},     // data
    {80, 4, K::packet_end, false, 200, 8, kWord, 0}, // data_end
    EBPF_SKB_FIELD(84, 4, false, kNarrow, 0),        // napi_id
    {140, 4, K::packet_meta, false, 208, 8, kWord, 0}, // data_meta
    EBPF_SKB_FIELD(152, 8, true, kU64, kU64),        // tstamp
    EBPF_SKB_FIELD(160, 4, false, kNarrow, 0),       // wire_len
    EBPF_SKB_FIELD(164, 4, false, kNarrow, 0),       // gso_segs
    EBPF_SKB_FIELD(176, 4, false, kNarrow, 0),       // gso_size
    EBPF_SKB_FIELD(180, 1, false, kByte, 0),         // tstamp_type
    EBPF_SKB_FIELD(184, 8, false, kU64, 0),          // hwtstamp
};
// Socket filters: no packet pointers (no direct packet access, as Linux),
// only cb[] is writable.
constexpr CtxField kSkbSocketFields[] = {
    EBPF_SKB_COMMON_FIELDS(false),
    EBPF_SKB_FIELD(84, 4, false, kNarrow, 0),        // napi_id
    EBPF_SKB_FIELD(164, 4, false, kNarrow, 0),       // gso_segs
    EBPF_SKB_FIELD(176, 4, false, kNarrow, 0),       // gso_size
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

static_assert(offsetof(SkbRuntimeContext, cb) == 48 && offsetof(SkbRuntimeContext, hash) == 68 &&
              offsetof(SkbRuntimeContext, napi_id) == 84 && offsetof(SkbRuntimeContext, tstamp) == 152 &&
              offsetof(SkbRuntimeContext, gso_size) == 176 && offsetof(SkbRuntimeContext, tstamp_type) == 180 &&
              offsetof(SkbRuntimeContext, hwtstamp) == 184 && offsetof(SkbRuntimeContext, data) == kSkBuffSize &&
              offsetof(SkbRuntimeContext, data_end) == 200 && offsetof(SkbRuntimeContext, data_meta) == 208,
              "SkbRuntimeContext keeps struct __sk_buff's offsets");

// tc and socket filters: Linux checks no return range; the verdict is the
// low 32 bits of R0 (an int for tc: TC_ACT_UNSPEC is -1; a length for socket filters).
const ProgramTypeInfo kProgramTypes[] = {
    {ProgramType::xdp, "xdp", 24, kXdpFields, false, 0, 4, kXdpHelpers, sizeof(XdpRuntimeContext)},
    {ProgramType::sched_cls, "sched_cls", 192, kSkbTcFields, false, INT64_MIN, INT64_MAX, kTcHelpers, sizeof(SkbRuntimeContext)},
    {ProgramType::sched_act, "sched_act", 192, kSkbTcFields, false, INT64_MIN, INT64_MAX, kTcHelpers, sizeof(SkbRuntimeContext)},
    {ProgramType::socket_filter, "socket_filter", 192, kSkbSocketFields, false, INT64_MIN, INT64_MAX, kSocketFilterHelpers, sizeof(SkbRuntimeContext)},
    {ProgramType::cgroup_sock_addr, "cgroup_sock_addr", 72, kSockAddrFields, false, 0, 1, kCommonHelpers, 72},
    {ProgramType::hook, "hook", 0, {}, true, INT64_MIN, INT64_MAX, kCommonHelpers, 0},
    {ProgramType::raw_memory, "raw_memory", 0, {}, true, INT64_MIN, INT64_MAX, kCommonHelpers, 0},
};
const ProgramTypeInfo kUnspec{ProgramType::unspec, "unspec", 0, {}, false, INT64_MIN, INT64_MAX, {}, 0};

// Longest prefixes first: the first match wins.
constexpr SectionRule kSections[] = {
    {"cgroup/connect4", ProgramType::cgroup_sock_addr, "connect4"},
    {"cgroup/connect6", ProgramType::cgroup_sock_addr, "connect6"},
    {"cgroup/bind4", ProgramType::cgroup_sock_addr, "bind4"},
    {"cgroup/bind6", ProgramType::cgroup_sock_addr, "bind6"},
    {"xdp/", ProgramType::xdp, "*"},
    {"xdp", ProgramType::xdp, ""},
    {"tc/", ProgramType::sched_cls, "*"},
    {"tc", ProgramType::sched_cls, ""},
    {"classifier", ProgramType::sched_cls, ""},
    {"action", ProgramType::sched_act, ""},
    {"socket", ProgramType::socket_filter, ""},
    {"hook/", ProgramType::hook, "*"},
    {"hook", ProgramType::hook, ""},
    {"raw", ProgramType::raw_memory, ""},
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
    return "unspec";
}

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
        // "xdp" matches "xdp" and "xdp.frags"-style suffixes, not "xdpfoo".
        if (exact || rest.front() == '.' || rest.front() == '/') return SectionType{entry.type, entry.attach};
    }
    return std::nullopt;
}

std::optional<SectionType> program_type_from_name(std::string_view name) {
    if (name.empty()) return std::nullopt;
    for (const auto& info : kProgramTypes)
        if (info.name == name) return SectionType{info.type, {}};
    // bpftool's names are libbpf's section names: "socket", "classifier", "tc",
    // "cgroup/connect4" (which also gives the attach point).
    auto type = program_type_from_section(name);
    if (type && type->type != ProgramType::unspec && (type->attach.empty() || type->attach != "*")) return type;
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
        size_t dist = has_tail && !entry.attach.empty() && entry.attach != "*"
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
