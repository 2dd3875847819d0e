// The runtime: the world loaded programs run in — maps, helpers, program
// types and their contexts, tail calls, bpf_printk tracing — and the C++
// embedding API (the C API is ebpf/ebpf.h).
//
// Lifecycle, as libbpf: load_object(path, options) opens, verifies, creates
// maps, resolves map references and builds one Engine per program (interpreter,
// JIT, or a native module's engine); then program(name).run(ctx, size),
// find_map(name).lookup/update/remove/next_key, attach_hook(...).
//
// Execution modes plug in through ebpf::Engine (exec.hpp): the runtime gives
// every mode the same HelperTable (helper_table()) and the same Map objects.
// A native module loader uses the lower-level entries below (create_maps,
// resolve_map_references, helper_table, assemble_object) instead of
// load_object().
#pragma once

#include <array>
#include <atomic>
#include <chrono>
#include <cstdint>
#include <deque>
#include <functional>
#include <memory>
#include <mutex>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "ebpf/abi.hpp"
#include "ebpf/error.hpp"
#include "ebpf/exec.hpp"
#include "ebpf/isa.hpp"
#include "ebpf/object.hpp"
#include "ebpf/verifier.hpp"

namespace ebpf {

// --- CPUs --------------------------------------------------------------------
//
// A "CPU" is an execution slot: a running program holds one for the whole run
// (nested runs on the same thread share it). There are possible_cpus() slots
// (the machine's hardware threads, or $EBPF_NUM_CPUS); when all are taken, a
// new run waits for one, as a program waits for a CPU. Per-CPU maps keep one
// value per slot; bpf_get_smp_processor_id returns the slot index.
uint32_t possible_cpus();
// The slot of the calling thread while it runs a program; 0 outside a run.
uint32_t current_cpu();

// bpf_jiffies64 counts ticks of this rate (Linux's CONFIG_HZ varies by
// distribution: 100, 250, 300 or 1000; user mode has no kernel tick) from
// CLOCK_MONOTONIC_COARSE: jiffies * (1e9 / kJiffiesHz) is comparable with
// bpf_ktime_get_ns, as Cilium compares them.
inline constexpr uint64_t kJiffiesHz = 1000;

// Holds a CPU slot for the calling thread for its lifetime (re-entrant).
// LoadedProgram::run takes one; hosts that call helpers or Map program-side
// functions directly must hold one too.
class CpuScope {
public:
    CpuScope();
    ~CpuScope();
    CpuScope(const CpuScope&) = delete;
    CpuScope& operator=(const CpuScope&) = delete;
};

// --- maps --------------------------------------------------------------------

// A map with Linux semantics. Two faces:
//  * the host API (lookup/update/remove/next_key/push/pop/peek) on byte spans,
//    checking sizes and throwing ebpf::Error "map 'name': what" on misuse; for
//    per-CPU maps values have host_value_size() bytes: value_size rounded up to
//    8, times possible_cpus() (libbpf's layout);
//  * the program API (the *_elem functions) that helpers call, with raw
//    pointers and errno-style results (0 or -EEXIST, -ENOENT, -E2BIG, -EINVAL...).
// See docs/maps.md for the consistency model.
class Map {
public:
    explicit Map(const MapDefinition& definition);
    virtual ~Map();
    Map(const Map&) = delete;
    Map& operator=(const Map&) = delete;

    const std::string& name() const { return definition_.name; }
    MapType type() const { return definition_.type; }
    uint32_t key_size() const { return definition_.key_size; }
    uint32_t value_size() const { return definition_.value_size; }
    uint32_t max_entries() const { return definition_.max_entries; }
    uint32_t flags() const { return definition_.map_flags; }
    const MapDefinition& definition() const { return definition_; }
    // Process-wide id (as a kernel map id/fd): map-in-map values from the host.
    uint32_t id() const { return id_; }
    bool is_per_cpu() const;
    // Size of a value as the host reads and writes it.
    uint32_t host_value_size() const;

    // --- host API ---
    std::optional<std::vector<uint8_t>> lookup(std::span<const uint8_t> key) const;
    // flags: kUpdateAny / kUpdateNoExist / kUpdateExist. Throws on failure
    // (key exists, no such key, map full) with the errno name in the message.
    void update(std::span<const uint8_t> key, std::span<const uint8_t> value,
                uint64_t flags = kUpdateAny);
    // Returns false when the key was not there.
    bool remove(std::span<const uint8_t> key);
    // The key after `key` (the first key when `key` is empty or not found);
    // nullopt at the end.
    std::optional<std::vector<uint8_t>> next_key(std::span<const uint8_t> key = {}) const;
    // Queue and stack maps.
    void push(std::span<const uint8_t> value, uint64_t flags = kUpdateAny);
    std::optional<std::vector<uint8_t>> pop();
    std::optional<std::vector<uint8_t>> peek() const;
    // Every key in iteration order (convenience over next_key), at most
    // max_entries; under concurrent deletes a key may appear twice, as with
    // bpf_map_get_next_key on Linux.
    std::vector<std::vector<uint8_t>> keys() const;

    // --- program API (helpers call these; pointers are trusted) ---
    // Pointer to the value (this CPU's for per-CPU maps), or nullptr. For
    // array/hash of maps, the inner Map* itself (as Linux).
    virtual void* lookup_elem(const void* key);
    virtual int64_t update_elem(const void* key, const void* value, uint64_t flags);
    virtual int64_t delete_elem(const void* key);
    // key == nullptr: the first key. -ENOENT after the last.
    virtual int64_t get_next_key(const void* key, void* next_key);
    virtual int64_t push_elem(const void* value, uint64_t flags);
    virtual int64_t pop_elem(void* value);
    virtual int64_t peek_elem(void* value);
    // Address of the value at `key` for LDDW kPseudoMapIdxValue (one-entry
    // array maps only, as Linux: global data); nullptr when the map has none.
    virtual void* direct_value(uint32_t index);

    // --- host side, errno-style (what the throwing host API wraps) ---
    virtual int64_t host_lookup(const void* key, void* host_value) const;
    // -EPERM once the map is frozen; otherwise the family's update_from_host.
    int64_t host_update(const void* key, const void* host_value, uint64_t flags);
    int64_t host_delete(const void* key);
    virtual int64_t host_get_next_key(const void* key, void* next_key) const;

    // Frozen, as Linux bpf_map_freeze: from now on the host may only read the
    // map (update, remove, push and pop fail with EPERM, on every API). Maps
    // that programs may only read (read_only_for_programs(): .rodata,
    // BPF_F_RDONLY_PROG) are frozen when their object loads, right after
    // their initial contents are in place. Irreversible.
    void freeze() { frozen_.store(true, std::memory_order_release); }
    bool frozen() const { return frozen_.load(std::memory_order_acquire); }

protected:
    [[noreturn]] void fail(const std::string& what) const;
    // Per-CPU maps in shared memory keep the CPU count they were made for.
    void set_value_cpus(uint32_t cpus) { value_cpus_ = cpus; }
    // The family's host writes (never called on a frozen map).
    virtual int64_t update_from_host(const void* key, const void* host_value, uint64_t flags);
    virtual int64_t delete_from_host(const void* key);

private:
    MapDefinition definition_;
    uint32_t id_;
    uint32_t value_cpus_ = 0;  // 0: possible_cpus()
    std::atomic<bool> frozen_{false};
};

// Creates one runtime map. Throws ebpf::Error "map 'name': why" for an
// unsupported type or bad sizes (e.g. a ring buffer not a power of 2), or
// when the map would need more than limits.max_map_bytes (per-CPU values ×
// possible_cpus()), checked before anything is allocated.
std::shared_ptr<Map> create_map(const MapDefinition& definition, const ResourceLimits& limits = {});
// The map with this id, or nullptr.
std::shared_ptr<Map> find_map_by_id(uint32_t id);

// Host-side ring buffer consumer (BPF_MAP_TYPE_RINGBUF): calls `on_record` for
// every submitted record in order (discarded records are skipped) and returns
// how many it consumed. Never blocks; returns 0 when nothing is ready.
// Throws ebpf::Error when `map` is not a ring buffer.
size_t ringbuf_consume(Map& map, const std::function<void(std::span<const uint8_t>)>& on_record);
// As ringbuf_consume; `on_record` returns false to stop after that record
// (which counts as consumed), e.g. when the host's callback reports an error.
size_t ringbuf_consume_until(Map& map, const std::function<bool(std::span<const uint8_t>)>& on_record);
// Bytes submitted or reserved but not consumed yet.
uint64_t ringbuf_available(Map& map);

// --- network devices, redirects and AF_XDP-like sockets (user mode) -----------
//
// A device (a port) is an ifindex. It exists while a host registered it (the
// packet host's ports) or while the machine has a network interface with that
// index (if_indextoname), as a devmap on Linux holds the devices of its
// network namespace. devmap updates and bpf_clone_redirect refuse others.
void register_device(uint32_t ifindex);
void unregister_device(uint32_t ifindex);  // one registration less
bool device_exists(uint32_t ifindex);

// An AF_XDP-like socket: a bounded queue of frames that XDP_REDIRECT through
// an xskmap delivers to user space. Bound to (ifindex, queue_id) as AF_XDP: a
// frame is delivered only when it arrived on that device and rx queue, and
// dropped when the queue is full (both counted). Thread-safe.
class XskSocket {
public:
    XskSocket(uint32_t id, uint32_t ifindex, uint32_t queue_id, size_t capacity);
    uint32_t id() const { return id_; }  // the value an xskmap entry holds (Linux: the socket fd)
    uint32_t ifindex() const { return ifindex_; }
    uint32_t queue_id() const { return queue_id_; }
    // The oldest frame not read yet, or nullopt.
    std::optional<std::vector<uint8_t>> receive();
    size_t pending() const;
    uint64_t delivered() const { return delivered_.load(std::memory_order_relaxed); }
    uint64_t dropped() const { return dropped_.load(std::memory_order_relaxed); }
    // The host's side of a redirect: false (and counted as dropped) when the
    // frame came from another device or queue, or the queue is full.
    bool deliver(std::span<const uint8_t> frame, uint32_t ifindex, uint32_t queue_id);

private:
    uint32_t id_, ifindex_, queue_id_;
    size_t capacity_;
    mutable std::mutex mutex_;
    std::deque<std::vector<uint8_t>> frames_;  // FIFO
    std::atomic<uint64_t> delivered_{0}, dropped_{0};
};
// Creates a socket (capacity frames, at least 1); find it again by id while it lives.
std::shared_ptr<XskSocket> create_xsk_socket(uint32_t ifindex, uint32_t queue_id, size_t capacity = 2048);
std::shared_ptr<XskSocket> find_xsk_socket(uint32_t id);

// What a program asked for with bpf_redirect / bpf_redirect_map, which the
// host acts on when the program returns XDP_REDIRECT (TC_ACT_REDIRECT for
// tc), as Linux's per-CPU bpf_redirect_info. Reset when an outermost run
// starts; the last call of the run wins; a failed bpf_redirect_map lookup
// clears it.
struct RedirectTarget {
    enum class Kind : uint8_t { none, ifindex, map };
    Kind kind = Kind::none;
    uint32_t index = 0;               // the ifindex (bpf_redirect) or the map key
    std::shared_ptr<Map> map;         // bpf_redirect_map's devmap/devmap_hash/cpumap/xskmap
    uint64_t flags = 0;               // BPF_F_INGRESS (tc), BPF_F_BROADCAST | BPF_F_EXCLUDE_INGRESS (devmap)
};
inline constexpr uint64_t kRedirectIngress = 1;                        // BPF_F_INGRESS
inline constexpr uint64_t kRedirectBroadcast = uint64_t{1} << 3;       // BPF_F_BROADCAST
inline constexpr uint64_t kRedirectExcludeIngress = uint64_t{1} << 4;  // BPF_F_EXCLUDE_INGRESS
// Ours, not flags a program passes: how a tc redirect was asked for.
inline constexpr uint64_t kRedirectNeigh = uint64_t{1} << 32;  // bpf_redirect_neigh: resolve the next hop's address
inline constexpr uint64_t kRedirectPeer = uint64_t{1} << 33;   // bpf_redirect_peer: into the device's peer (veth, netkit)
// The calling thread's redirect of its last run.
RedirectTarget last_redirect();

// One entry of a devmap, devmap_hash, cpumap or xskmap, for the host that
// carries out a redirect: `value` is the ifindex (devmaps), the queue size
// (cpumap) or the socket's queue id (xskmap); `program_id` the program the
// entry runs on the frame first (devmap/cpumap values of 8 bytes; 0: none).
struct RedirectEntry {
    uint32_t key = 0;
    uint32_t value = 0;
    uint32_t program_id = 0;
    std::shared_ptr<XskSocket> socket;  // xskmap
};
// The entry at `key`, or nullopt; throws ebpf::Error for another map type.
std::optional<RedirectEntry> redirect_entry(const Map& map, uint32_t key);
// Every entry, in key order (BPF_F_BROADCAST).
std::vector<RedirectEntry> redirect_entries(const Map& map);

// A cgroup_array's slot: the id of the cgroup the host stored there (the
// inode number of its cgroup v2 directory; the host writes the directory's
// fd, as Linux), or nullopt when empty. Throws ebpf::Error for another map type.
std::optional<uint64_t> cgroup_array_id(const Map& map, uint32_t index);

// A frame bpf_clone_redirect sent during the calling thread's runs.
struct ClonedFrame {
    uint32_t ifindex = 0;
    uint64_t flags = 0;  // BPF_F_INGRESS
    std::vector<uint8_t> data;
};
std::vector<ClonedFrame> take_cloned_frames();

// --- perf event arrays (bpf_perf_event_output) --------------------------------
//
// BPF_MAP_TYPE_PERF_EVENT_ARRAY: one sample buffer per index (a CPU). Linux's
// value is a perf event fd; here the host opens a buffer of `pages` × 4096
// bytes at an index (update with the page count, a power of two, as
// perf_buffer__new's page_cnt) and closes it (delete). A program writes to the
// buffer of the CPU it runs on (BPF_F_CURRENT_CPU, or that index): another
// CPU's buffer gives -EOPNOTSUPP, an empty index -ENOENT, as Linux. A sample
// that does not fit is lost (-ENOSPC) and counted; the reader sees the count
// in order (PERF_RECORD_LOST).
void perf_event_open_buffer(Map& map, uint32_t index, uint32_t pages);
// Reads buffer `index`'s records in order: each sample to on_sample, each run
// of lost samples to on_lost (may be empty). Returns how many samples it read.
size_t perf_event_consume(Map& map, uint32_t index, const std::function<void(std::span<const uint8_t>)>& on_sample,
                          const std::function<void(uint64_t lost)>& on_lost = {});
// Number of indexes (max_entries, or possible_cpus() when the object gave 0, as libbpf).
uint32_t perf_event_slots(const Map& map);

// --- helpers -------------------------------------------------------------------

// The helper table every mode uses, indexed by Linux helper ID.
const HelperTable& helper_table();

// Termination budget: one run of a program (with its tail calls) calls at
// most this many callbacks in all — bpf_loop and bpf_for_each_map_elem,
// nested or not. When it is used up those helpers call no more callbacks and
// return -E2BIG, in every engine alike (exec.hpp, RunState). With the
// verifier's bound on the instructions of each function run, every run ends
// (src/verifier/README.md). Process-wide; takes effect at the next run.
inline constexpr uint64_t kDefaultCallbackBudget = uint64_t{1} << 23;
void set_callback_budget(uint64_t calls);
uint64_t callback_budget();
// Throws ebpf::Error "program 'x': instruction N: unknown helper 999" for a
// call to a helper the runtime does not implement, and "...: helper
// bpf_xdp_adjust_head is not allowed in hook programs" for one the type does not allow.
void check_helper_calls(const std::string& program_name, std::span<const Instruction> insns,
                        ProgramType type);

// --- programs and objects ----------------------------------------------------

struct LoadOptions {
    ExecMode mode = ExecMode::interpret;
    ExecOptions exec;
    // Verification is required in every mode; only the bounds-checked
    // interpreter (exec.bounds_check) may skip it.
    bool verify = true;
    VerifyOptions verify_options;
    // Load only the programs whose name or section is listed, and every
    // program they can reach by tail calls (transitively through the
    // statically initialised slots of the prog arrays they reference). Empty:
    // every program of a type the runtime can run that can load
    // (Program::load_error empty); the others are left out with a warning.
    std::vector<std::string> programs;
    // Target BTF for CO-RE relocations on kernel types when loading from a
    // path (libbpf's btf_custom_path); empty: /sys/kernel/btf/vmlinux. For
    // native modules: the BTF the module's relocations must have been resolved
    // against (docs/object-loader.md).
    std::string btf_path;
    // As `bpftool prog load … type`: every program of the object gets this
    // type and attach point (set_program_type, ebpf/object.hpp; names as
    // program_type_from_name), whatever its section says. Not for native
    // modules: their types are fixed when built (`ebpf build --type`).
    std::optional<SectionType> program_type;
    // Native modules (.so): called with exactly the bytes that will be loaded,
    // before anything is mapped; throws ebpf::Error to refuse them (signature
    // policy). Empty: no check of the caller's own. In code-integrity mode the
    // module loader checks the signature against the process trust store
    // whatever this holds (policy.hpp).
    std::function<void(std::span<const uint8_t>)> check_signature;
    // Native modules: the eBPF object the module was built from, when at
    // hand. Each program's bytecode SHA-256 recorded in the module must match
    // the object's program of the same name (check_bytecode_hash), and the
    // module's maps must be the object's (sizes, types, flags, global data,
    // prog-array slots), or the load fails. Empty: not checked.
    std::string bytecode_object;
    // What the object may make the host allocate (ebpf/limits.hpp): used by
    // open_object() and create_maps().
    ResourceLimits limits;
    // Maps and programs visible to other processes (ebpf/pinning.hpp):
    // the pin root (empty: $EBPF_PIN_ROOT, else /run/ebpf-native) where
    // maps with __uint(pinning, LIBBPF_PIN_BY_NAME) are pinned or reused...
    std::string pin_root;
    // ...and, when set, every map that can be shared (not global data or
    // read-only maps) created in shared memory under <root>/maps/<id>, and
    // every program published under <root>/progs/<id> with run statistics.
    bool share_maps = false;
};

class LoadedObject;
class SkbPacket;
namespace runtime_detail {
struct ProgramRunStats;
}

// A loaded program (ebpf::Program is the object's program before loading).
// run() is thread-safe: several threads may run the same program at once.
class LoadedProgram final {
public:
    const std::string& name() const { return name_; }
    const std::string& section() const { return section_; }
    ProgramType type() const { return type_; }
    const std::string& attach() const { return attach_; }
    ExecMode mode() const { return engine_->mode(); }
    uint32_t id() const { return id_; }
    LoadedObject& object() const { return *object_; }

    // Runs the program with r1 = ctx, r2 = size, following tail calls.
    //  * hook/raw_memory programs: ctx = the byte buffer, size = its length;
    //  * xdp: ctx = an XdpRuntimeContext (run_xdp builds one);
    //  * cgroup_sock_addr: ctx = a struct bpf_sock_addr (72 bytes).
    // Throws ebpf::Error for engine faults, a tail-call chain beyond 33, or a
    // return value outside the program type's range (xdp: any value, as Linux).
    uint64_t run(void* ctx, size_t size) const;
    // XDP over a packet buffer: the packet is data[0, length); the program may
    // move its start and end within the buffer (headroom/tailroom) with
    // bpf_xdp_adjust_head/tail; `data_offset` and `length` are updated.
    // `egress_ifindex`: the port a devmap entry's program sends the frame to
    // (xdp_md.egress_ifindex; 0 elsewhere). `meta_length`, when given: the
    // bytes before data_offset that are packet metadata (data_meta .. data),
    // in and out (bpf_xdp_adjust_meta).
    uint64_t run_xdp(std::span<uint8_t> frame, size_t& data_offset, size_t& length,
                     uint32_t ingress_ifindex = 0, uint32_t rx_queue_index = 0, uint32_t egress_ifindex = 0,
                     size_t* meta_length = nullptr) const;
    // tc (sched_cls, sched_act) or socket_filter over a socket buffer
    // (SkbPacket below); helpers may change the packet and the context.
    uint64_t run_skb(SkbPacket& packet) const;

    // Engine internals for the runtime and the native loader.
    // `admitted_under_policy`: a native module's program loaded in
    // code-integrity mode (its signature checked). In the mode, run() refuses
    // every program that was not, wherever it is reached from (a hook, a
    // tail call through a prog array, a map in a map). `memory_size`: the
    // memory size a hook/raw program was verified for (VerifyOptions::mem_size);
    // run() then takes memory of exactly that size.
    LoadedProgram(std::string name, std::string section, ProgramType type, std::string attach,
                  std::vector<Instruction> insns, std::unique_ptr<Engine> engine,
                  bool admitted_under_policy = false, std::optional<uint64_t> memory_size = std::nullopt);
    ~LoadedProgram();
    Engine& engine() const { return *engine_; }
    // The instructions the engine runs (empty for native modules).
    std::span<const Instruction> instructions() const { return insns_; }
    // SHA-256 of the bytecode that was verified (the object's instructions
    // before map references are resolved; for native modules the hash the
    // module records), set by the loaders; zeros when unknown. Its first 8
    // bytes are the program's tag in `ebpf prog` (pinning.hpp).
    const std::array<uint8_t, 32>& bytecode_sha256() const { return bytecode_sha256_; }
    void set_bytecode_sha256(const std::array<uint8_t, 32>& hash) { bytecode_sha256_ = hash; }

private:
    friend class LoadedObject;
    friend struct runtime_detail::ProgramRunStats;
    void check_admitted() const;
    // run() after its context checks (run_xdp and run_skb build a valid context).
    uint64_t run_context(void* ctx, size_t size) const;
    std::string name_, section_, attach_;
    ProgramType type_;
    const ProgramTypeInfo* info_;     // program_type_info(type_), looked up once: run() needs it every time
    std::vector<Instruction> insns_;  // the engine's instructions (kept alive for it)
    std::unique_ptr<Engine> engine_;  // thread-safe: every engine's run() is (exec.hpp)
    std::optional<uint64_t> memory_size_;
    uint32_t id_;
    LoadedObject* object_ = nullptr;
    bool admitted_under_policy_ = false;
    std::array<uint8_t, 32> bytecode_sha256_{};
    std::unique_ptr<runtime_detail::ProgramRunStats> stats_;  // run statistics (pinning.hpp)
};

// --- socket buffers (tc and socket filters) -----------------------------------
//
// The packet of a tc or socket-filter program as Linux builds it for
// BPF_PROG_TEST_RUN: a linear Ethernet frame in a buffer with room for the
// helpers that grow it (up to kMaxLength, the loopback MTU plus an Ethernet
// header), protocol and pkt_type from the Ethernet header (eth_type_trans:
// the receiving device has MAC 00:00:00:00:00:00), the network header after
// it. A tc program's data is the Ethernet header; a socket filter's is the
// network header (the Ethernet header is pulled, as the kernel's socket
// filters see it). The context (struct __sk_buff) starts zeroed apart from
// len, protocol, pkt_type, wire_len and ifindex 1 (loopback).
class SkbPacket {
public:
    static constexpr size_t kHeadroom = 256;
    static constexpr uint32_t kMaxLength = 65536 + 14;
    static constexpr size_t kEthernetHeader = 14;
    // `frame` must hold an Ethernet header (at least 14 bytes) and at most kMaxLength.
    SkbPacket(std::span<const uint8_t> frame, ProgramType type);
    SkbPacket(const SkbPacket&) = delete;
    SkbPacket& operator=(const SkbPacket&) = delete;
    SkbRuntimeContext& context() { return ctx_; }
    const SkbRuntimeContext& context() const { return ctx_; }
    // The packet from skb->data (the Ethernet header for tc, the network header for socket filters).
    std::span<const uint8_t> data() const;
    // Metadata in front of data (tc's data_meta .. data): what XDP left with bpf_xdp_adjust_meta.
    void set_metadata(std::span<const uint8_t> metadata);

private:
    std::unique_ptr<uint8_t[]> buffer_;
    size_t size_ = 0;
    SkbRuntimeContext ctx_{};
};

// --- the forwarding table of bpf_fib_lookup -------------------------------------
//
// User mode has no kernel FIB to ask: bpf_fib_lookup looks routes up in this
// table instead (one per process, as a network namespace's main table). A
// text file, one route a line, '#' comments:
//   PREFIX unicast-route-options     e.g. 10.1.0.0/16 via 10.0.0.1 dev 2 smac 02:00:00:00:00:01 dmac 02:00:00:00:00:02
//   PREFIX blackhole|unreachable|prohibit
// Options: via GATEWAY, dev IFINDEX (required), src ADDRESS, mtu N (default
// 1500), metric N, smac MAC, dmac MAC (the neighbour's: without it the
// lookup says BPF_FIB_LKUP_RET_NO_NEIGH). IPv4 and IPv6 prefixes; the
// longest prefix matches, then the lowest metric.
struct FibRoute {
    enum class Kind : uint8_t { unicast, blackhole, unreachable, prohibit };
    int family = 0;  // AF_INET or AF_INET6
    std::array<uint8_t, 16> prefix{};
    uint8_t prefix_len = 0;
    Kind kind = Kind::unicast;
    std::optional<std::array<uint8_t, 16>> gateway, source;
    uint32_t ifindex = 0, mtu = 1500, metric = 0;
    std::array<uint8_t, 6> smac{};
    std::optional<std::array<uint8_t, 6>> dmac;
};
struct FibTable {
    std::vector<FibRoute> routes;
};
// Throws ebpf::Error naming `where` and the line for bad input.
FibTable parse_fib_table(std::string_view text, const std::string& where);
// The table bpf_fib_lookup uses from now on (empty: every lookup says NOT_FWDED).
void set_fib_table(std::shared_ptr<const FibTable> table);
std::shared_ptr<const FibTable> fib_table();

// --- test runs (the BPF_PROG_TEST_RUN model) ----------------------------------
//
// Runs a program on inputs the caller gives as plain bytes, never as runtime
// structures: the runtime builds the context its program type needs.
//  * xdp               data = the packet (256 bytes of headroom and tailroom
//                      around it, as Linux); ctx = an optional struct xdp_md
//                      (24 bytes: data, data_meta and egress_ifindex 0,
//                      data_end not past the packet, rx_queue_index only
//                      with an ingress_ifindex; both are passed on), as Linux. Out: the packet after
//                      the run (bpf_xdp_adjust_head/tail applied) and xdp_md
//                      with data_end = its length.
//  * sched_cls, sched_act, socket_filter
//                      data = an Ethernet frame (at least 14 bytes, EINVAL
//                      otherwise); ctx = an optional struct __sk_buff (192
//                      bytes) where only mark, priority, ingress_ifindex,
//                      ifindex, cb, tstamp, wire_len, gso_segs, gso_size and
//                      hwtstamp may be non-zero (EINVAL otherwise), as Linux.
//                      Out: the packet after the run (for socket filters with
//                      the Ethernet header's 14 bytes zeroed, as Linux) and the
//                      __sk_buff fields Linux copies back; for tc, the tunnel
//                      metadata the program set (bpf_skb_set_tunnel_key/_opt),
//                      which the kernel keeps to itself. The packet has a
//                      socket of the calling process, as Linux's (its cgroup
//                      is what bpf_skb_under_cgroup checks).
//  * cgroup_sock_addr  ctx = struct bpf_sock_addr (72 bytes; shorter is
//                      zero-padded); no data. Out: the struct after the run.
//  * hook, raw_memory  data = the byte buffer (r1, its length in r2); no ctx.
//                      Out: the buffer after the run.
// A ctx longer than the type's struct is accepted only when the extra bytes
// are zero (E2BIG otherwise), as Linux. As Linux's BPF_PROG_TEST_RUN, the
// runs of a repeat share one packet and context (each sees what the previous
// left), and the batch is timed once: duration_ns = batch time / repeat.
struct TestRunInput {
    std::span<const uint8_t> data;
    std::span<const uint8_t> ctx;
    uint64_t repeat = 1;  // 0 counts as 1, as Linux
};
struct TestRunOutput {
    uint64_t retval = 0;
    std::vector<uint8_t> data;  // after the last run (empty for types without data)
    std::vector<uint8_t> ctx;   // after the last run (empty for types without a context)
    uint64_t duration_ns = 0;   // the batch's time divided by repeat
    std::optional<SkbTunnelInfo> tunnel;  // tc: the tunnel key the program set, if any
};
// The test run refused its input or the program type before running it;
// code() is the errno a C caller gets: EINVAL (bad input), E2BIG (non-zero
// bytes past the context struct), EOPNOTSUPP (the runtime cannot run the type).
class TestRunRefused : public Error {
public:
    TestRunRefused(int code, const std::string& message) : Error(message), code_(code) {}
    int code() const { return code_; }

private:
    int code_;
};
inline constexpr size_t kMaxTestRunBytes = size_t{64} << 20;  // data or ctx, each
// Throws TestRunRefused for bad input, ebpf::Error for run-time faults (as run()).
TestRunOutput test_run(const LoadedProgram& program, const TestRunInput& input);

// Called when a program is unloaded (hooks detach it).
using ProgramUnloadObserver = void (*)(const LoadedProgram* program);
void add_program_unload_observer(ProgramUnloadObserver observer);

// The slots of a prog_array hold LoadedProgram*; this finds one by id for the host
// API (prog_array values from the host are program ids, as kernel prog fds).
LoadedProgram* find_program_by_id(uint32_t id);

class LoadedObject {
public:
    LoadedObject(std::string path, std::vector<std::shared_ptr<Map>> maps,
                 std::vector<std::unique_ptr<LoadedProgram>> programs);
    ~LoadedObject();
    LoadedObject(const LoadedObject&) = delete;
    LoadedObject& operator=(const LoadedObject&) = delete;

    const std::string& path() const { return path_; }
    // By function name or section name; throws ebpf::Error "path: no program
    // 'x' (programs: a, b)" when absent.
    LoadedProgram& program(std::string_view name_or_section) const;
    LoadedProgram* find_program(std::string_view name_or_section) const;
    const std::vector<std::unique_ptr<LoadedProgram>>& programs() const { return programs_; }
    // By map name; throws ebpf::Error "path: no map 'x' (maps: a, b)".
    Map& map(std::string_view name) const;
    Map* find_map(std::string_view name) const;
    const std::vector<std::shared_ptr<Map>>& maps() const { return maps_; }
    // What the loader left out and why, for the host to show: programs that
    // cannot load (Program::load_error, a type the runtime cannot run) and
    // prog-array slots left empty because their target did not load.
    const std::vector<std::string>& warnings() const { return warnings_; }
    void add_warning(std::string warning) { warnings_.push_back(std::move(warning)); }

private:
    std::string path_;
    std::vector<std::string> warnings_;
    std::vector<std::shared_ptr<Map>> maps_;
    std::vector<std::unique_ptr<LoadedProgram>> programs_;
};

// Opens, verifies and loads an eBPF ELF object (interpret or jit mode), or a
// native module (a path ending in .so, or mode native). In code-integrity
// mode only native modules load (whatever the path), and an Object never does.
std::unique_ptr<LoadedObject> load_object(const std::string& path, const LoadOptions& options = {});
// Loads a signed native module built by `ebpf build`: its maps are created by
// the runtime and its programs run in native engines.
std::unique_ptr<LoadedObject> load_native_object(const std::string& path, const LoadOptions& options = {});
std::unique_ptr<LoadedObject> load_object(const Object& object, const LoadOptions& options = {});

// --- lower-level entries (native module loader) ----------------------------

// Creates an object's maps from its definitions: global data initialised,
// inner-map templates kept (not usable from programs), statically
// initialised map-in-map slots filled from `object.maps[i].inner_map`-style
// data when the loader provides it. Index i ↔ definitions[i]. The map limits
// (count, per map, total; per-CPU values × possible_cpus()) are checked for
// all definitions before the first map is allocated.
// `sharing`: LIBBPF_PIN_BY_NAME maps are pinned or reused under its pin
// root, and with share_all every shareable map lives in shared memory
// (LoadOptions::pin_root/share_maps).
struct MapSharing {
    std::string pin_root;  // empty: $EBPF_PIN_ROOT, else /run/ebpf-native
    bool share_all = false;
};
std::vector<std::shared_ptr<Map>> create_maps(std::span<const MapDefinition> definitions,
                                              const ResourceLimits& limits = {}, const MapSharing& sharing = {});
// Rewrites LDDW pseudo-map forms: kPseudoMapIdx → address of the Map object,
// kPseudoMapIdxValue → direct_value(0) + offset. Throws ebpf::Error
// "program 'x': instruction N: ..." for a bad map index or offset.
std::vector<Instruction> resolve_map_references(const std::string& program_name,
                                                std::span<const Instruction> insns,
                                                std::span<const std::shared_ptr<Map>> maps);
// What load_object does for one program before building its engine: checks
// that `maps` are the maps of `definitions` (shapes; read-only maps frozen
// with the contents the verifier sees), checks helper calls, verifies (unless
// allowed to skip), rewrites context accesses, fixes the owner type of the
// prog arrays the program names, and resolves map references. Returns the
// instructions to give an Engine.
std::vector<Instruction> prepare_program(const ebpf::Program& program,
                                         std::span<const MapDefinition> definitions,
                                         std::span<const std::shared_ptr<Map>> maps,
                                         const LoadOptions& options);
// "program 'x': instruction N: map 'm' has type sockmap (15), which the
// runtime cannot provide ..." when the program names a map of a Linux type
// the runtime does not create (map_type_provided); empty otherwise.
std::string unprovided_map_error(const ebpf::Program& program, std::span<const MapDefinition> maps);
// Builds an Engine of the requested mode over prepared instructions (throws
// for native: native modules come with their own engine).
std::unique_ptr<Engine> make_engine(ExecMode mode, std::span<const Instruction> insns,
                                    const ExecOptions& options);

// --- hooks (embedding) ---------------------------------------------------------

// Attaches a program to a named hook ("hook/<name>" sections attach to
// <name>). The host runs every program attached to a hook with run_hook().
// The returned link detaches on destruction.
class HookLink {
public:
    HookLink() = default;
    HookLink(std::string hook, const LoadedProgram* program);
    HookLink(HookLink&& other) noexcept;
    HookLink& operator=(HookLink&& other) noexcept;
    ~HookLink();
    void detach();
    bool attached() const { return program_ != nullptr; }

private:
    std::string hook_;
    const LoadedProgram* program_ = nullptr;
};
HookLink attach_hook(const LoadedProgram& program, std::string_view hook_name = {});
// Runs the programs attached to `hook_name` in attach order on the buffer
// and returns the last one's result; nullopt when none is attached. Attaching
// and detaching never wait for running hooks; unloading a program (which
// detaches it) must not race with a run_hook() that may be running it.
std::optional<uint64_t> run_hook(std::string_view hook_name, void* buffer, size_t length);

// --- tracing (bpf_printk) -------------------------------------------------------

// bpf_printk output goes to a bounded ring of fixed-size records in shared
// memory ($EBPF_TRACE_PATH, default /dev/shm/ebpf-trace-<uid>); writers never
// block: they overwrite the oldest record and count what they had to drop.
std::string trace_buffer_path();

struct TraceRecord {
    uint64_t sequence = 0;
    uint64_t timestamp_ns = 0;  // CLOCK_MONOTONIC
    uint32_t pid = 0, tid = 0, cpu = 0;
    std::string message;
};

// Reads the trace buffer from any process, from the oldest record still
// present (or only new ones with start_at_end).
class TraceReader {
public:
    explicit TraceReader(const std::string& path = trace_buffer_path(), bool start_at_end = false);
    ~TraceReader();
    TraceReader(const TraceReader&) = delete;
    TraceReader& operator=(const TraceReader&) = delete;
    // Records written since the last call (never blocks). `lost` grows by the
    // records overwritten before this reader got to them (and, for a reader
    // that starts at the oldest record, starts at the records the ring had
    // already overwritten when it was made).
    std::vector<TraceRecord> poll();
    uint64_t lost() const { return lost_; }
    // Records writers dropped because a slot was busy (all processes).
    uint64_t writer_drops() const;

private:
    struct Mapping;
    std::unique_ptr<Mapping> mapping_;
    uint64_t next_ = 0;
    uint64_t lost_ = 0;
};

// Writes one trace record (what bpf_printk does after formatting).
void trace_write(std::string_view message);

// Formats a bpf_printk / bpf_snprintf format string: %d %i %u %x %ld %li %lu
// %lx %lld %lli %llu %llx %p %c %%, at most `args.size()` conversions.
// Returns false (with `error` set) for an unsupported conversion (%s among
// them: its argument would be an address to read) or too few arguments.
bool format_bpf_string(std::string_view format, std::span<const uint64_t> args, std::string& out,
                       std::string* error = nullptr);

}  // namespace ebpf
