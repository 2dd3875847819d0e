// perf_event_array samples for `ebpf run` and `ebpf attach`: the tool opens a
// buffer on every CPU of each perf_event_array map before the program runs
// (as xdpdump-style loaders do with perf_buffer__new), and prints what the
// program sent: one line per sample, one per run of lost samples.
#pragma once

#include <nlohmann/json.hpp>

#include "ebpf/runtime.hpp"

namespace ebpf::tools {

// Pages per CPU buffer (256 KiB), as a typical loader asks for.
inline constexpr uint32_t kPerfBufferPages = 64;

// Opens the buffers of every perf_event_array map of `object`; returns how many maps.
size_t open_perf_buffers(const LoadedObject& object, uint32_t pages = kPerfBufferPages);
// Takes what the buffers hold: [{"map", "cpu", "sample": hex} | {"map", "cpu", "lost": n}].
nlohmann::json drain_perf_buffers(const LoadedObject& object);
// "perf NAME cpu N: sample HEX" / "perf NAME cpu N: lost N samples".
void print_perf_samples(const nlohmann::json& samples);

}  // namespace ebpf::tools
