// See perf_output.hpp.
#include "perf_output.hpp"

#include <cinttypes>
#include <cstdio>

#include "map_format.hpp"
#include "ebpf/printable.hpp"

namespace ebpf::tools {

size_t open_perf_buffers(const LoadedObject& object, uint32_t pages) {
    size_t maps = 0;
    for (const auto& map : object.maps()) {
        if (map->type() != MapType::perf_event_array) continue;
        ++maps;
        const uint32_t count = std::min(perf_event_slots(*map), possible_cpus());
        for (uint32_t cpu = 0; cpu < count; ++cpu) perf_event_open_buffer(*map, cpu, pages);
    }
    return maps;
}

nlohmann::json drain_perf_buffers(const LoadedObject& object) {
    nlohmann::json out = nlohmann::json::array();
    for (const auto& map : object.maps()) {
        if (map->type() != MapType::perf_event_array) continue;
        for (uint32_t cpu = 0; cpu < perf_event_slots(*map); ++cpu) {
            perf_event_consume(
                *map, cpu,
                [&](std::span<const uint8_t> sample) {
                    out.push_back({{"map", map->name()}, {"cpu", cpu}, {"sample", hex_bytes(sample)}});
                },
                [&](uint64_t lost) { out.push_back({{"map", map->name()}, {"cpu", cpu}, {"lost", lost}}); });
        }
    }
    return out;
}

void print_perf_samples(const nlohmann::json& samples) {
    for (const auto& s : samples) {
        const std::string map = printable(s["map"].get<std::string>());
        if (s.contains("lost"))
            std::printf("perf %s cpu %u: lost %" PRIu64 " samples\n", map.c_str(), s["cpu"].get<uint32_t>(),
                        s["lost"].get<uint64_t>());
        else
            std::printf("perf %s cpu %u: sample %s\n", map.c_str(), s["cpu"].get<uint32_t>(),
                        s["sample"].get<std::string>().c_str());
    }
}

}  // namespace ebpf::tools
