// The redirect maps and the cgroup array: slots that name something outside
// the program, which programs use through helpers (bpf_redirect_map,
// bpf_skb_under_cgroup) and the host reads to carry the action out.
//  * devmap (14) / devmap_hash (25): ports, value struct bpf_devmap_val
//    {u32 ifindex; u32 program id} (4 or 8 bytes); the ifindex must exist
//    (device_exists); the program, when given, is an XDP program of section
//    "xdp/devmap" run on the frame before it leaves (as BPF_XDP_DEVMAP).
//  * cpumap (16): CPUs (the host's workers), value struct bpf_cpumap_val
//    {u32 qsize; u32 program id}; qsize 0 empties the slot; programs of
//    section "xdp/cpumap".
//  * xskmap (17): AF_XDP-like sockets (XskSocket) by id; programs see the
//    socket's queue id (struct bpf_xdp_sock) when they look an entry up.
//  * cgroup_array (8): cgroups. As Linux, the host writes a cgroup v2
//    directory's fd (anything else is EBADF); the slot keeps the cgroup's id
//    (its directory's inode number), which bpf_skb_under_cgroup compares with
//    the calling process's cgroup and its ancestors (cgroup.cpp). The host
//    cannot read a slot back (ENOTSUPP, as Linux); cgroup_array_id can.
// Programs may look devmap/devmap_hash/xskmap entries up, read-only (the
// verifier refuses writes, as Linux's BPF_F_RDONLY_PROG on devmaps). Values
// live in fixed, 8-byte slots, so a pointer a program holds always points at
// map memory.
#include <algorithm>
#include <shared_mutex>
#include <unordered_map>

#include "ebpf/error.hpp"
#include "map_types.hpp"

namespace ebpf::runtime_detail {
namespace {

constexpr int64_t kEnotsupp = 524;             // Linux ENOTSUPP
constexpr uint32_t kMaxCpumapEntries = 8192;  // Linux NR_CPUS of distribution kernels
constexpr uint32_t kMaxCpumapQueue = 16384;   // Linux's sanity limit on qsize

uint32_t read_u32(const void* p, size_t offset = 0) {
    uint32_t v;
    std::memcpy(&v, static_cast<const uint8_t*>(p) + offset, 4);
    return v;
}

// A program id in a devmap/cpumap value: a loaded XDP program whose section
// says it is meant for such entries (Linux's expected_attach_type).
bool entry_program_ok(uint32_t id, std::string_view attach) {
    if (id == 0) return true;
    const LoadedProgram* program = find_program_by_id(id);
    return program && program->type() == ProgramType::xdp && program->attach() == attach;
}

// Slots indexed by key < max_entries.
class SlotMap final : public Map {
public:
    explicit SlotMap(const MapDefinition& definition)
        : Map(definition), words_(definition.max_entries, 0), present_(definition.max_entries),
          sockets_(definition.type == MapType::xskmap ? definition.max_entries : 0) {}

    void* lookup_elem(const void* key) override {
        const uint32_t index = read_u32(key);
        if (index >= max_entries() || !present_[index].load(std::memory_order_acquire)) return nullptr;
        return &words_[index];
    }
    int64_t update_elem(const void*, const void*, uint64_t) override { return -EINVAL; }  // verifier refuses
    int64_t delete_elem(const void*) override { return -EINVAL; }
    int64_t get_next_key(const void* key, void* next_key) override {
        return next_array_index(key, max_entries(), next_key);
    }

    int64_t host_lookup(const void* key, void* host_value) const override {
        const uint32_t index = read_u32(key);
        if (type() == MapType::xskmap) return -EOPNOTSUPP;  // as Linux: a socket is not a value
        if (type() == MapType::cgroup_array) return -kEnotsupp;  // as Linux: an fd array without a lookup
        if (index >= max_entries() || !present_[index].load(std::memory_order_acquire)) return -ENOENT;
        uint64_t word = __atomic_load_n(&words_[index], __ATOMIC_RELAXED);
        std::memcpy(host_value, &word, value_size());
        return 0;
    }

    int64_t update_from_host(const void* key, const void* value, uint64_t flags) override {
        if (flags > kUpdateExist) return -EINVAL;
        const uint32_t index = read_u32(key);
        if (index >= max_entries()) return -E2BIG;
        std::lock_guard lock(mutex_);
        const bool present = present_[index].load(std::memory_order_relaxed);
        const uint32_t first = read_u32(value);
        const uint32_t program = value_size() >= 8 ? read_u32(value, 4) : 0;
        switch (type()) {
        case MapType::devmap:
            // Array-like: every slot exists (BPF_NOEXIST fails); ifindex 0 empties it.
            if (flags == kUpdateNoExist) return -EEXIST;
            if (first == 0) {
                if (program != 0) return -EINVAL;
                return clear(index);
            }
            if (!device_exists(first) || !entry_program_ok(program, "devmap")) return -EINVAL;
            return store(index, first, program);
        case MapType::cpumap:
            if (flags == kUpdateNoExist) return -EEXIST;
            if (first > kMaxCpumapQueue) return -EOVERFLOW;
            if (index >= possible_cpus()) return -ENODEV;
            if (first == 0) return clear(index);
            if (!entry_program_ok(program, "cpumap")) return -EINVAL;
            return store(index, first, program);
        case MapType::xskmap: {
            if (flags == kUpdateNoExist && present) return -EEXIST;
            if (flags == kUpdateExist && !present) return -ENOENT;
            std::shared_ptr<XskSocket> socket = find_xsk_socket(first);
            if (!socket) return -ENOTSOCK;  // as Linux for an fd that is no AF_XDP socket
            sockets_[index] = socket;
            return store(index, socket->queue_id(), 0);
        }
        default: {  // cgroup_array: an fd array (Linux accepts only BPF_ANY)
            if (flags != kUpdateAny) return -EINVAL;
            const std::optional<uint64_t> cgroup = cgroup_id_of_fd(static_cast<int>(first));
            if (!cgroup) return -EBADF;
            __atomic_store_n(&words_[index], *cgroup, __ATOMIC_RELAXED);
            present_[index].store(true, std::memory_order_release);
            return 0;
        }
        }
    }

    int64_t delete_from_host(const void* key) override {
        const uint32_t index = read_u32(key);
        // Linux: devmap, cpumap and xskmap say EINVAL out of range and succeed
        // on an empty slot; fd arrays (cgroup_array) say E2BIG and ENOENT.
        if (index >= max_entries()) return type() == MapType::cgroup_array ? -E2BIG : -EINVAL;
        std::lock_guard lock(mutex_);
        if (type() == MapType::cgroup_array && !present_[index].load(std::memory_order_relaxed)) return -ENOENT;
        return clear(index);
    }

    // A cgroup_array's cgroup id at `index`.
    std::optional<uint64_t> cgroup(uint32_t index) const {
        if (index >= max_entries() || !present_[index].load(std::memory_order_acquire)) return std::nullopt;
        return __atomic_load_n(&words_[index], __ATOMIC_RELAXED);
    }

    std::optional<RedirectEntry> entry(uint32_t index) const {
        if (index >= max_entries() || !present_[index].load(std::memory_order_acquire)) return std::nullopt;
        const uint64_t word = __atomic_load_n(&words_[index], __ATOMIC_RELAXED);
        RedirectEntry out;
        out.key = index;
        out.value = static_cast<uint32_t>(word);
        out.program_id = value_size() >= 8 ? static_cast<uint32_t>(word >> 32) : 0;
        if (type() == MapType::xskmap) {
            std::lock_guard lock(mutex_);
            out.socket = sockets_[index];
            if (!out.socket) return std::nullopt;
        }
        return out;
    }

private:
    int64_t store(uint32_t index, uint32_t first, uint32_t second) {
        __atomic_store_n(&words_[index], uint64_t{first} | (uint64_t{second} << 32), __ATOMIC_RELAXED);
        present_[index].store(true, std::memory_order_release);
        return 0;
    }
    int64_t clear(uint32_t index) {
        present_[index].store(false, std::memory_order_release);
        if (!sockets_.empty()) sockets_[index].reset();
        return 0;
    }

    std::vector<uint64_t> words_;
    std::vector<std::atomic<bool>> present_;
    mutable std::mutex mutex_;  // host writers, and sockets_
    std::vector<std::shared_ptr<XskSocket>> sockets_;
};

// devmap_hash: any u32 key, at most max_entries of them.
class DevmapHash final : public Map {
public:
    explicit DevmapHash(const MapDefinition& definition) : Map(definition), words_(definition.max_entries, 0) {
        free_.reserve(definition.max_entries);
        for (uint32_t i = definition.max_entries; i > 0; --i) free_.push_back(i - 1);
    }

    void* lookup_elem(const void* key) override {
        std::shared_lock lock(mutex_);
        auto it = index_.find(read_u32(key));
        return it == index_.end() ? nullptr : &words_[it->second];
    }
    int64_t update_elem(const void*, const void*, uint64_t) override { return -EINVAL; }
    int64_t delete_elem(const void*) override { return -EINVAL; }
    int64_t get_next_key(const void* key, void* next_key) override {
        std::shared_lock lock(mutex_);
        std::vector<uint32_t> keys = sorted_keys();
        uint32_t next;
        if (key) {
            auto it = std::upper_bound(keys.begin(), keys.end(), read_u32(key));
            // A key that is not there starts again at the first, as Linux.
            if (!index_.contains(read_u32(key))) it = keys.begin();
            if (it == keys.end()) return -ENOENT;
            next = *it;
        } else {
            if (keys.empty()) return -ENOENT;
            next = keys.front();
        }
        std::memcpy(next_key, &next, 4);
        return 0;
    }
    int64_t host_lookup(const void* key, void* host_value) const override {
        std::shared_lock lock(mutex_);
        auto it = index_.find(read_u32(key));
        if (it == index_.end()) return -ENOENT;
        uint64_t word = __atomic_load_n(&words_[it->second], __ATOMIC_RELAXED);
        std::memcpy(host_value, &word, value_size());
        return 0;
    }
    int64_t update_from_host(const void* key, const void* value, uint64_t flags) override {
        const uint32_t ifindex = read_u32(value);
        const uint32_t program = value_size() >= 8 ? read_u32(value, 4) : 0;
        if (flags > kUpdateExist || ifindex == 0) return -EINVAL;
        std::unique_lock lock(mutex_);
        auto it = index_.find(read_u32(key));
        if (it != index_.end() && flags == kUpdateNoExist) return -EEXIST;
        if (it == index_.end() && flags == kUpdateExist) return -ENOENT;
        if (!device_exists(ifindex) || !entry_program_ok(program, "devmap")) return -EINVAL;
        if (it == index_.end()) {
            if (free_.empty()) return -E2BIG;
            it = index_.emplace(read_u32(key), free_.back()).first;
            free_.pop_back();
        }
        __atomic_store_n(&words_[it->second], uint64_t{ifindex} | (uint64_t{program} << 32), __ATOMIC_RELAXED);
        return 0;
    }
    int64_t delete_from_host(const void* key) override {
        std::unique_lock lock(mutex_);
        auto it = index_.find(read_u32(key));
        if (it == index_.end()) return -ENOENT;
        free_.push_back(it->second);
        index_.erase(it);
        return 0;
    }

    std::optional<RedirectEntry> entry(uint32_t key) const {
        std::shared_lock lock(mutex_);
        auto it = index_.find(key);
        if (it == index_.end()) return std::nullopt;
        const uint64_t word = __atomic_load_n(&words_[it->second], __ATOMIC_RELAXED);
        return RedirectEntry{key, static_cast<uint32_t>(word), value_size() >= 8 ? static_cast<uint32_t>(word >> 32) : 0, {}};
    }

    std::vector<RedirectEntry> entries() const {
        std::shared_lock lock(mutex_);
        std::vector<RedirectEntry> out;
        for (uint32_t key : sorted_keys()) {
            const uint64_t word = __atomic_load_n(&words_[index_.at(key)], __ATOMIC_RELAXED);
            out.push_back({key, static_cast<uint32_t>(word), value_size() >= 8 ? static_cast<uint32_t>(word >> 32) : 0, {}});
        }
        return out;
    }

private:
    std::vector<uint32_t> sorted_keys() const {
        std::vector<uint32_t> keys;
        keys.reserve(index_.size());
        for (const auto& [key, slot] : index_) keys.push_back(key);
        std::sort(keys.begin(), keys.end());
        return keys;
    }
    std::vector<uint64_t> words_;  // fixed: a program's pointer stays in map memory
    mutable std::shared_mutex mutex_;
    std::unordered_map<uint32_t, uint32_t> index_;  // key -> slot in words_
    std::vector<uint32_t> free_;
};

void check_flags(const MapDefinition& d, uint32_t allowed) {
    if (d.map_flags & ~allowed)
        throw Error("map '" + d.name + "': " + std::string(map_type_name(d.type)) + " does not take map_flags 0x" +
                    [](uint32_t v) {
                        char text[16];
                        std::snprintf(text, sizeof text, "%x", v);
                        return std::string(text);
                    }(d.map_flags & ~allowed) + " (EINVAL, as Linux)");
}

}  // namespace

// Creation rules as Linux's map_alloc_check of each type (EINVAL unless said).
void check_redirect_map_definition(const MapDefinition& d) {
    const std::string where = "map '" + d.name + "': " + std::string(map_type_name(d.type)) + " ";
    if (d.key_size != 4) throw Error(where + "key size must be 4, got " + std::to_string(d.key_size));
    const bool with_program = d.type == MapType::devmap || d.type == MapType::devmap_hash || d.type == MapType::cpumap;
    if (with_program ? (d.value_size != 4 && d.value_size != 8) : d.value_size != 4)
        throw Error(where + "value size must be " + (with_program ? "4 or 8" : "4") + ", got " + std::to_string(d.value_size));
    if (d.max_entries == 0) throw Error(where + "max_entries must not be 0");
    const uint32_t host_access = kMapFlagNumaNode | kMapFlagRdonly | kMapFlagWronly;
    if (d.type == MapType::cpumap) {
        check_flags(d, kMapFlagNumaNode);
        if (d.max_entries > kMaxCpumapEntries)
            throw Error(where + "max_entries " + std::to_string(d.max_entries) + " is more than " +
                        std::to_string(kMaxCpumapEntries) + " CPUs (E2BIG)");
    } else {
        check_flags(d, host_access);
    }
}

std::shared_ptr<Map> make_redirect_map(const MapDefinition& definition) {
    check_redirect_map_definition(definition);
    if (definition.type == MapType::devmap_hash) return std::make_shared<DevmapHash>(definition);
    return std::make_shared<SlotMap>(definition);
}

}  // namespace ebpf::runtime_detail

namespace ebpf {

using namespace runtime_detail;

std::optional<RedirectEntry> redirect_entry(const Map& map, uint32_t key) {
    if (auto* slots = dynamic_cast<const SlotMap*>(&map); slots && map.type() != MapType::cgroup_array)
        return slots->entry(key);
    if (auto* hash = dynamic_cast<const DevmapHash*>(&map)) return hash->entry(key);
    throw Error("map '" + map.name() + "': not a devmap, devmap_hash, cpumap or xskmap (type " +
                std::string(map_type_name(map.type())) + ")");
}

std::optional<uint64_t> cgroup_array_id(const Map& map, uint32_t index) {
    auto* slots = dynamic_cast<const SlotMap*>(&map);
    if (!slots || map.type() != MapType::cgroup_array)
        throw Error("map '" + map.name() + "': not a cgroup_array (type " + std::string(map_type_name(map.type())) + ")");
    return slots->cgroup(index);
}

std::vector<RedirectEntry> redirect_entries(const Map& map) {
    if (auto* hash = dynamic_cast<const DevmapHash*>(&map)) return hash->entries();
    std::vector<RedirectEntry> out;
    for (uint32_t key = 0; key < map.max_entries(); ++key)
        if (auto entry = redirect_entry(map, key)) out.push_back(std::move(*entry));
    return out;
}

}  // namespace ebpf
