// Map lookup/update throughput per map type, from 1, 2 and N threads (N = the
// machine's hardware threads; all on the same map). Operations go through the
// program-side map API that the helpers call, inside a CpuScope as during a
// program run. Lookups must scale with threads: none writes a shared cache
// line. insert_delete on an LRU map runs on a full map (each insert evicts).
#include <benchmark/benchmark.h>

#include <stdlib.h>

#include <chrono>
#include <cstring>
#include <random>
#include <thread>
#include <filesystem>
#include <map>
#include <mutex>

#include "ebpf/pinning.hpp"
#include "ebpf/runtime.hpp"

namespace {

using ebpf::MapType;
constexpr uint32_t kEntries = 1024;
constexpr uint32_t kLpmPrefixes = 10'000;

struct LpmKey {
    uint32_t prefixlen;
    uint32_t addr;  // network order; random bits are as good as any
};

ebpf::MapDefinition definition(MapType type, uint32_t key_size, uint32_t value_size, uint32_t max_entries) {
    ebpf::MapDefinition d;
    d.name = std::string(ebpf::map_type_name(type));
    d.type = type;
    d.key_size = key_size;
    d.value_size = value_size;
    d.max_entries = max_entries;
    return d;
}

// One prefilled map per type, shared by the benchmark's threads.
ebpf::Map& shared_map(MapType type) {
    static std::mutex mutex;
    static std::map<MapType, std::shared_ptr<ebpf::Map>> maps;
    std::lock_guard lock(mutex);
    auto& map = maps[type];
    if (map) return *map;
    if (type == MapType::lpm_trie) {
        // 10,000 random IPv4 prefixes of 8..32 bits (a routing-table-sized set).
        ebpf::MapDefinition d = definition(type, 8, 8, kLpmPrefixes);
        d.map_flags = ebpf::kMapFlagNoPrealloc;
        map = ebpf::create_map(d);
        std::mt19937 random(42);
        ebpf::CpuScope cpu;
        for (uint32_t i = 0; i < kLpmPrefixes;) {
            LpmKey key{8 + static_cast<uint32_t>(random() % 25), static_cast<uint32_t>(random())};
            uint64_t value = i;
            if (map->update_elem(&key, &value, ebpf::kUpdateNoExist) == 0) ++i;
        }
        return *map;
    }
    map = ebpf::create_map(definition(type, 4, 8, kEntries));
    ebpf::CpuScope cpu;
    for (uint32_t k = 0; k < kEntries; ++k) {
        uint64_t value = k;
        map->update_elem(&k, &value, 0);
    }
    return *map;
}

// The same maps in shared memory (ebpf/pinning.hpp), under a temporary pin
// root removed at exit: the cost of a pinned-map operation against the
// in-process one above.
struct TempPinRoot {
    std::string path;
    TempPinRoot() {
        char pattern[] = "/tmp/ebpf-bench-pin-XXXXXX";
        path = mkdtemp(pattern);
    }
    ~TempPinRoot() { std::filesystem::remove_all(path); }
};

ebpf::Map& pinned_map(MapType type) {
    static TempPinRoot root;
    static std::mutex mutex;
    static std::map<MapType, std::shared_ptr<ebpf::Map>> maps;
    std::lock_guard lock(mutex);
    auto& map = maps[type];
    if (map) return *map;
    map = ebpf::create_shared_map(definition(type, 4, 8, kEntries), root.path);
    ebpf::CpuScope cpu;
    for (uint32_t k = 0; k < kEntries; ++k) {
        uint64_t value = k;
        map->update_elem(&k, &value, 0);
    }
    return *map;
}

ebpf::Map& bench_map(MapType type, bool pinned) { return pinned ? pinned_map(type) : shared_map(type); }

// A program that returns at once, run with statistics off and on: the cost
// of collecting run count and run time (two clock reads and two stores).
void BM_RunStats(benchmark::State& state, bool stats) {
    using namespace ebpf;
    static std::unique_ptr<LoadedProgram> program = [] {
        std::vector<Instruction> insns = {make_instruction(0xb7, 0, 0, 0, 0), make_instruction(0x95)};
        auto engine = make_engine(ExecMode::jit, insns, {});
        return std::make_unique<LoadedProgram>("empty", "hook/bench", ProgramType::hook, "bench", insns, std::move(engine));
    }();
    set_program_stats(stats);
    uint8_t buffer[8] = {};
    for (auto _ : state) benchmark::DoNotOptimize(program->run(buffer, sizeof buffer));
    set_program_stats(false);
    state.SetItemsProcessed(static_cast<int64_t>(state.iterations()));
}

void BM_Lookup(benchmark::State& state, MapType type, bool pinned) {
    ebpf::Map& map = bench_map(type, pinned);
    ebpf::CpuScope cpu;
    uint32_t key = static_cast<uint32_t>(state.thread_index()) * 97;
    for (auto _ : state) {
        key = (key + 13) % kEntries;
        benchmark::DoNotOptimize(map.lookup_elem(&key));
    }
    state.SetItemsProcessed(static_cast<int64_t>(state.iterations()));
}

void BM_Update(benchmark::State& state, MapType type, bool pinned) {
    ebpf::Map& map = bench_map(type, pinned);
    ebpf::CpuScope cpu;
    uint32_t key = static_cast<uint32_t>(state.thread_index()) * 97;
    uint64_t value = 1;
    for (auto _ : state) {
        key = (key + 13) % kEntries;
        benchmark::DoNotOptimize(map.update_elem(&key, &value, 0));
    }
    state.SetItemsProcessed(static_cast<int64_t>(state.iterations()));
}

// Insert and delete of fresh keys: element allocation, retirement and reuse.
void BM_InsertDelete(benchmark::State& state, MapType type, bool pinned) {
    ebpf::Map& map = bench_map(type, pinned);
    uint32_t key = kEntries + static_cast<uint32_t>(state.thread_index()) * 1'000'000;
    uint64_t value = 1;
    for (auto _ : state) {
        ebpf::CpuScope cpu;  // one "run" per pair, so retired elements get reused
        ++key;
        map.update_elem(&key, &value, 0);
        map.delete_elem(&key);
    }
    state.SetItemsProcessed(static_cast<int64_t>(state.iterations()) * 2);
}

// Inserts of fresh keys into a full LRU map: every insert evicts (the
// CLOCK list's head), the steady state of a connection-tracking table. Its
// own map, so that the shared maps above keep their keys. own_lru: with
// BPF_F_NO_COMMON_LRU (each CPU evicts from its own list).
void BM_InsertEvict(benchmark::State& state, MapType type, bool own_lru) {
    static std::mutex mutex;
    static std::map<std::pair<MapType, bool>, std::shared_ptr<ebpf::Map>> maps;
    ebpf::Map* map;
    {
        std::lock_guard lock(mutex);
        auto& slot = maps[{type, own_lru}];
        if (!slot) {
            ebpf::MapDefinition d = definition(type, 4, 8, kEntries);
            if (own_lru) d.map_flags = ebpf::kMapFlagNoCommonLru;
            slot = ebpf::create_map(d);
            ebpf::CpuScope cpu;
            for (uint32_t k = 0; k < kEntries; ++k) {
                uint64_t value = k;
                slot->update_elem(&k, &value, 0);
            }
        }
        map = slot.get();
    }
    uint32_t key = kEntries + static_cast<uint32_t>(state.thread_index()) * 100'000'000;
    uint64_t value = 1;
    for (auto _ : state) {
        ebpf::CpuScope cpu;
        ++key;
        benchmark::DoNotOptimize(map->update_elem(&key, &value, 0));
    }
    state.SetItemsProcessed(static_cast<int64_t>(state.iterations()));
}

// Lookups of random /32 addresses (most match some shorter prefix).
void BM_LpmLookup(benchmark::State& state) {
    ebpf::Map& map = shared_map(MapType::lpm_trie);
    ebpf::CpuScope cpu;
    std::vector<LpmKey> keys(4096);
    std::mt19937 random(7 + static_cast<uint32_t>(state.thread_index()));
    for (LpmKey& key : keys) key = {32, static_cast<uint32_t>(random())};
    size_t i = 0;
    for (auto _ : state) {
        benchmark::DoNotOptimize(map.lookup_elem(&keys[i++ & 4095]));
    }
    state.SetItemsProcessed(static_cast<int64_t>(state.iterations()));
}

// IPv6: 10,000 prefixes of /16../128 (key 4 + 16 bytes), either with random
// leading bits or all under 2001:db8::/32 (as a site's table: the first bits
// say nothing). Lookups of /128 addresses of the same kind.
struct LpmKey6 {
    uint32_t prefixlen;
    uint8_t addr[16];
};

LpmKey6 random_key6(std::mt19937& random, uint32_t prefixlen, bool clustered) {
    LpmKey6 key{prefixlen, {}};
    for (auto& byte : key.addr) byte = static_cast<uint8_t>(random());
    if (clustered) {
        const uint8_t site[4] = {0x20, 0x01, 0x0d, 0xb8};
        std::memcpy(key.addr, site, 4);
    }
    return key;
}

ebpf::Map& ipv6_trie(bool clustered) {
    static std::mutex mutex;
    static std::shared_ptr<ebpf::Map> maps[2];
    std::lock_guard lock(mutex);
    auto& map = maps[clustered];
    if (map) return *map;
    ebpf::MapDefinition d = definition(MapType::lpm_trie, sizeof(LpmKey6), 8, kLpmPrefixes);
    d.map_flags = ebpf::kMapFlagNoPrealloc;
    map = ebpf::create_map(d);
    std::mt19937 random(42);
    ebpf::CpuScope cpu;
    for (uint32_t i = 0; i < kLpmPrefixes;) {
        LpmKey6 key = random_key6(random, 16 + static_cast<uint32_t>(random() % 113), clustered);
        uint64_t value = i;
        if (map->update_elem(&key, &value, ebpf::kUpdateNoExist) == 0) ++i;
    }
    return *map;
}

void BM_LpmLookup6(benchmark::State& state, bool clustered) {
    ebpf::Map& map = ipv6_trie(clustered);
    ebpf::CpuScope cpu;
    std::vector<LpmKey6> keys(4096);
    std::mt19937 random(7 + static_cast<uint32_t>(state.thread_index()));
    for (LpmKey6& key : keys) key = random_key6(random, 128, clustered);
    size_t i = 0;
    for (auto _ : state) {
        benchmark::DoNotOptimize(map.lookup_elem(&keys[i++ & 4095]));
    }
    state.SetItemsProcessed(static_cast<int64_t>(state.iterations()));
}

// The writer's cost on the full 10,000-prefix IPv4 map: delete a stored
// prefix and insert it again (two updates of the trie and its index per item;
// prefixes of 8..32 bits, so a short one rewrites up to 2^(k-8) index slots).
void BM_LpmDeleteInsert(benchmark::State& state) {
    ebpf::MapDefinition d = definition(MapType::lpm_trie, 8, 8, kLpmPrefixes);
    d.map_flags = ebpf::kMapFlagNoPrealloc;
    std::shared_ptr<ebpf::Map> map = ebpf::create_map(d);
    std::vector<LpmKey> keys;
    std::mt19937 random(42);
    while (keys.size() < kLpmPrefixes) {
        ebpf::CpuScope cpu;
        LpmKey key{8 + static_cast<uint32_t>(random() % 25), static_cast<uint32_t>(random())};
        uint64_t value = keys.size();
        if (map->update_elem(&key, &value, ebpf::kUpdateNoExist) == 0) keys.push_back(key);
    }
    size_t i = 0;
    uint64_t value = 1;
    for (auto _ : state) {
        // One run per item: holding a CpuScope across all of them would keep
        // every retired node pending (no epoch would ever pass).
        ebpf::CpuScope run;
        const LpmKey& key = keys[i++ % keys.size()];
        map->delete_elem(&key);
        map->update_elem(&key, &value, ebpf::kUpdateNoExist);
    }
    state.SetItemsProcessed(static_cast<int64_t>(state.iterations()));
}

// Filling an empty map with 10,000 prefixes (IPv4 as above, or IPv6 in one
// /32, where the index re-bases itself on the cluster as it grows): the
// amortised insert cost, index rebuilds included. Items are inserts.
void BM_LpmFill(benchmark::State& state, bool ipv6) {
    for (auto _ : state) {
        ebpf::MapDefinition d = definition(MapType::lpm_trie, ipv6 ? sizeof(LpmKey6) : 8, 8, kLpmPrefixes);
        d.map_flags = ebpf::kMapFlagNoPrealloc;
        std::shared_ptr<ebpf::Map> map = ebpf::create_map(d);
        std::mt19937 random(42);
        for (uint32_t i = 0; i < kLpmPrefixes;) {
            ebpf::CpuScope cpu;
            uint64_t value = i;
            int64_t result;
            if (ipv6) {
                LpmKey6 key = random_key6(random, 16 + static_cast<uint32_t>(random() % 113), true);
                result = map->update_elem(&key, &value, ebpf::kUpdateNoExist);
            } else {
                LpmKey key{8 + static_cast<uint32_t>(random() % 25), static_cast<uint32_t>(random())};
                result = map->update_elem(&key, &value, ebpf::kUpdateNoExist);
            }
            if (result == 0) ++i;
        }
    }
    state.SetItemsProcessed(static_cast<int64_t>(state.iterations()) * kLpmPrefixes);
}

void BM_PushPop(benchmark::State& state, MapType type) {
    static std::shared_ptr<ebpf::Map> maps[2];
    static std::once_flag once;
    std::call_once(once, [] {
        maps[0] = ebpf::create_map(definition(MapType::queue, 0, 8, kEntries));
        maps[1] = ebpf::create_map(definition(MapType::stack, 0, 8, kEntries));
    });
    ebpf::Map& map = *maps[type == MapType::queue ? 0 : 1];
    ebpf::CpuScope cpu;
    uint64_t value = 7;
    for (auto _ : state) {
        map.push_elem(&value, 0);
        map.pop_elem(&value);
    }
    state.SetItemsProcessed(static_cast<int64_t>(state.iterations()) * 2);
}

void BM_RingbufOutput(benchmark::State& state) {
    static std::shared_ptr<ebpf::Map> ring = ebpf::create_map(definition(MapType::ringbuf, 0, 0, 1 << 20));
    auto output = ebpf::helper_table().find(ebpf::helper_id::ringbuf_output);
    ebpf::CpuScope cpu;
    uint64_t record[2] = {1, 2};
    uint64_t n = 0;
    for (auto _ : state) {
        output(reinterpret_cast<uint64_t>(ring.get()), reinterpret_cast<uint64_t>(record), sizeof(record), 0, 0);
        if (++n % 256 == 0) ebpf::ringbuf_consume(*ring, [](std::span<const uint8_t>) {});
    }
    state.SetItemsProcessed(static_cast<int64_t>(state.iterations()));
}

// 1, 2 and N threads (N = hardware threads, when more than 2).
void threads(benchmark::internal::Benchmark* b) {
    b->Threads(1)->Threads(2);
    const unsigned n = std::thread::hardware_concurrency();
    if (n > 2) b->Threads(static_cast<int>(n));
    b->UseRealTime();
}

void register_all() {
    const MapType keyed[] = {MapType::array, MapType::percpu_array, MapType::hash, MapType::percpu_hash,
                             MapType::lru_hash, MapType::lru_percpu_hash};
    for (bool pinned : {false, true}) {
        for (MapType type : keyed) {
            std::string name = (pinned ? "pinned_" : "") + std::string(ebpf::map_type_name(type));
            benchmark::RegisterBenchmark(("lookup/" + name).c_str(), BM_Lookup, type, pinned)->Apply(threads);
            benchmark::RegisterBenchmark(("update/" + name).c_str(), BM_Update, type, pinned)->Apply(threads);
            if (type != MapType::array && type != MapType::percpu_array)
                benchmark::RegisterBenchmark(("insert_delete/" + name).c_str(), BM_InsertDelete, type, pinned)
                    ->Apply(threads);
        }
    }
    for (MapType type : {MapType::lru_hash, MapType::lru_percpu_hash}) {
        for (bool own_lru : {false, true}) {
            std::string name = "insert_evict/" + std::string(ebpf::map_type_name(type)) + (own_lru ? "(no_common_lru)" : "");
            benchmark::RegisterBenchmark(name.c_str(), BM_InsertEvict, type, own_lru)->Apply(threads);
        }
    }
    benchmark::RegisterBenchmark("run/empty_program(stats off)", BM_RunStats, false)->UseRealTime();
    benchmark::RegisterBenchmark("run/empty_program(stats on)", BM_RunStats, true)->UseRealTime();
    benchmark::RegisterBenchmark("lookup/lpm_trie(10000 prefixes)", BM_LpmLookup)->Apply(threads);
    benchmark::RegisterBenchmark("lookup/lpm_trie(IPv6, 10000 random prefixes)", BM_LpmLookup6, false)->Apply(threads);
    benchmark::RegisterBenchmark("lookup/lpm_trie(IPv6, 10000 prefixes in 2001:db8::/32)", BM_LpmLookup6, true)
        ->Apply(threads);
    benchmark::RegisterBenchmark("delete_insert/lpm_trie(10000 prefixes)", BM_LpmDeleteInsert)->UseRealTime();
    benchmark::RegisterBenchmark("fill/lpm_trie(10000 prefixes)", BM_LpmFill, false)->Unit(benchmark::kMillisecond);
    benchmark::RegisterBenchmark("fill/lpm_trie(IPv6, 10000 prefixes in 2001:db8::/32)", BM_LpmFill, true)
        ->Unit(benchmark::kMillisecond);
    benchmark::RegisterBenchmark("push_pop/queue", BM_PushPop, MapType::queue)->Threads(1)->Threads(2)->UseRealTime();
    benchmark::RegisterBenchmark("push_pop/stack", BM_PushPop, MapType::stack)->Threads(1)->Threads(2)->UseRealTime();
    benchmark::RegisterBenchmark("output/ringbuf(16 B)", BM_RingbufOutput)->Threads(1)->Threads(2)->UseRealTime();
}

}  // namespace

int main(int argc, char** argv) {
    register_all();
    benchmark::Initialize(&argc, argv);
    if (benchmark::ReportUnrecognizedArguments(argc, argv)) return 1;
    benchmark::RunSpecifiedBenchmarks();
    benchmark::Shutdown();
    return 0;
}
