// Maps and programs visible outside the process: the user-mode counterpart
// of bpffs pinning (docs/pinning.md).
//
// A pin root is a directory, default /run/ebpf-native ($EBPF_PIN_ROOT, or
// LoadOptions::pin_root / `--pin-root`):
//
//   <root>/<name>         a pinned map (LIBBPF_PIN_BY_NAME, pin_map(), `ebpf map pin`)
//   <root>/maps/<id>      every shared map, while the process that created it lives
//   <root>/progs/<id>     one record per published program (removed when it unloads)
//   <root>/ids            the counters that hand out those ids
//
// A shared map is an ordinary ebpf::Map whose memory is a file mapped
// MAP_SHARED: programs and hosts in every process that opens it see the same
// elements, with the consistency rules of in-process maps (docs/maps.md;
// hash maps add per-bucket sequence numbers, docs/pinning.md). Array,
// per-CPU array, hash, per-CPU hash, LRU hash and LRU per-CPU hash maps can
// be shared; other types are refused with a message naming the type.
//
// Every function throws ebpf::Error "path: what is wrong" on failure; a file
// that is not a complete, valid pinned map (truncated, another version,
// hostile) is refused before anything in it is used.
#pragma once

#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "ebpf/limits.hpp"
#include "ebpf/object.hpp"
#include "ebpf/runtime.hpp"

namespace ebpf {

inline constexpr char kPinRootEnvironment[] = "EBPF_PIN_ROOT";
inline constexpr char kDefaultPinRoot[] = "/run/ebpf-native";
// Turns program run statistics on in any process (as sysctl kernel.bpf_stats_enabled=1).
inline constexpr char kProgramStatsEnvironment[] = "EBPF_STATS";

// `requested` when not empty, else $EBPF_PIN_ROOT, else /run/ebpf-native.
std::string pin_root(const std::string& requested = {});

// True for the map types that can live in shared memory.
bool map_type_can_pin(MapType type);

// Creates a map in shared memory and pins it at `path` (bpf_map_create +
// bpf_obj_pin). `root`: the pin root that lists it under maps/<id> while
// this process lives. Fails when `path` exists.
std::shared_ptr<Map> create_pinned_map(const MapDefinition& definition, const std::string& path,
                                       const std::string& root = pin_root(), const ResourceLimits& limits = {});
// Creates a map in shared memory listed as <root>/maps/<id> while this
// process lives, with no other name (LoadOptions::share_maps uses it).
std::shared_ptr<Map> create_shared_map(const MapDefinition& definition, const std::string& root = pin_root(),
                                       const ResourceLimits& limits = {});
// Opens a pinned map (bpf_obj_get). `path` may also be "<root>/maps/<id>".
std::shared_ptr<Map> open_pinned_map(const std::string& path);
// LIBBPF_PIN_BY_NAME: opens <root>/<definition.name> when it exists and is
// compatible (same type, key size, value size, max_entries, flags; per-CPU
// maps also the CPU count), creates it otherwise. An incompatible pinned map
// is refused: "map 'x': pinned map <path> is incompatible: max_entries 16
// here, 8 pinned".
std::shared_ptr<Map> reuse_or_create_pinned_map(const MapDefinition& definition, const std::string& root = pin_root(),
                                                const ResourceLimits& limits = {});
// Gives a shared map one more name (bpf_obj_pin on an existing map): a hard
// link, so `path` must be on the pin root's file system. An in-process map
// cannot be pinned afterwards (its memory is private): the error says to load
// it with LoadOptions::share_maps or pinning.
void pin_map(const Map& map, const std::string& path);
// Removes a name (the map lives on while a process has it open).
void unpin(const std::string& path);
// The file behind a shared map, or "" for an in-process map.
std::string shared_map_path(const Map& map);
// Its id under the pin root (maps/<id>), 0 for an in-process map.
uint32_t shared_map_id(const Map& map);

// What a pinned map file says about itself, validated (no Map is built).
struct PinnedMapInfo {
    std::vector<std::string> paths;  // every name found under the root (maps/<id> first)
    uint32_t id = 0;
    MapDefinition definition;        // name, type, sizes, flags, key/value types
    uint32_t cpus = 1;               // values per element (per-CPU maps)
    uint64_t bytes = 0;              // file size
    int32_t creator_pid = 0;
    bool creator_alive = false;
};
PinnedMapInfo inspect_pinned_map(const std::string& path);
// Every valid map file under `root` (maps/<id> and pins, one entry per file,
// by id). maps/<id> names left by a process that died are removed (the map
// survives under its other pinned names). Invalid files are skipped and
// reported in `problems` when given.
std::vector<PinnedMapInfo> list_pinned_maps(const std::string& root = pin_root(),
                                            std::vector<std::string>* problems = nullptr);

// --- programs -------------------------------------------------------------------

// Run statistics (run count and total run time) are collected only while
// enabled, as kernel.bpf_stats_enabled: off by default, on with
// set_program_stats(true) or $EBPF_STATS=1. Counters are per CPU slot.
void set_program_stats(bool enabled);
bool program_stats_enabled();
struct ProgramStats {
    uint64_t run_count = 0;
    uint64_t run_time_ns = 0;
};
ProgramStats program_stats(const LoadedProgram& program);

// Publishes a loaded object's programs under <root>/progs/<id> (name, type,
// section, mode, tag, the ids of the shared maps it uses, object path, pid)
// with live run statistics; each record is removed when its program unloads.
// load_object() does this itself with LoadOptions::share_maps.
void publish_programs(const LoadedObject& object, const std::string& root = pin_root());

struct ProgramRecord {
    uint32_t id = 0;
    std::string name, section, type, mode, tag, object;
    std::vector<uint32_t> map_ids;   // shared maps the program uses
    std::vector<std::string> private_maps;  // maps it uses that are not shared (names)
    int32_t pid = 0;
    bool alive = false;              // its host process still runs
    ProgramStats stats;
    std::string path;                // the record file
};
// Every record under <root>/progs; records of hosts that exited without
// unloading (killed) are removed.
std::vector<ProgramRecord> list_programs(const std::string& root = pin_root(),
                                         std::vector<std::string>* problems = nullptr);

}  // namespace ebpf
