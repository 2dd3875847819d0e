// Maps in shared memory (internal): array, per-CPU array, hash, per-CPU
// hash, LRU hash and LRU per-CPU hash over a pinned map file (map_file.hpp).
// They are ordinary ebpf::Map objects: programs, helpers and the host API use
// them exactly as in-process maps.
#pragma once

#include <memory>
#include <string>

#include "map_file.hpp"
#include "shared_file.hpp"
#include "../maps/map_types.hpp"

namespace ebpf::runtime_detail {

class SharedMap : public IterableMap {
public:
    SharedMap(const MapDefinition& definition, SharedMapping mapping, const MapFileLayout& layout, std::string path,
              uint32_t shared_id);
    ~SharedMap() override;
    // The file it was created or opened at (it may have been renamed or unpinned since).
    const std::string& path() const { return path_; }
    uint32_t shared_id() const { return shared_id_; }
    const MapFileLayout& layout() const { return layout_; }
    int fd() const { return mapping_.fd(); }
    // A name this process created for the map and removes when the map goes
    // (<root>/maps/<id>: the map is listed while its creator lives).
    void remove_on_destruction(std::string path) { owned_link_ = std::move(path); }

protected:
    MapFileHeader& header() const { return *mapping_.at<MapFileHeader>(0); }
    uint8_t* data() const { return mapping_.base() + layout_.elements_offset; }
    bool host_writes_refused() const { return (layout_.map_flags & kMapFlagRdonlyProg) != 0; }

    SharedMapping mapping_;
    MapFileLayout layout_;
    std::string path_;
    uint32_t shared_id_;
    std::string owned_link_;
};

// Creates the file at `path` (exclusively: fails when it exists), fully
// initialised, `ready` stored last. `id`: its id under the pin root.
std::shared_ptr<SharedMap> create_map_file(const MapDefinition& definition, const std::string& path, uint32_t id);
// Opens and validates a pinned map file: throws ebpf::Error "path: what is
// wrong" for anything that is not a complete, consistent pinned map.
std::shared_ptr<SharedMap> open_shared_map(const std::string& path);

// Only the validated header and info of a pinned map file (no Map object).
struct MapFileSummary {
    MapDefinition definition;
    MapFileLayout layout;
    uint32_t id = 0;
    ProcessIdentity creator;
};
MapFileSummary read_map_file(const std::string& path);

}  // namespace ebpf::runtime_detail
