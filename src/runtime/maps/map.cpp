// The Map base: identity, the checked host API over the errno-style
// operations, the process-wide map registry, and create_map().
#include <algorithm>
#include <map>
#include <shared_mutex>
#include <string>

#include "ebpf/error.hpp"
#include "map_types.hpp"

namespace ebpf {
namespace runtime_detail {
namespace {

struct MapRegistry {
    std::mutex mutex;
    uint32_t next_id = 1;
    std::map<uint32_t, std::weak_ptr<Map>> by_id;
};
MapRegistry& registry() {
    static MapRegistry instance;
    return instance;
}

const char* errno_text(int64_t result) {
    switch (-result) {
    case EEXIST: return "key already exists (EEXIST)";
    case ENOENT: return "no such key (ENOENT)";
    case E2BIG: return "map is full or index out of range (E2BIG)";
    case EINVAL: return "operation not supported by this map type, bad flags or a bad value such as an ifindex that does not exist (EINVAL)";
    case EBUSY: return "map is busy (EBUSY)";
    case ENOMEM: return "out of memory (ENOMEM)";
    case EOPNOTSUPP: return "not supported for this map type (EOPNOTSUPP)";
    case EBADF: return "no such descriptor (EBADF)";
    case ENOTSOCK: return "no such socket (ENOTSOCK)";
    case EOVERFLOW: return "value too large (EOVERFLOW)";
    case ENODEV: return "no such device or CPU (ENODEV)";
    case 524: return "not supported for this map type (ENOTSUPP)";
    case EPERM: return "the map is frozen: programs may only read it, and the host may no longer write it (EPERM)";
    default: return "failed";
    }
}

}  // namespace

static uint32_t allocate_map_id() {
    std::lock_guard lock(registry().mutex);
    return registry().next_id++;
}

void register_map(const std::shared_ptr<Map>& map) {
    std::lock_guard lock(registry().mutex);
    auto& by_id = registry().by_id;
    by_id[map->id()] = map;
    // Drop entries of destroyed maps now and then.
    if (by_id.size() % 64 == 0) std::erase_if(by_id, [](const auto& entry) { return entry.second.expired(); });
}

std::vector<std::shared_ptr<Map>> live_maps() {
    std::lock_guard lock(registry().mutex);
    std::vector<std::shared_ptr<Map>> maps;
    for (auto& [id, weak] : registry().by_id) {
        if (auto map = weak.lock()) maps.push_back(std::move(map));
    }
    return maps;
}

int64_t for_each_element(Map& map, const ElementVisitor& visit) {
    auto* iterable = dynamic_cast<IterableMap*>(&map);
    return iterable ? iterable->for_each(visit) : -EINVAL;
}

}  // namespace runtime_detail

using namespace runtime_detail;

Map::Map(const MapDefinition& definition) : definition_(definition), id_(allocate_map_id()) {}
Map::~Map() = default;

bool Map::is_per_cpu() const {
    return type() == MapType::percpu_array || type() == MapType::percpu_hash ||
           type() == MapType::lru_percpu_hash;
}

uint32_t Map::host_value_size() const {
    switch (type()) {
    case MapType::prog_array:
    case MapType::array_of_maps:
    case MapType::hash_of_maps: return 4;  // a program or map id, as the kernel's fds
    default: break;
    }
    return is_per_cpu() ? round8(value_size()) * (value_cpus_ ? value_cpus_ : possible_cpus()) : value_size();
}

void Map::fail(const std::string& what) const { throw Error("map '" + name() + "': " + what); }

#define EBPF_CHECK_SIZE(what, got, want)                                                          \
    do {                                                                                          \
        if ((got) != (want))                                                                      \
            fail(std::string(what) + " size is " + std::to_string(want) + " bytes, got " +       \
                 std::to_string(got));                                                            \
    } while (0)

std::optional<std::vector<uint8_t>> Map::lookup(std::span<const uint8_t> key) const {
    EBPF_CHECK_SIZE("key", key.size(), key_size());
    std::vector<uint8_t> value(host_value_size());
    int64_t result = host_lookup(key.data(), value.data());
    if (result == -ENOENT) return std::nullopt;
    if (result < 0) fail(std::string("lookup: ") + errno_text(result));
    return value;
}

void Map::update(std::span<const uint8_t> key, std::span<const uint8_t> value, uint64_t flags) {
    EBPF_CHECK_SIZE("key", key.size(), key_size());
    EBPF_CHECK_SIZE("value", value.size(), host_value_size());
    if (flags > kUpdateExist) fail("update: flags must be BPF_ANY (0), BPF_NOEXIST (1) or BPF_EXIST (2)");
    int64_t result = host_update(key.data(), value.data(), flags);
    if (result < 0) fail(std::string("update: ") + errno_text(result));
}

bool Map::remove(std::span<const uint8_t> key) {
    EBPF_CHECK_SIZE("key", key.size(), key_size());
    int64_t result = host_delete(key.data());
    if (result == -ENOENT) return false;
    if (result < 0) fail(std::string("delete: ") + errno_text(result));
    return true;
}

std::optional<std::vector<uint8_t>> Map::next_key(std::span<const uint8_t> key) const {
    if (!key.empty()) EBPF_CHECK_SIZE("key", key.size(), key_size());
    std::vector<uint8_t> next(key_size());
    int64_t result = host_get_next_key(key.empty() ? nullptr : key.data(), next.data());
    if (result == -ENOENT) return std::nullopt;
    if (result < 0) fail(std::string("get_next_key: ") + errno_text(result));
    return next;
}

std::vector<std::vector<uint8_t>> Map::keys() const {
    std::vector<std::vector<uint8_t>> all;
    auto key = next_key();
    // Bounded: a map never holds more than max_entries keys, and concurrent
    // updates could otherwise make iteration run forever (a key deleted under
    // the iterator restarts it from the first key, as on Linux).
    while (key && all.size() < max_entries()) {
        all.push_back(*key);
        key = next_key(*key);
    }
    return all;
}

void Map::push(std::span<const uint8_t> value, uint64_t flags) {
    EBPF_CHECK_SIZE("value", value.size(), value_size());
    if (flags > kUpdateExist) fail("push: flags must be BPF_ANY (0) or BPF_EXIST (2)");
    if (frozen()) fail(std::string("push: ") + errno_text(-EPERM));
    int64_t result = push_elem(value.data(), flags);
    if (result < 0) fail(std::string("push: ") + errno_text(result));
}

std::optional<std::vector<uint8_t>> Map::pop() {
    if (frozen()) fail(std::string("pop: ") + errno_text(-EPERM));
    std::vector<uint8_t> value(value_size());
    int64_t result = pop_elem(value.data());
    if (result == -ENOENT) return std::nullopt;
    if (result < 0) fail(std::string("pop: ") + errno_text(result));
    return value;
}

std::optional<std::vector<uint8_t>> Map::peek() const {
    std::vector<uint8_t> value(value_size());
    int64_t result = const_cast<Map*>(this)->peek_elem(value.data());
    if (result == -ENOENT) return std::nullopt;
    if (result < 0) fail(std::string("peek: ") + errno_text(result));
    return value;
}

#undef EBPF_CHECK_SIZE

// Defaults: operations a family does not support fail as on Linux.
void* Map::lookup_elem(const void*) { return nullptr; }
int64_t Map::update_elem(const void*, const void*, uint64_t) { return -EINVAL; }
int64_t Map::delete_elem(const void*) { return -EINVAL; }
int64_t Map::get_next_key(const void*, void*) { return -EINVAL; }
int64_t Map::push_elem(const void*, uint64_t) { return -EINVAL; }
int64_t Map::pop_elem(void*) { return -EINVAL; }
int64_t Map::peek_elem(void*) { return -EINVAL; }
void* Map::direct_value(uint32_t) { return nullptr; }
int64_t Map::host_lookup(const void*, void*) const { return -EINVAL; }
int64_t Map::host_update(const void* key, const void* value, uint64_t flags) {
    return frozen() ? -EPERM : update_from_host(key, value, flags);
}
int64_t Map::host_delete(const void* key) { return frozen() ? -EPERM : delete_from_host(key); }
int64_t Map::update_from_host(const void* key, const void* value, uint64_t flags) {
    return update_elem(key, value, flags);
}
int64_t Map::delete_from_host(const void* key) { return delete_elem(key); }
int64_t Map::host_get_next_key(const void* key, void* next) const {
    return const_cast<Map*>(this)->get_next_key(key, next);
}

std::shared_ptr<Map> create_map(const MapDefinition& definition, const ResourceLimits& limits) {
    const std::string where = "map '" + definition.name + "': ";
    check_map_limits(std::span<const MapDefinition>(&definition, 1), limits, possible_cpus());
    std::shared_ptr<Map> map;
    switch (definition.type) {
    case MapType::array:
    case MapType::percpu_array: map = make_array_map(definition); break;
    case MapType::hash:
    case MapType::percpu_hash:
    case MapType::lru_hash:
    case MapType::lru_percpu_hash: map = make_hash_map(definition); break;
    case MapType::prog_array: map = make_prog_array(definition); break;
    case MapType::ringbuf: map = make_ringbuf_map(definition); break;
    case MapType::queue:
    case MapType::stack: map = make_queue_stack_map(definition); break;
    case MapType::lpm_trie: map = make_lpm_trie_map(definition); break;
    case MapType::perf_event_array: map = make_perf_event_array(definition); break;
    case MapType::stack_trace: map = make_stack_trace_map(definition); break;
    case MapType::cgroup_array:
    case MapType::devmap:
    case MapType::devmap_hash:
    case MapType::cpumap:
    case MapType::xskmap: map = make_redirect_map(definition); break;
    case MapType::array_of_maps:
    case MapType::hash_of_maps:
        throw Error(where + std::string(map_type_name(definition.type)) +
                    " needs its inner map's definition: use create_maps()");
    case MapType::unspec: break;
    }
    if (!map) throw Error(where + "unsupported map type " + std::to_string(static_cast<uint32_t>(definition.type)));
    register_map(map);
    return map;
}

std::shared_ptr<Map> find_map_by_id(uint32_t id) {
    std::lock_guard lock(registry().mutex);
    auto it = registry().by_id.find(id);
    return it == registry().by_id.end() ? nullptr : it->second.lock();
}

size_t ringbuf_consume(Map& map, const std::function<void(std::span<const uint8_t>)>& on_record) {
    auto* ring = dynamic_cast<RingBufMap*>(&map);
    if (!ring) throw Error("map '" + map.name() + "': not a ring buffer (type " + std::string(map_type_name(map.type())) + ")");
    return ring->consume([&](std::span<const uint8_t> record) {
        on_record(record);
        return true;
    });
}

size_t ringbuf_consume_until(Map& map, const std::function<bool(std::span<const uint8_t>)>& on_record) {
    auto* ring = dynamic_cast<RingBufMap*>(&map);
    if (!ring) throw Error("map '" + map.name() + "': not a ring buffer (type " + std::string(map_type_name(map.type())) + ")");
    return ring->consume(on_record);
}

uint64_t ringbuf_available(Map& map) {
    auto* ring = dynamic_cast<RingBufMap*>(&map);
    if (!ring) throw Error("map '" + map.name() + "': not a ring buffer (type " + std::string(map_type_name(map.type())) + ")");
    return ring->query(0);
}

}  // namespace ebpf
