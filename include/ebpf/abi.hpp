// The Linux eBPF ABI facts that the loader, verifier, runtime and bpf2c all
// share: map types, helper prototypes (Linux helper IDs), program types and
// their context layouts. Pure data, no behaviour: the one table that every
// component reads, so they cannot disagree.
#pragma once

#include <cstdint>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <vector>

namespace ebpf {

// Map types, numbered as Linux enum bpf_map_type.
enum class MapType : uint32_t {
    unspec = 0,
    hash = 1,
    array = 2,
    prog_array = 3,
    perf_event_array = 4,   // per-CPU sample buffers (bpf_perf_event_output)
    percpu_hash = 5,
    percpu_array = 6,
    stack_trace = 7,        // stack ids (bpf_get_stackid; verify-only here)
    cgroup_array = 8,       // cgroups (bpf_skb_under_cgroup): the host writes cgroup v2 directory fds
    lru_hash = 9,
    lru_percpu_hash = 10,
    lpm_trie = 11,
    array_of_maps = 12,
    hash_of_maps = 13,
    devmap = 14,            // redirect targets: ports by index (bpf_redirect_map)
    cpumap = 16,            // redirect targets: CPUs (worker queues)
    xskmap = 17,            // redirect targets: AF_XDP-like user-space queues
    queue = 22,
    stack = 23,
    devmap_hash = 25,       // redirect targets: ports by hashed key
    ringbuf = 27,
};
std::optional<MapType> map_type_from_id(uint32_t id);  // nullopt when we do not support it
std::string_view map_type_name(MapType type);           // bpftool's names: "hash", "array", ...
// Whether the runtime can create maps of this type. An object may define maps
// of Linux's other types (MapType then holds Linux's number): its programs
// that do not use them load; one that does is refused, naming the map.
bool map_type_provided(MapType type);

// Map flags (Linux BPF_F_*), and update flags.
inline constexpr uint32_t kMapFlagNoPrealloc = 1u << 0;
inline constexpr uint32_t kMapFlagNoCommonLru = 1u << 1;
inline constexpr uint32_t kMapFlagRdonlyProg = 1u << 7;  // programs may only read the map
inline constexpr uint32_t kMapFlagInnerMap = 1u << 12;   // inner maps of an outer map may differ in max_entries
inline constexpr uint32_t kMapFlagNumaNode = 1u << 2;    // accepted, meaningless in user space
inline constexpr uint32_t kMapFlagRdonly = 1u << 3;      // host (syscall side) may only read
inline constexpr uint32_t kMapFlagWronly = 1u << 4;      // host (syscall side) may only write
inline constexpr uint32_t kMapFlagStackBuildId = 1u << 5;
inline constexpr uint32_t kMapFlagPreserveElems = 1u << 11;  // perf_event_array: keep entries when the fd closes
inline constexpr uint64_t kUpdateAny = 0, kUpdateNoExist = 1, kUpdateExist = 2;

// --- helpers ----------------------------------------------------------------

// Argument kinds of a helper, after Linux enum bpf_arg_type.
enum class ArgKind : uint8_t {
    none,            // argument not used
    anything,        // any initialised scalar (or pointer where Linux allows)
    const_map_ptr,   // pointer to a map (LDDW map)
    map_key,         // pointer to initialised memory of the map's key size
    map_value,       // pointer to initialised memory of the map's value size
    uninit_map_value,// pointer to writable memory of the map's value size
    mem,             // pointer to initialised readable memory; size in the next arg
    mem_or_null,     // as mem, or NULL
    uninit_mem,      // pointer to writable memory; size in the next arg
    const_size,      // size of the preceding mem (> 0)
    const_size_or_zero,
    ctx,             // the program's context pointer
    func,            // pointer to a callback (LDDW pseudo func)
    ringbuf_mem,     // a record returned by bpf_ringbuf_reserve (released by the call)
    mem_rw,          // as mem, and the helper writes into it too (bpf_fib_lookup's params)
    const_str,       // pointer to a NUL-terminated string in read-only map value
    stack_or_null,   // callback context: stack pointer or NULL
    spin_lock,       // the struct bpf_spin_lock of a map value (at its constant offset)
    ctx_or_null,     // as ctx, or NULL (Linux ARG_PTR_TO_CTX_OR_NULL: bpf_get_netns_cookie)
};

enum class RetKind : uint8_t {
    integer,                  // scalar
    void_,                    // nothing meaningful (r0 is clobbered)
    map_value_or_null,        // pointer into the map's value (map from arg 1)
    ringbuf_mem_or_null,      // a ring-buffer record of the size in arg 2
};

struct HelperPrototype {
    int32_t id = 0;
    std::string_view name;          // "bpf_map_lookup_elem"
    RetKind ret = RetKind::integer;
    ArgKind args[5] = {};
};

// Every helper the runtime implements, by Linux ID; nullptr when unknown.
const HelperPrototype* helper_prototype(int32_t id);
std::span<const HelperPrototype> helper_prototypes();
// The Linux name of any helper ID ("bpf_map_lookup_elem"), implemented here
// or not; "" for an ID Linux (6.1) does not define. A HelperNamer for
// disassemble() (ebpf/isa.hpp): "call bpf_map_lookup_elem#1".
std::string_view linux_helper_name(int32_t id);
// IDs 1 .. linux_helper_count() - 1 have a name.
int32_t linux_helper_count();
// "bpf_skb_adjust_room (50)", or "helper 999" for an ID Linux does not define:
// how messages name a helper.
std::string helper_display_name(int32_t id);
// Linux's GPL-only helpers (`gpl_only` in their kernel prototype): a program
// whose license is not GPL-compatible may not call them.
bool helper_is_gpl_only(int32_t id);
// As Linux's license_is_gpl_compatible: "GPL", "GPL v2", "GPL and additional
// rights", "Dual BSD/GPL", "Dual MIT/GPL", "Dual MPL/GPL".
bool license_is_gpl_compatible(std::string_view license);
// Linux's names of map and program types by ID (bpftool's: "percpu_hash",
// "sched_cls"), supported here or not; "" beyond Linux 6.1's. IDs 0 .. count - 1.
std::string_view linux_map_type_name(uint32_t id);
uint32_t linux_map_type_count();
std::string_view linux_program_type_name(uint32_t id);
uint32_t linux_program_type_count();

// Linux helper IDs we use by name.
namespace helper_id {
inline constexpr int32_t map_lookup_elem = 1, map_update_elem = 2, map_delete_elem = 3,
    ktime_get_ns = 5, trace_printk = 6, get_prandom_u32 = 7, get_smp_processor_id = 8,
    skb_store_bytes = 9, l3_csum_replace = 10, l4_csum_replace = 11, tail_call = 12, clone_redirect = 13,
    get_current_pid_tgid = 14, get_cgroup_classid = 17, skb_vlan_push = 18, skb_vlan_pop = 19,
    skb_get_tunnel_key = 20, skb_set_tunnel_key = 21,
    redirect = 23, perf_event_output = 25, skb_load_bytes = 26, get_stackid = 27, csum_diff = 28,
    skb_get_tunnel_opt = 29, skb_set_tunnel_opt = 30,
    skb_change_proto = 31, skb_change_type = 32, skb_under_cgroup = 33, get_hash_recalc = 34, skb_change_tail = 38,
    skb_pull_data = 39, skb_change_head = 43, xdp_adjust_head = 44, skb_adjust_room = 50,
    redirect_map = 51, xdp_adjust_meta = 54, skb_load_bytes_relative = 68, fib_lookup = 69,
    skb_ecn_set_ce = 97, xdp_output = 121, xdp_get_buff_len = 188, xdp_load_bytes = 189, xdp_store_bytes = 190,
    map_push_elem = 87, map_pop_elem = 88, map_peek_elem = 89, ringbuf_output = 130,
    ringbuf_reserve = 131, ringbuf_submit = 132, ringbuf_discard = 133, ringbuf_query = 134,
    snprintf = 165, xdp_adjust_tail = 65, ktime_get_boot_ns = 125, for_each_map_elem = 164,
    loop = 181, strncmp = 182, redirect_neigh = 152, redirect_peer = 155, trace_vprintk = 177, spin_lock = 93,
    spin_unlock = 94, ktime_get_coarse_ns = 160, jiffies64 = 118;
}
// Helpers after which packet pointers are invalid (Linux bpf_helper_changes_pkt_data):
// they may move, grow or reallocate the packet.
bool helper_changes_packet_data(int32_t id);

// --- program types ----------------------------------------------------------

// Numbered as Linux enum bpf_prog_type. Types the runtime cannot run are
// still verified (`ebpf verify`) with Linux's context layout, helpers and
// return values; program_type_info(type).runtime_ctx_size says which run.
enum class ProgramType : uint32_t {
    unspec = 0,
    socket_filter = 1,
    kprobe = 2,             // kprobe/, kretprobe/, uprobe/: struct pt_regs
    sched_cls = 3,          // tc
    sched_act = 4,          // tc actions
    tracepoint = 5,         // tp/, tracepoint/: the event's raw record
    xdp = 6,
    perf_event = 7,         // struct bpf_perf_event_data
    cgroup_skb = 8,         // cgroup_skb/ingress|egress
    cgroup_sock = 9,        // cgroup/sock_create, post_bind4, ...: struct bpf_sock
    lwt_in = 10,
    lwt_out = 11,
    lwt_xmit = 12,
    sock_ops = 13,          // sockops: struct bpf_sock_ops
    sk_skb = 14,            // sk_skb/stream_parser|stream_verdict
    cgroup_device = 15,     // cgroup/dev: struct bpf_cgroup_dev_ctx
    sk_msg = 16,            // struct sk_msg_md
    raw_tracepoint = 17,    // raw_tp/: u64 arguments
    cgroup_sock_addr = 18,  // cgroup/bind4, connect4, ...
    lwt_seg6local = 19,
    lirc_mode2 = 20,
    sk_reuseport = 21,      // struct sk_reuseport_md
    flow_dissector = 22,    // struct __sk_buff with flow_keys
    cgroup_sysctl = 23,     // struct bpf_sysctl
    raw_tracepoint_writable = 24,
    cgroup_sockopt = 25,    // cgroup/getsockopt|setsockopt: struct bpf_sockopt
    tracing = 26,           // fentry/, fexit/, fmod_ret/, tp_btf/, iter/: BTF-typed, not verifiable here
    struct_ops = 27,
    ext = 28,               // freplace/
    lsm = 29,
    sk_lookup = 30,         // struct bpf_sk_lookup
    syscall = 31,
    netfilter = 32,
    hook = 1000,            // ours: embedding API, context = host byte buffer
    raw_memory = 1001,      // ours: bpf_conformance, r1 = memory, r2 = its length
};
std::string_view program_type_name(ProgramType type);

// How a field of the context may be used.
enum class CtxFieldKind : uint8_t {
    scalar,       // a number; readable
    packet,       // reads as a pointer to packet start (xdp_md.data)
    packet_end,   // reads as a pointer one past the packet end (xdp_md.data_end)
    packet_meta,  // reads as a pointer to packet metadata (xdp_md.data_meta)
    sock,                 // reads as a pointer to struct bpf_sock (never NULL)
    sock_or_null,         // struct bpf_sock, or NULL (sock_ops.sk, bpf_sk_lookup.sk)
    sock_common_or_null,  // struct bpf_sock's common fields only, or NULL (__sk_buff.sk)
    flow_keys,            // reads as a pointer to struct bpf_flow_keys (__sk_buff.flow_keys)
};

struct CtxField {
    uint32_t offset = 0;
    uint32_t size = 0;           // bytes of the field as the program sees it
    CtxFieldKind kind = CtxFieldKind::scalar;
    bool writable = false;
    // Where the field lives in the context the runtime really passes (as the
    // kernel's convert_ctx_accesses): pointer fields grow to 8 bytes. Loads of
    // the field are rewritten to this offset and size after verification.
    uint32_t runtime_offset = 0;
    uint32_t runtime_size = 0;
    // Linux's size rules (every access is also aligned to its size): reads
    // of min_read..max_read bytes; writes of the sizes in write_sizes (a mask
    // of 1, 2, 4, 8; 0 = any size inside the field).
    uint8_t min_read = 1;
    uint8_t max_read = 8;
    uint8_t write_sizes = 0;
};

struct ProgramTypeInfo {
    ProgramType type = ProgramType::unspec;
    std::string_view name;              // "xdp"
    uint32_t ctx_size = 0;              // size of the context the program sees
    std::span<const CtxField> fields;   // empty with ctx_is_memory
    bool ctx_is_memory = false;         // context is a plain byte buffer (hook/raw_memory): r2 = its length
    int64_t ret_min = INT64_MIN, ret_max = INT64_MAX;  // allowed r0 at exit
    std::span<const int32_t> helpers;   // allowed helper IDs
    // Size of the context the runtime really passes (see CtxField::runtime_offset);
    // 0 when the runtime cannot run programs of this type.
    uint32_t runtime_ctx_size = 0;
    std::string_view ctx_struct;        // the C type programs see: "struct xdp_md"
    // Non-empty: why programs of this type cannot be verified here (e.g. a
    // context typed by the kernel's BTF); the verifier refuses them with it.
    std::string_view unverifiable;
};

// The context an XDP program's r1 points to at run time (after rewriting):
// the runtime fills it; programs see struct xdp_md.
struct XdpRuntimeContext {
    uint64_t data;
    uint64_t data_end;
    uint64_t data_meta;
    uint32_t ingress_ifindex;
    uint32_t rx_queue_index;
    uint32_t egress_ifindex;
    uint32_t reserved;
    // Runtime-private, not visible to programs: the whole frame buffer, so
    // bpf_xdp_adjust_head/tail know how far data and data_end may move.
    uint64_t frame_start;
    uint64_t frame_end;
};

// The tunnel metadata of a socket buffer (Linux: the skb's metadata dst, a
// struct ip_tunnel_info): what bpf_skb_set_tunnel_key and _opt set for a
// collect_md tunnel device to encapsulate with. Runtime-private: programs
// read it only through bpf_skb_get_tunnel_key and _opt. As Linux's, it is the
// transmit view: dst is the remote end, src the local one.
struct SkbTunnelInfo {
    uint8_t present;  // a key was set: the packet has tunnel metadata
    uint8_t ipv6;     // IP_TUNNEL_INFO_IPV6: the addresses are IPv6
    uint8_t tos, ttl;
    uint32_t flags;    // Linux's IP_TUNNEL_*_BIT numbers (kTunnel* below)
    uint64_t id;       // the tunnel id (VNI, GRE key), host order
    uint32_t label;    // the IPv6 flow label, host order (20 bits)
    uint32_t options_length;
    uint8_t src[16], dst[16];  // network order; IPv4 in the first 4 bytes
    uint8_t options[256];      // bpf_skb_set_tunnel_opt's bytes (at most 252: a multiple of 4 below 256)
};
// IP_TUNNEL_*_BIT (include/net/ip_tunnels.h): the bits Linux's
// bpf_skb_get_tunnel_key shows in tunnel_flags (BPF_F_TUNINFO_FLAGS), as a
// big-endian 16-bit TUNNEL_* value.
inline constexpr uint32_t kTunnelCsum = 1u << 0, kTunnelKey = 1u << 2, kTunnelSeq = 1u << 3,
                          kTunnelDontFragment = 1u << 8, kTunnelGeneveOpt = 1u << 11, kTunnelVxlanOpt = 1u << 12,
                          kTunnelNoCache = 1u << 13, kTunnelErspanOpt = 1u << 14, kTunnelGtpOpt = 1u << 15;
// The option-type bits bpf_skb_set_tunnel_opt sets (Linux ip_tunnel_set_options_present).
inline constexpr uint32_t kTunnelOptionsPresent = kTunnelGeneveOpt | kTunnelVxlanOpt | kTunnelErspanOpt | kTunnelGtpOpt;

// The context a tc (sched_cls, sched_act) or socket_filter program's r1 points
// to at run time: Linux's struct __sk_buff with the same offsets for every
// number, and the packet pointers (u32 data, data_end, data_meta to the
// program) as 8-byte pointers after it, where the rewritten loads read them.
// The runtime (SkbPacket, runtime.hpp) fills and updates it.
struct SkbRuntimeContext {
    uint32_t len, pkt_type, mark, queue_mapping, protocol, vlan_present, vlan_tci, vlan_proto, priority,
        ingress_ifindex, ifindex, tc_index, cb[5], hash, tc_classid;
    uint32_t data_slot, data_end_slot;  // 76, 80: read as the pointers below
    uint32_t napi_id;
    uint32_t family, remote_ip4, local_ip4, remote_ip6[4], local_ip6[4], remote_port, local_port;
    uint32_t data_meta_slot;  // 140
    uint64_t flow_keys;
    uint64_t tstamp;
    uint32_t wire_len, gso_segs;
    uint64_t sk;
    uint32_t gso_size;
    uint8_t tstamp_type, padding[3];
    uint64_t hwtstamp;
    // 192: what the program's data, data_end and data_meta read.
    uint64_t data, data_end, data_meta;
    // Runtime-private, not visible to programs: the buffer the packet lives
    // in (helpers that grow it stay inside), and where the link-layer and
    // network headers start (bpf_skb_load_bytes_relative, the test run).
    uint64_t buffer_start, buffer_end;
    uint64_t mac_header, network_header;
    uint32_t max_len;     // largest packet the helpers may make
    uint32_t flags;       // kSkb* below
    SkbTunnelInfo tunnel;  // bpf_skb_set_tunnel_key / _opt
};
inline constexpr uint32_t kSkBuffSize = 192;  // sizeof(struct __sk_buff)
inline constexpr uint32_t kSkbDirectAccess = 1u << 0;  // tc: data is the link-layer header
inline constexpr uint32_t kSkbHashValid = 1u << 1;     // hash was computed (bpf_get_hash_recalc)
inline constexpr uint32_t kSkbEncapsulated = 1u << 2;  // bpf_skb_adjust_room added an outer header
// The packet's socket belongs to the calling process (a test run: Linux
// gives its skb a socket of the caller's, whose cgroup bpf_skb_under_cgroup
// checks); without it the packet has no socket (a frame from a device).
inline constexpr uint32_t kSkbCallerSocket = 1u << 3;
const ProgramTypeInfo& program_type_info(ProgramType type);
// As program_type_info, for a program attached at `attach` (SectionType::attach,
// e.g. "egress", "recvmsg4", "getsockopt"): Linux narrows some types' return
// values and context fields by attach type (cgroup_skb egress may return 0..3).
ProgramTypeInfo program_type_info(ProgramType type, std::string_view attach);

// Section name → program type and attach point, by libbpf conventions:
// "xdp", "tc", "classifier", "socket", "cgroup/bind4", "cgroup/connect4",
// "cgroup/bind6", "cgroup/connect6", "hook/<name>", "raw" ...
struct SectionType {
    ProgramType type = ProgramType::unspec;
    std::string_view attach;  // e.g. "bind4"; empty when none
};
std::optional<SectionType> program_type_from_section(std::string_view section);
// A program type named as `bpftool prog load … type TYPE` and `--type` name
// it: our type names ("xdp", "sched_cls", "socket_filter", "cgroup_sock_addr",
// "hook", "raw_memory") or libbpf's section names ("socket", "classifier",
// "tc", "cgroup/connect4", "raw"). nullopt when it names none.
std::optional<SectionType> program_type_from_name(std::string_view name);
// The rules program_type_from_section applies, in order (the first match wins).
struct SectionRule {
    std::string_view prefix;  // "xdp/", "cgroup/bind4", "hook"
    ProgramType type;
    std::string_view attach;  // fixed attach point, or "*" for "what follows the prefix"
    // libbpf 0.x and older loaders matched by bare prefix: "xdp_prog0" and
    // "xdp_sock" are XDP, "socket1" a socket filter. Tried after the others.
    bool legacy = false;
};
std::span<const SectionRule> section_rules();
// For an unknown section name: the known section name (e.g. "xdp",
// "cgroup/bind4", "hook/") closest to it by edit distance, when it is a
// likely typo ("xpd" -> "xdp"); empty otherwise.
std::string_view closest_section_name(std::string_view section);

}  // namespace ebpf
