// One case of the real-world corpus: NAME.json next to NAME.c (README.md).
// Parsed without the runtime, so that both sides use it: ours (the three
// modes) and the kernel's (system libbpf), which must not link each other.
#pragma once

#include <cstdint>
#include <functional>
#include <optional>
#include <string>
#include <vector>

namespace realworld {

using Bytes = std::vector<uint8_t>;

struct MapEntry {
    std::string map;
    Bytes key;
    std::optional<Bytes> value;  // nullopt: the key must be absent
    // Instead of a value (cgroup_array, set before the runs): a cgroup whose
    // directory's fd is the value, as cgroups.hpp names them.
    std::string cgroup;
};

struct Run {
    std::string name;
    Bytes data;
    std::optional<Bytes> ctx;
    uint64_t repeat = 1;
    std::optional<uint32_t> retval;  // as BPF_PROG_TEST_RUN reports it: 32 bits
    std::optional<Bytes> data_out;
    std::optional<Bytes> ctx_out;  // the context after the run (as BPF_PROG_TEST_RUN's ctx_out)
    std::vector<MapEntry> maps_out;
    std::string cgroup;  // the process runs in this cgroup (cgroups.hpp); empty: where it is
};

struct Case {
    std::string id;           // "<dir>/<name>"
    std::string object_path;  // the compiled .o
    std::string program;      // function or section; empty: the object's only program
    std::string type;         // program type name (as `--type`); empty: from the section
    bool kernel = true;
    std::string no_kernel_reason;
    std::vector<std::string> modes;  // interpret, jit, native
    bool accept = true;
    std::string reject_message;  // substring of our error when !accept
    std::vector<MapEntry> maps;  // set before the runs
    std::vector<Run> runs;
};

// Throws std::runtime_error naming the file and what is wrong.
Case load_case(const std::string& json_path, const std::string& objects_dir);
// Every NAME.json under `source_dir` (one level of subdirectories), sorted.
std::vector<std::string> case_files(const std::string& source_dir);
Bytes parse_hex(const std::string& text);
std::string to_hex(const Bytes& bytes);

// What one run produced, and how to read a map afterwards (nullopt: absent).
struct RunResult {
    uint32_t retval = 0;
    Bytes data;
    Bytes ctx;
};
using MapReader = std::function<std::optional<Bytes>(const std::string& map, const Bytes& key)>;
// The differences between what a run should give and what it gave, one
// message each; empty when they agree.
std::vector<std::string> compare(const Run& run, const RunResult& result, const MapReader& read_map);

}  // namespace realworld
