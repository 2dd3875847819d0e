// The runtime checks the map limits (ebpf/limits.hpp) itself before it
// allocates, whatever route the definitions took (an object parsed elsewhere,
// a native module's metadata, the host API), and counts per-CPU values once
// per CPU.
#include <gtest/gtest.h>

#include <sys/resource.h>
#include <sys/wait.h>
#include <unistd.h>

#include "ebpf/error.hpp"
#include "ebpf/isa.hpp"
#include "ebpf/limits.hpp"
#include "test_support.hpp"

namespace {

ebpf::MapDefinition map_of(std::string name, ebpf::MapType type, uint32_t key, uint32_t value, uint32_t entries) {
    ebpf::MapDefinition map;
    map.name = std::move(name);
    map.type = type;
    map.key_size = key;
    map.value_size = value;
    map.max_entries = entries;
    return map;
}

ebpf::Object object_with_map(ebpf::MapDefinition map) {
    ebpf::Object object;
    object.path = "hostile.o";
    ebpf::Program program;
    program.name = "x";
    program.section = "hook/x";
    program.type = ebpf::ProgramType::hook;
    program.insns = ebpf::assemble("r0 = 0\nexit");
    object.programs.push_back(program);
    object.maps.push_back(std::move(map));
    return object;
}

std::string error_of(const std::function<void()>& fn) {
    try {
        fn();
    } catch (const ebpf::Error& e) {
        return e.what();
    }
    return "";
}

long peak_rss_kib() {
    rusage usage{};
    getrusage(RUSAGE_SELF, &usage);
    return usage.ru_maxrss;
}

TEST(RuntimeLimits, HugeHashMapIsRefusedBeforeAllocation) {
    // Without the check, 2^32 entries make the hash map allocate 2^30
    // buckets (8 GiB, zero-filled) before the first element. In a child, so
    // the peak RSS it measures is this load's alone.
    pid_t child = fork();
    ASSERT_GE(child, 0);
    if (child == 0) {
        const long before = peak_rss_kib();
        const std::string message =
            error_of([] { ebpf::load_object(object_with_map(map_of("huge", ebpf::MapType::hash, 4, 8, 0xffffffff))); });
        const bool named = message.find("map 'huge': needs 240518168520 bytes") != std::string::npos &&
                           message.find("(max_map_bytes)") != std::string::npos;
        const bool small = peak_rss_kib() - before < 32 * 1024;
        _exit(named ? (small ? 0 : 2) : 1);
    }
    int status = 0;
    ASSERT_EQ(waitpid(child, &status, 0), child);
    ASSERT_TRUE(WIFEXITED(status));
    EXPECT_NE(WEXITSTATUS(status), 1) << "not refused with a message naming the map and the limit";
    EXPECT_NE(WEXITSTATUS(status), 2) << "peak RSS grew by 32 MiB or more while refusing";
    EXPECT_EQ(WEXITSTATUS(status), 0);
}

TEST(RuntimeLimits, EveryCreationRouteChecks) {
    auto huge = map_of("big_array", ebpf::MapType::array, 4, 1 << 20, 1 << 12);  // 4 GiB
    EXPECT_NE(error_of([&] { ebpf::create_map(huge); }).find("map 'big_array': needs"), std::string::npos);
    EXPECT_NE(error_of([&] { ebpf::create_maps(std::span(&huge, 1)); }).find("(max_map_bytes)"), std::string::npos);
    // A lower limit from LoadOptions applies to load_object.
    ebpf::LoadOptions options;
    options.limits.max_map_bytes = 1000;
    auto small = map_of("small", ebpf::MapType::array, 4, 8, 1000);  // 8,000 bytes
    EXPECT_NE(error_of([&] { ebpf::load_object(object_with_map(small), options); }).find("limit of 1000 bytes"),
              std::string::npos);
    EXPECT_EQ(error_of([&] { ebpf::load_object(object_with_map(small)); }), "");
    // The total over all maps, checked before the first one is created.
    options.limits = {};
    options.limits.max_total_map_bytes = 20'000;
    auto object = object_with_map(small);
    object.maps.push_back(map_of("second", ebpf::MapType::hash, 4, 8, 1000));
    EXPECT_NE(error_of([&] { ebpf::load_object(object, options); }).find("map 'second': the maps up to this one need 64000"),
              std::string::npos);
}

TEST(RuntimeLimits, PerCpuValuesCountForEveryCpu) {
    auto percpu = map_of("per_cpu", ebpf::MapType::percpu_array, 4, 4096, 256);
    ebpf::ResourceLimits limits;
    limits.max_map_bytes = ebpf::map_memory_bytes(percpu, 1);  // enough for one CPU only
    const uint32_t cpus = ebpf::possible_cpus();
    const std::string message = error_of([&] { ebpf::create_maps(std::span(&percpu, 1), limits); });
    if (cpus == 1) {
        EXPECT_EQ(message, "");
    } else {
        EXPECT_NE(message.find("× " + std::to_string(cpus) + " CPUs"), std::string::npos) << message;
    }
    limits.max_map_bytes = ebpf::map_memory_bytes(percpu, cpus);
    EXPECT_EQ(error_of([&] { ebpf::create_maps(std::span(&percpu, 1), limits); }), "");
}

}  // namespace
