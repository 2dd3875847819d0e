// libFuzzer entry point for the registry client's parsers: the input as a
// reference, as a manifest and as a Location header. Each either parses or
// throws ebpf::Error; what parses must keep the promises the client relies
// on (digests that are safe in URL paths, sizes within the limit, targets
// in printable ASCII).
#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <string>

#include "artifact.hpp"
#include "ebpf/error.hpp"
#include "ebpf/registry.hpp"
#include "http_session.hpp"

namespace {

void require(bool condition) {
    if (!condition) std::abort();
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
    using namespace ebpf::registry;
    const std::string text(reinterpret_cast<const char*>(data), size);
    try {
        const Reference reference = Reference::parse(text);
        require(!reference.registry.empty() && !reference.repository.empty());
        require(reference.digest.empty() || is_valid_digest(reference.digest));
        require(reference.repository.find("..") == std::string::npos);
        require(Reference::parse(reference.to_string()).to_string() == reference.to_string());
    } catch (const ebpf::Error&) {
    }
    constexpr size_t kLimit = 1 << 20;
    try {
        const ArtifactManifest manifest = parse_manifest(text, kLimit);
        require(is_valid_digest(manifest.module.digest) && manifest.module.size <= kLimit);
        if (manifest.report) require(is_valid_digest(manifest.report->digest) && manifest.report->size <= kLimit);
    } catch (const ebpf::Error&) {
    }
    try {
        const Url base = parse_url("https://registry.example.com/v2/team/prog/blobs/uploads/");
        const Url url = resolve_location(base, text);
        require(url.scheme == "http" || url.scheme == "https");
        for (const char c : url.target) require(c > 0x20 && c < 0x7f);
    } catch (const ebpf::Error&) {
    }
    return 0;
}
