// Concurrency stress: several threads look up, update and delete on every
// map type at once, from "programs" (the program-side API under a CpuScope,
// as helpers call it) and from the host API. Checks invariants that hold
// under any interleaving; run under ThreadSanitizer with the tsan preset.
#include <gtest/gtest.h>

#include <linux/filter.h>
#include <linux/membarrier.h>
#include <linux/seccomp.h>
#include <sys/prctl.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>

#include <atomic>
#include <chrono>
#include <condition_variable>
#include <csignal>
#include <cstddef>
#include <cstdio>
#include <cstring>
#include <mutex>
#include <optional>
#include <thread>

#include "ebpf/error.hpp"
#include "test_support.hpp"

using namespace runtime_test;
using ebpf::MapType;

namespace {

constexpr int kThreads = 4;
constexpr int kOperations = 20000;

template <typename Body>
void in_threads(Body body) {
    std::vector<std::thread> threads;
    for (int t = 0; t < kThreads; ++t) threads.emplace_back(body, t);
    for (auto& thread : threads) thread.join();
}

// Values encode their key, so a reader can check it never sees another
// key's value or a torn/reused element.
void hash_family(MapType type, uint32_t max_entries = 64, uint32_t map_flags = 0) {
    ebpf::MapDefinition d = definition(type, 4, 8, max_entries);
    d.map_flags = map_flags;
    auto map = ebpf::create_map(d);
    max_entries = map->max_entries();  // BPF_F_NO_COMMON_LRU rounds it to a multiple of the CPUs
    bool per_cpu = map->is_per_cpu();
    bool lru = type == MapType::lru_hash || type == MapType::lru_percpu_hash;
    // With BPF_F_NO_COMMON_LRU one CPU (the last check runs on one) holds its share only.
    const uint32_t one_cpu_holds = (map_flags & ebpf::kMapFlagNoCommonLru) ? max_entries / ebpf::possible_cpus() : max_entries;
    const uint32_t keys = max_entries + max_entries / 2 + 1;
    in_threads([&](int t) {
        uint32_t seed = static_cast<uint32_t>(t) * 7919u + 1;
        for (int i = 0; i < kOperations; ++i) {
            seed = seed * 1103515245u + 12345u;
            uint32_t key = (seed >> 8) % keys;  // more keys than entries: full-map paths too
            uint64_t value = (uint64_t{key} << 32) | static_cast<uint32_t>(i);
            int op = static_cast<int>((seed >> 4) % 8);
            if (op < 4) {
                ebpf::CpuScope cpu;  // a program's lookup
                auto* found = static_cast<uint64_t*>(map->lookup_elem(&key));
                if (found) {
                    // Per-CPU: this CPU's value is 0 when another CPU created the element.
                    uint64_t seen = __atomic_load_n(found, __ATOMIC_RELAXED);
                    if (seen != 0 || !per_cpu) {
                        ASSERT_EQ(seen >> 32, key);
                    }
                }
            } else if (op == 4) {
                ebpf::CpuScope cpu;
                int64_t result = map->update_elem(&key, &value, ebpf::kUpdateAny);
                ASSERT_TRUE(result == 0 || result == -E2BIG) << result;
            } else if (op == 5) {
                ebpf::CpuScope cpu;
                int64_t result = map->delete_elem(&key);
                ASSERT_TRUE(result == 0 || result == -ENOENT);
            } else if (op == 6) {
                auto found = map->lookup(bytes_of(key));  // host
                if (found && !per_cpu) {
                    ASSERT_EQ(value_of<uint64_t>(*found) >> 32, key);
                }
            } else {
                ASSERT_LE(map->keys().size(), max_entries);  // host iteration
            }
        }
    });
    EXPECT_LE(map->keys().size(), max_entries);
    // No capacity was lost on the way (credits, LRU lists): empty the map,
    // then exactly max_entries fresh keys fit (an LRU map evicts for more).
    ebpf::CpuScope cpu;
    for (uint32_t key = 0; key < keys; ++key) map->delete_elem(&key);
    EXPECT_TRUE(map->keys().empty());
    uint64_t value = 1;
    for (uint32_t key = 1000; key < 1000 + one_cpu_holds; ++key) ASSERT_EQ(map->update_elem(&key, &value, 0), 0) << key;
    uint32_t one_more = 999;
    EXPECT_EQ(map->update_elem(&one_more, &value, 0), lru ? 0 : -E2BIG);
    EXPECT_EQ(map->keys().size(), one_cpu_holds);
}

TEST(Stress, Hash) { hash_family(MapType::hash); }
TEST(Stress, PerCpuHash) { hash_family(MapType::percpu_hash); }
TEST(Stress, LruHash) { hash_family(MapType::lru_hash); }
TEST(Stress, LruPerCpuHash) { hash_family(MapType::lru_percpu_hash); }
TEST(Stress, LruHashNoCommonLru) { hash_family(MapType::lru_hash, 64, ebpf::kMapFlagNoCommonLru); }
TEST(Stress, LruPerCpuHashNoCommonLru) { hash_family(MapType::lru_percpu_hash, 64, ebpf::kMapFlagNoCommonLru); }
// One entry: every insert on a full map (all threads race for the same slot).
TEST(Stress, HashOneEntry) { hash_family(MapType::hash, 1); }
TEST(Stress, LruHashOneEntry) { hash_family(MapType::lru_hash, 1); }
TEST(Stress, LruPerCpuHashOneEntry) { hash_family(MapType::lru_percpu_hash, 1, ebpf::kMapFlagNoCommonLru); }
// Each thread inserts and deletes its own keys in a full LRU map while the
// others look theirs up: evictions cross CPUs, and a program's lookup
// result stays readable (the key is in the value) for the whole run.
TEST(Stress, LruInsertDeleteEvictAcrossThreads) {
    auto map = ebpf::create_map(definition(MapType::lru_hash, 4, 8, 32));
    in_threads([&](int t) {
        for (int i = 0; i < kOperations; ++i) {
            ebpf::CpuScope cpu;
            uint32_t key = static_cast<uint32_t>(t) * 100000u + static_cast<uint32_t>(i % 50);
            uint64_t value = (uint64_t{key} << 32) | static_cast<uint32_t>(i);
            int64_t result = map->update_elem(&key, &value, 0);
            // -E2BIG only when evictions kept losing races (as Linux's LRU can fail an update).
            ASSERT_TRUE(result == 0 || result == -E2BIG) << result;
            auto* found = static_cast<uint64_t*>(map->lookup_elem(&key));
            if (i % 3 == 0) map->delete_elem(&key);
            if (found) {
                std::this_thread::yield();  // let others evict and reinsert meanwhile
                ASSERT_EQ(__atomic_load_n(found, __ATOMIC_RELAXED) >> 32, key);
            }
        }
    });
    EXPECT_LE(map->keys().size(), 32u);
}

void array_family(MapType type) {
    auto map = ebpf::create_map(definition(type, 4, 16, 8));
    in_threads([&](int t) {
        for (int i = 0; i < kOperations; ++i) {
            uint32_t key = static_cast<uint32_t>(i + t) % 10;  // some out of range
            uint64_t value[2] = {key, key * 3ull};
            ebpf::CpuScope cpu;
            if (i % 3 == 0) {
                int64_t result = map->update_elem(&key, value, ebpf::kUpdateAny);
                ASSERT_EQ(result, key < 8 ? 0 : -E2BIG);
            } else if (i % 3 == 1) {
                auto* found = static_cast<uint64_t*>(map->lookup_elem(&key));
                ASSERT_EQ(found != nullptr, key < 8);
                if (found) {
                    uint64_t first = __atomic_load_n(found, __ATOMIC_RELAXED);
                    ASSERT_TRUE(first == 0 || first == key);
                }
            } else {
                auto found = map->lookup(bytes_of(key));
                ASSERT_EQ(found.has_value(), key < 8);
            }
        }
    });
}

TEST(Stress, Array) { array_family(MapType::array); }
TEST(Stress, PerCpuArray) { array_family(MapType::percpu_array); }

TEST(Stress, QueueAndStackLoseNothing) {
    for (MapType type : {MapType::queue, MapType::stack}) {
        auto map = ebpf::create_map(definition(type, 0, 4, 1024));
        std::atomic<uint64_t> pushed{0}, popped{0};
        in_threads([&](int t) {
            for (int i = 0; i < kOperations / 4; ++i) {
                uint32_t value = static_cast<uint32_t>(t * 100000 + i);
                ebpf::CpuScope cpu;
                if (map->push_elem(&value, 0) == 0) pushed += value;
                uint32_t out;
                if (i % 2 == 0 && map->pop_elem(&out) == 0) popped += out;
            }
        });
        while (auto value = map->pop()) popped += value_of<uint32_t>(*value);
        EXPECT_EQ(pushed.load(), popped.load());
    }
}

TEST(Stress, LpmTrie) {
    auto map = ebpf::create_map(definition(MapType::lpm_trie, 8, 4, 64));
    in_threads([&](int t) {
        for (int i = 0; i < kOperations / 4; ++i) {
            struct {
                uint32_t prefixlen;
                uint8_t addr[4];
            } key{static_cast<uint32_t>(8 + (i % 3) * 8), {10, static_cast<uint8_t>(t), static_cast<uint8_t>(i % 5), 0}};
            uint32_t value = key.prefixlen;
            ebpf::CpuScope cpu;
            if (i % 4 == 0) {
                map->update_elem(&key, &value, ebpf::kUpdateAny);
            } else if (i % 4 == 1) {
                map->delete_elem(&key);
            } else {
                key.prefixlen = 32;
                auto* found = static_cast<uint32_t*>(map->lookup_elem(&key));
                if (found) {
                    uint32_t prefix = __atomic_load_n(found, __ATOMIC_RELAXED);
                    ASSERT_TRUE(prefix == 8 || prefix == 16 || prefix == 24) << prefix;
                }
            }
        }
    });
}

TEST(Stress, RingBufferProducersAndAConsumer) {
    auto map = ebpf::create_map(definition(MapType::ringbuf, 0, 0, 1 << 14));
    auto output = ebpf::helper_table().find(ebpf::helper_id::ringbuf_output);
    std::atomic<uint64_t> produced{0};
    std::atomic<bool> done{false};
    uint64_t consumed = 0;
    std::thread consumer([&] {
        while (!done.load() || ebpf::ringbuf_available(*map) > 0) {
            ebpf::ringbuf_consume(*map, [&](std::span<const uint8_t> record) {
                ASSERT_EQ(record.size(), 8u);
                consumed += value_of<uint64_t>({record.begin(), record.end()});
            });
        }
    });
    in_threads([&](int t) {
        for (int i = 0; i < kOperations / 4; ++i) {
            uint64_t value = static_cast<uint64_t>(t) * 1000000 + static_cast<uint64_t>(i);
            ebpf::CpuScope cpu;
            if (output(reinterpret_cast<uint64_t>(map.get()), reinterpret_cast<uint64_t>(&value), 8, 0, 0) == 0)
                produced += value;
        }
    });
    done = true;
    consumer.join();
    EXPECT_EQ(consumed, produced.load());
}

TEST(Stress, HashOfMapsSwapsInnerMapsUnderReaders) {
    std::vector<ebpf::MapDefinition> defs = {definition(MapType::array, 4, 8, 1, "inner"),
                                             definition(MapType::hash_of_maps, 4, 4, 4, "outer")};
    defs[0].inner_template = true;
    defs[1].inner_map = 0;
    auto maps = ebpf::create_maps(defs);
    auto& outer = *maps[1];
    std::vector<std::shared_ptr<ebpf::Map>> inners;
    for (uint64_t i = 0; i < 4; ++i) {
        inners.push_back(ebpf::create_map(definition(MapType::array, 4, 8, 1)));
        inners.back()->update(bytes_of(uint32_t{0}), bytes_of(i + 1));
    }
    in_threads([&](int t) {
        for (int i = 0; i < kOperations / 4; ++i) {
            uint32_t key = static_cast<uint32_t>(i % 4), zero = 0;
            if (t == 0) {
                outer.update(bytes_of(key), bytes_of(inners[static_cast<size_t>(i) % 4]->id()));
            } else if (t == 1 && i % 7 == 0) {
                outer.remove(bytes_of(key));
            } else {
                ebpf::CpuScope cpu;
                auto* inner = static_cast<ebpf::Map*>(outer.lookup_elem(&key));
                if (inner) {
                    auto* value = static_cast<uint64_t*>(inner->lookup_elem(&zero));
                    ASSERT_NE(value, nullptr);
                    ASSERT_GE(*value, 1u);
                    ASSERT_LE(*value, 4u);
                }
            }
        }
    });
}

TEST(Stress, ProgramsOnSeveralThreads) {
    // Programs whose map accesses go through helpers or per-CPU values, so
    // that the only sharing is the runtime's (a program's own `*value += 1`
    // on a shared value is a plain C data race, on Linux too).
    auto object = load("maps_all");
    constexpr int kRuns = 2000;
    in_threads([&](int t) {
        for (int i = 0; i < kRuns; ++i) {
            uint32_t key = static_cast<uint32_t>(i % 16) + 1;
            ASSERT_EQ(run_with_key(object->program("hook/percpu"), key), 0);
            ASSERT_GE(run_with_key(object->program("hook/lru"), key + static_cast<uint32_t>(t)), 0);
            ASSERT_EQ(static_cast<uint64_t>(run_with_key(object->program("hook/queue_stack"), key)) >> 32 != 0, true);
            int64_t ring = run_with_key(object->program("hook/ringbuf"), key);
            ASSERT_TRUE(ring == 0 || ring == 1);
            if (i % 64 == 0) ebpf::ringbuf_consume(object->map("events"), [](std::span<const uint8_t>) {});
        }
    });
    // Every thread added the keys 1..16 round and round to slot 0 of its CPU's value.
    uint64_t expected = 0;
    for (int i = 0; i < kRuns; ++i) expected += static_cast<uint64_t>(i % 16) + 1;
    expected *= kThreads;
    auto all = *object->map("percpu_array_map").lookup(bytes_of(uint32_t{0}));
    uint64_t total = 0;
    for (size_t cpu = 0; cpu < all.size() / 8; ++cpu) total += value_of<uint64_t>({all.begin() + 8 * cpu, all.end()});
    EXPECT_EQ(total, expected);
    EXPECT_LE(object->map("lru_map").keys().size(), 8u);
}

// bpf_spin_lock excludes: kThreads threads run the program, which adds 1 and
// 2 to two counters with plain read-modify-writes under the value's lock, in
// every engine; a single lost update would show in the totals.
TEST(SpinLockStress, CountersStayExactInEveryMode) {
    for (ebpf::ExecMode mode : {ebpf::ExecMode::interpret, ebpf::ExecMode::jit, ebpf::ExecMode::native}) {
        auto object = load("runtime_spin_lock", mode);
        const ebpf::LoadedProgram& program = object->program("count_locked");
        constexpr int kRuns = 5000;
        in_threads([&](int) {
            uint8_t buffer[8] = {};
            for (int i = 0; i < kRuns; ++i) ASSERT_GT(static_cast<int64_t>(program.run(buffer, sizeof(buffer))), 0);
        });
        const auto value = object->map("shared").lookup(bytes_of(uint32_t{0}));
        ASSERT_TRUE(value.has_value());
        ASSERT_EQ(value->size(), 24u);
        uint64_t ones = 0, twos = 0;
        std::memcpy(&ones, value->data() + 8, 8);
        std::memcpy(&twos, value->data() + 16, 8);
        EXPECT_EQ(ones, uint64_t{kThreads} * kRuns) << ebpf::exec_mode_name(mode);
        EXPECT_EQ(twos, 2 * uint64_t{kThreads} * kRuns) << ebpf::exec_mode_name(mode);
    }
}

// CPU slots (src/runtime/cpu_slots.cpp): threads bind to slots while there are
// enough, then share them. Either way no two runs may hold one slot at once:
// each run marks its slot and finds it unmarked. More threads than slots, and
// threads that end midway (their slots are bound again by others), exercise
// binding, taking a bound slot away and sharing. Also run with
// EBPF_CPU_SLOTS=shared (runtime.stress_shared.*).
TEST(CpuSlots, NoTwoRunsHoldOneSlot) {
    const uint32_t cpus = ebpf::possible_cpus();
    std::vector<std::atomic<int>> occupied(cpus);
    std::atomic<uint64_t> overlaps{0};
    auto body = [&](int runs) {
        for (int i = 0; i < runs; ++i) {
            ebpf::CpuScope cpu;
            const uint32_t slot = ebpf::current_cpu();
            if (slot >= cpus || occupied[slot].exchange(1) != 0) ++overlaps;
            {
                ebpf::CpuScope nested;  // a callback's run: the same slot
                if (ebpf::current_cpu() != slot) ++overlaps;
            }
            // Sometimes give the CPU away inside the run, so that the others
            // run while this one holds its slot even on a single core.
            if (i % 16 == 0) std::this_thread::yield();
            occupied[slot].store(0);
        }
    };
    for (int round = 0; round < 3; ++round) {
        std::vector<std::thread> threads;
        const uint32_t count = round == 0 ? cpus : 3 * cpus + 1;
        for (uint32_t t = 0; t < count; ++t) threads.emplace_back(body, t % 2 ? 50000 : 5000);
        for (auto& thread : threads) thread.join();
    }
    EXPECT_EQ(overlaps.load(), 0u);
}

// A child of fork() has only the forking thread: the slots other threads held
// (bound, or in a run at the moment of the fork) must not make it wait, and
// reclamation (a delete, then the map's reuse of elements) must still work.
TEST(CpuSlots, ForkedChildRunsWhileParentThreadsHeldSlots) {
    auto map = ebpf::create_map(definition(MapType::hash, 4, 8, 4));
    const uint32_t cpus = ebpf::possible_cpus();
    std::mutex mutex;
    std::condition_variable changed;
    uint32_t inside = 0;
    bool release = false;
    std::vector<std::thread> holders;
    for (uint32_t t = 0; t < cpus; ++t) {
        holders.emplace_back([&] {
            ebpf::CpuScope cpu;  // in a run at the moment of the fork
            std::unique_lock lock(mutex);
            ++inside;
            changed.notify_all();
            changed.wait(lock, [&] { return release; });
        });
    }
    {
        std::unique_lock lock(mutex);
        changed.wait(lock, [&] { return inside == cpus; });
    }
    const pid_t child = ::fork();
    if (child == 0) {
        int status = 0;
        for (uint32_t key = 0; key < 64 && status == 0; ++key) {
            ebpf::CpuScope cpu;
            uint64_t value = key;
            const uint32_t slot = key % 4;
            if (map->update_elem(&slot, &value, ebpf::kUpdateAny) != 0 || map->delete_elem(&slot) != 0) status = 1;
            if (ebpf::current_cpu() >= cpus) status = 2;
        }
        ::_exit(status);
    }
    ASSERT_GT(child, 0);
    int status = 0;
    // The child would hang if the holders' slots stayed taken in it.
    for (int waited = 0; waited < 1000 && ::waitpid(child, &status, WNOHANG) == 0; ++waited) ::usleep(10000);
    if (::waitpid(child, &status, WNOHANG) == 0) {
        ::kill(child, SIGKILL);
        ::waitpid(child, &status, 0);
        ADD_FAILURE() << "the forked child waited for a slot held by a thread that does not exist in it";
    } else {
        EXPECT_TRUE(WIFEXITED(status) && WEXITSTATUS(status) == 0) << status;
    }
    {
        std::lock_guard lock(mutex);
        release = true;
    }
    changed.notify_all();
    for (auto& thread : holders) thread.join();
}

// --- adversarial tests of the slot protocol ---------------------------------

// Runs `body` in a child process and fails when it does not exit 0 within
// `seconds` (a hang is a failure, not a stuck test).
template <typename Body>
void in_child(Body body, int seconds, const char* what) {
    const pid_t child = ::fork();
    if (child == 0) ::_exit(body());
    ASSERT_GT(child, 0);
    int status = 0;
    for (int waited = 0; waited < seconds * 100 && ::waitpid(child, &status, WNOHANG) == 0; ++waited) ::usleep(10000);
    if (::waitpid(child, &status, WNOHANG) == 0) {
        ::kill(child, SIGKILL);
        ::waitpid(child, &status, 0);
        ADD_FAILURE() << what << ": the child hung";
        return;
    }
    EXPECT_TRUE(WIFEXITED(status) && WEXITSTATUS(status) == 0) << what << ": status " << status;
}

// A real program adds to its CPU's value of a per-CPU array and hash with a
// plain read-modify-write, and so does a host "program" that yields in the
// middle of it: two runs on one slot at once would lose updates.
// More threads than slots, in waves, so that threads end while bound and new
// ones bind the slots they left, share bound ones and run on shared ones.
TEST(CpuSlots, PerCpuCountsStayExactWhileThreadsComeAndGo) {
    auto object = load("maps_all");
    const ebpf::LoadedProgram& program = object->program("hook/percpu");
    ebpf::Map& array = object->map("percpu_array_map");
    const uint32_t cpus = ebpf::possible_cpus();
    std::atomic<uint64_t> expected{0};
    std::atomic<uint32_t> bad_cpu{0};
    for (int wave = 0; wave < 4; ++wave) {
        std::vector<std::thread> threads;
        const uint32_t count = wave % 2 ? 2 * cpus + 1 : cpus;
        for (uint32_t t = 0; t < count; ++t) {
            threads.emplace_back([&, t] {
                uint64_t sum = 0;
                const int runs = t % 3 == 0 ? 40 : 1500;  // some end early, while others run
                for (int i = 0; i < runs; ++i) {
                    const uint32_t key = static_cast<uint32_t>(i % 7) + 1;
                    if (t % 2 == 0 || i % 4 != 0) {
                        if (run_with_key(program, key) != 0) bad_cpu++;
                        sum += 2 * key;  // the array and the hash
                    } else {
                        // A "program" whose read-modify-write gives the CPU
                        // away in the middle: any other run on this slot meanwhile loses an update.
                        ebpf::CpuScope cpu;
                        if (ebpf::current_cpu() >= cpus) bad_cpu++;
                        const uint32_t zero = 0;
                        auto* value = static_cast<uint64_t*>(array.lookup_elem(&zero));
                        const uint64_t before = __atomic_load_n(value, __ATOMIC_RELAXED);
                        std::this_thread::yield();
                        __atomic_store_n(value, before + 2 * key, __ATOMIC_RELAXED);
                        sum += 2 * key;
                    }
                    if (i % 64 == 0) std::this_thread::yield();
                }
                expected += sum;
            });
        }
        for (auto& thread : threads) thread.join();
    }
    EXPECT_EQ(bad_cpu.load(), 0u);
    uint64_t total = 0;
    for (const char* name : {"percpu_array_map", "percpu_hash_map"}) {
        auto all = object->map(name).lookup(bytes_of(uint32_t{0}));
        ASSERT_TRUE(all.has_value()) << name;
        for (size_t cpu = 0; cpu < all->size() / 8; ++cpu)
            total += value_of<uint64_t>({all->begin() + 8 * static_cast<long>(cpu), all->end()});
    }
    EXPECT_EQ(total, expected.load());
}

// A value pointer from a lookup must keep pointing at that element for the
// whole run: the writer deletes a key and inserts it again (a new element, a
// new value), key after key, as fast as it can, so deleted elements are
// retired and, once reclaimed, reused for the next insert. A reader that
// holds the pointer across yields must never see its value change. (Four
// keys, one replaced at a time: most lookups find their key.)
template <typename MakeKey>
void value_stays_put(MapType type, uint32_t key_size, MakeKey make_key) {
    constexpr uint32_t kKeys = 4;
    auto map = ebpf::create_map(definition(type, key_size, 8, 2 * kKeys));
    std::vector<std::vector<uint8_t>> keys;
    for (uint32_t k = 0; k < kKeys; ++k) {
        keys.push_back(make_key(k));
        map->update(keys.back(), bytes_of(uint64_t{1}));
    }
    std::atomic<bool> stop{false};
    std::atomic<uint64_t> changed{0}, held{0}, missed{0}, replaced{0};
    std::thread writer([&] {
        for (uint64_t generation = 2; !stop.load(std::memory_order_relaxed); ++generation) {
            const auto& key = keys[generation % kKeys];
            map->remove(key);
            map->update(key, bytes_of(generation), ebpf::kUpdateNoExist);
            ++replaced;
        }
    });
    const uint32_t readers = 2 * ebpf::possible_cpus() + 1;
    const auto until = std::chrono::steady_clock::now() + std::chrono::milliseconds(400);
    std::vector<std::thread> threads;
    for (uint32_t t = 0; t < readers; ++t) {
        threads.emplace_back([&, t] {
            for (uint32_t i = t; std::chrono::steady_clock::now() < until; ++i) {
                ebpf::CpuScope cpu;
                auto* value = static_cast<uint64_t*>(map->lookup_elem(keys[i % kKeys].data()));
                if (!value) {
                    ++missed;
                    continue;
                }
                const uint64_t first = __atomic_load_n(value, __ATOMIC_RELAXED);
                for (int k = 0; k < 4; ++k) {
                    std::this_thread::yield();
                    if (__atomic_load_n(value, __ATOMIC_RELAXED) != first) ++changed;
                }
                ++held;
            }
        });
    }
    for (auto& thread : threads) thread.join();
    stop = true;
    writer.join();
    EXPECT_EQ(changed.load(), 0u);
    EXPECT_GT(held.load(), 0u) << missed.load() << " lookups found nothing";
    EXPECT_GT(replaced.load(), 0u);
    std::printf("%llu replacements; %llu values held across yields, %llu lookups missed\n",
                static_cast<unsigned long long>(replaced.load()), static_cast<unsigned long long>(held.load()),
                static_cast<unsigned long long>(missed.load()));
}

TEST(CpuSlots, HashValueStaysPutWhileItsKeyIsDeletedAndReinserted) {
    value_stays_put(MapType::hash, 4, [](uint32_t k) { return bytes_of(k + 7); });
}

TEST(CpuSlots, LpmValueStaysPutWhileItsPrefixIsDeletedAndReinserted) {
    value_stays_put(MapType::lpm_trie, 8, [](uint32_t k) {
        struct {
            uint32_t prefixlen = 24;
            uint8_t addr[4] = {10, 1, 2, 0};
        } key;
        key.addr[1] = static_cast<uint8_t>(k);
        return bytes_of(key);
    });
}

// Threads that ran once and then idle (or block forever) keep their slots
// bound. A run that holds a slot and waits for another thread's run must
// not wait forever while those slots sit idle: the other run gets one of
// them, as it would get a free CPU.
TEST(CpuSlots, IdleBoundSlotsServeOtherRuns) {
    const uint32_t cpus = ebpf::possible_cpus();
    if (cpus < 2) GTEST_SKIP() << "needs two slots";
    std::mutex mutex;
    std::condition_variable changed;
    uint32_t ran_once = 0;
    bool release = false, second_ran = false;
    std::vector<std::thread> idle;
    for (uint32_t t = 0; t < cpus; ++t) {
        idle.emplace_back([&] {
            { ebpf::CpuScope cpu; }
            std::unique_lock lock(mutex);
            ++ran_once;
            changed.notify_all();
            changed.wait(lock, [&] { return release; });
        });
    }
    {
        std::unique_lock lock(mutex);
        changed.wait(lock, [&] { return ran_once == cpus; });
    }
    bool waited_out = false;
    std::thread second;
    std::thread first([&] {
        ebpf::CpuScope cpu;  // holds a slot while it waits for the second run
        second = std::thread([&] {
            ebpf::CpuScope cpu2;
            std::lock_guard lock(mutex);
            second_ran = true;
            changed.notify_all();
        });
        std::unique_lock lock(mutex);
        waited_out = !changed.wait_for(lock, std::chrono::seconds(2), [&] { return second_ran; });
    });
    first.join();
    second.join();  // it finishes once the first run has ended
    EXPECT_FALSE(waited_out) << "a run waited for a slot while " << cpus - 1 << " slots were idle";
    {
        std::lock_guard lock(mutex);
        release = true;
    }
    changed.notify_all();
    for (auto& thread : idle) thread.join();
}

// fork() from inside a run, while another thread is taking this thread's
// bound slot away (it waits for the run to end). In the child that other
// thread does not exist, and the forking thread's run goes on: a new thread
// of the child must not get the slot before that run ends. One slot
// (EBPF_NUM_CPUS=1, runtime.stress_one_cpu.*) makes the contention certain.
// ThreadSanitizer cannot start threads in the child of a multi-threaded
// fork (die_after_fork; with it off, "dup thread with used id").
// Nor can qemu-user (cross builds run the tests under it): it aborts on an
// assertion in its own vCPU setup.
#if defined(__SANITIZE_THREAD__)
#define SKIP_THREADS_AFTER_FORK() GTEST_SKIP() << "ThreadSanitizer cannot start threads after a multi-threaded fork"
#elif EBPF_TESTS_UNDER_EMULATOR
#define SKIP_THREADS_AFTER_FORK() GTEST_SKIP() << "qemu-user cannot start threads after a multi-threaded fork"
#else
#define SKIP_THREADS_AFTER_FORK() (void)0
#endif

TEST(CpuSlots, ForkInsideARunWhileItsSlotIsBeingTaken) {
    SKIP_THREADS_AFTER_FORK();
    if (ebpf::possible_cpus() != 1) GTEST_SKIP() << "needs EBPF_NUM_CPUS=1 (runtime.stress_one_cpu.*)";
    std::atomic<bool> taker_done{false};
    std::optional<ebpf::CpuScope> run;
    run.emplace();
    std::thread taker([&] {
        ebpf::CpuScope mine;  // waits for the run of the main thread
        taker_done = true;
    });
    std::this_thread::sleep_for(std::chrono::milliseconds(50));  // the taker is waiting now
    EXPECT_FALSE(taker_done.load());
    in_child(
        [&] {
            std::atomic<bool> ran{false};
            std::thread other([&] {
                ebpf::CpuScope cpu;
                ran = true;
            });
            std::this_thread::sleep_for(std::chrono::milliseconds(100));
            const bool overlap = ran.load();  // the forking thread's run still holds the only slot
            run.reset();
            other.join();  // and gets it now
            return overlap ? 3 : 0;
        },
        5, "fork inside a run");
    run.reset();
    taker.join();
    EXPECT_TRUE(taker_done.load());
}

// A child of fork() registers for membarrier again; where that fails (here a
// seccomp filter refuses the registration, the membarrier itself still
// works) every slot becomes shared. The forking thread was inside a run on
// its bound slot: in the child that run must keep its slot, so that of
// `cpus` new threads that each hold a slot, one waits until the run ends.
TEST(CpuSlots, ForkInsideARunWhereMembarrierCannotBeRegistered) {
    SKIP_THREADS_AFTER_FORK();
    in_child(
        [] {
            const uint32_t cpus = ebpf::possible_cpus();
            { ebpf::CpuScope bind; }  // this thread binds a slot (all slots shared: nothing to show)
            sock_filter filter[] = {
                BPF_STMT(BPF_LD | BPF_W | BPF_ABS, offsetof(seccomp_data, nr)),
                BPF_JUMP(BPF_JMP | BPF_JEQ | BPF_K, __NR_membarrier, 0, 3),
                BPF_STMT(BPF_LD | BPF_W | BPF_ABS, offsetof(seccomp_data, args[0])),
                BPF_JUMP(BPF_JMP | BPF_JEQ | BPF_K, MEMBARRIER_CMD_REGISTER_PRIVATE_EXPEDITED, 0, 1),
                BPF_STMT(BPF_RET | BPF_K, SECCOMP_RET_ERRNO | EPERM),
                BPF_STMT(BPF_RET | BPF_K, SECCOMP_RET_ALLOW),
            };
            sock_fprog program{static_cast<unsigned short>(std::size(filter)), filter};
            if (::prctl(PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0) != 0 || ::prctl(PR_SET_SECCOMP, SECCOMP_MODE_FILTER, &program) != 0)
                return 0;  // no seccomp here: nothing to test
            std::optional<ebpf::CpuScope> run;
            run.emplace();
            const pid_t grandchild = ::fork();
            if (grandchild == 0) {
                std::atomic<uint32_t> entered{0};
                std::atomic<bool> done{false};
                std::vector<std::thread> threads;
                for (uint32_t t = 0; t < cpus; ++t) {
                    threads.emplace_back([&] {
                        ebpf::CpuScope cpu;
                        ++entered;
                        while (!done.load()) std::this_thread::sleep_for(std::chrono::milliseconds(1));
                    });
                }
                std::this_thread::sleep_for(std::chrono::milliseconds(100));
                const uint32_t early = entered.load();  // at most cpus - 1 while the run holds its slot
                run.reset();
                while (entered.load() < cpus) std::this_thread::sleep_for(std::chrono::milliseconds(1));
                done = true;
                for (auto& thread : threads) thread.join();
                ::_exit(early < cpus ? 0 : 3);
            }
            int status = 0;
            if (grandchild < 0 || ::waitpid(grandchild, &status, 0) != grandchild) return 4;
            return WIFEXITED(status) ? WEXITSTATUS(status) : 5;
        },
        5, "fork where membarrier cannot be registered");
}

}  // namespace
