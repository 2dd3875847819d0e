// Ids under a pin root (internal): <root>/ids holds two counters in shared
// memory, so that map and program ids are unique among every process using
// the root, as kernel ids are system-wide.
#pragma once

#include <cstdint>
#include <string>

namespace ebpf::runtime_detail {

enum class PinIdKind { map, program };
// The next id (from 1); creates <root> and <root>/ids when missing. Throws
// ebpf::Error naming the file when it cannot.
uint32_t next_pin_id(const std::string& root, PinIdKind kind);

}  // namespace ebpf::runtime_detail
