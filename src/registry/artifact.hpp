// The OCI artifact that holds one module: what push writes (deterministic
// bytes) and what pull accepts (checked strictly). Internal to src/registry/.
#pragma once

#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <vector>

#include "ebpf/registry.hpp"

namespace ebpf::registry {

struct Descriptor {
    std::string media_type;
    std::string digest;  // valid sha256 (checked when read)
    uint64_t size = 0;
};

// A blob to upload: its bytes and descriptor.
struct Blob {
    Descriptor descriptor;
    std::string bytes;
};

struct ArtifactForPush {
    Blob config;
    Blob module;
    std::optional<Blob> report;
    std::string manifest;  // the exact bytes to PUT
    std::string manifest_digest;
};

// Builds the config, layers and manifest for `request`. Same input, same
// bytes (no timestamps; JSON keys sorted). Throws ebpf::Error for a report
// that is not JSON, an empty module, or an empty annotation key.
ArtifactForPush make_artifact(const PushRequest& request);

struct ArtifactManifest {
    Descriptor module;
    std::optional<Descriptor> report;
    std::map<std::string, std::string> annotations;
};

// Parses a manifest's bytes and checks that it describes an ebpf-native
// module: an OCI image manifest (schemaVersion 2), our config media type or
// artifact type, exactly one module layer and at most one report layer, no
// other layer, every descriptor with a sha256 digest and a size within
// `max_blob_bytes`. Throws ebpf::Error naming the first problem.
ArtifactManifest parse_manifest(const std::string& bytes, size_t max_blob_bytes);

}  // namespace ebpf::registry
