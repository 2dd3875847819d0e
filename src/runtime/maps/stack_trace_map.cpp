// BPF_MAP_TYPE_STACK_TRACE: stack ids → arrays of instruction addresses,
// filled by bpf_get_stackid. Only tracing programs may call it on Linux, and
// the runtime runs none, so in user mode the map is created (objects that
// define one load), starts and stays empty for programs, and the host may
// look ids up (ENOENT) and delete them, as Linux.
#include "ebpf/error.hpp"
#include "map_types.hpp"

namespace ebpf::runtime_detail {
namespace {

constexpr uint32_t kMaxStackDepth = 127;  // Linux sysctl_perf_event_max_stack default
constexpr uint32_t kBuildIdEntry = 32;    // struct bpf_stack_build_id

class StackTraceMap final : public Map {
public:
    using Map::Map;
    int64_t get_next_key(const void*, void*) override { return -ENOENT; }
    // Every id is empty: user mode records no stacks.
    int64_t host_lookup(const void*, void*) const override { return -ENOENT; }
    int64_t update_from_host(const void*, const void*, uint64_t) override { return -EINVAL; }  // as Linux
    int64_t delete_from_host(const void* key) override {
        uint32_t id;
        std::memcpy(&id, key, 4);
        uint64_t buckets = 1;  // Linux: max_entries rounded up to a power of two
        while (buckets < max_entries()) buckets <<= 1;
        return id >= buckets ? -E2BIG : -ENOENT;
    }
};

}  // namespace

std::shared_ptr<Map> make_stack_trace_map(const MapDefinition& d) {
    const std::string where = "map '" + d.name + "': stack_trace ";
    if (d.map_flags & ~(kMapFlagNumaNode | kMapFlagRdonly | kMapFlagWronly | kMapFlagStackBuildId))
        throw Error(where + "does not take map_flags " + std::to_string(d.map_flags) + " (EINVAL, as Linux)");
    const uint32_t entry = (d.map_flags & kMapFlagStackBuildId) ? kBuildIdEntry : 8;
    if (d.key_size != 4) throw Error(where + "key size must be 4, got " + std::to_string(d.key_size));
    if (d.value_size < entry || d.value_size % entry != 0 || d.value_size / entry > kMaxStackDepth)
        throw Error(where + "value size must be a multiple of " + std::to_string(entry) + " bytes, at most " +
                    std::to_string(kMaxStackDepth) + " frames, got " + std::to_string(d.value_size));
    if (d.max_entries == 0) throw Error(where + "max_entries must not be 0");
    if (d.max_entries > (1u << 31)) throw Error(where + "max_entries is too large (E2BIG)");
    return std::make_shared<StackTraceMap>(d);
}

}  // namespace ebpf::runtime_detail
