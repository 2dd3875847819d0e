// Reading an input file (an object, a module, assembly text, a trust store
// entry) the one safe way: opened once without blocking, refused unless it is
// a regular file (a FIFO would hang or give different bytes to a second
// reader, a device like /dev/zero never ends), and read with a bound so a
// huge file is an error rather than an unbounded allocation.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

namespace ebpf {

// Files larger than this are refused unless a caller passes its own bound.
inline constexpr uint64_t kDefaultMaxInputBytes = uint64_t{256} << 20;  // 256 MiB

// The bytes of the regular file at `path`. Throws ebpf::Error "PATH: cannot
// open: ...", "PATH: not a regular file (a FIFO)", or "PATH: N bytes, more
// than the limit of M" (also when the file grows past the bound while read).
std::vector<uint8_t> read_input_file(const std::string& path, uint64_t max_bytes = kDefaultMaxInputBytes);

}  // namespace ebpf
