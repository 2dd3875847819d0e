// Distribution of native modules through an OCI registry (the OCI
// distribution API, as Docker's and every cloud's registry speak it).
//
// A module is stored as an OCI artifact: an image manifest whose config and
// layers carry media types of our own (below) — the module (.so, signed or
// not), and optionally the JSON report of the build that made it. Pushing is
// deterministic: the same module, report and annotations give the same
// manifest digest, so pushing twice changes nothing.
//
// The registry is untrusted. Pulling verifies every digest it receives (the
// manifest against the digest asked for or announced, each blob against its
// descriptor), bounds every body it reads (a registry answering with 1 GiB
// fails at the limit, having allocated no more), follows a bounded number of
// redirects and never from HTTPS to plain HTTP. Plain HTTP is used for
// loopback registries only (localhost, 127.0.0.1, [::1]); anything else is
// HTTPS with certificate and host-name checks.
#pragma once

#include <chrono>
#include <cstddef>
#include <cstdint>
#include <filesystem>
#include <map>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <vector>

namespace ebpf::registry {

// --- media types -------------------------------------------------------------

inline constexpr std::string_view kManifestMediaType = "application/vnd.oci.image.manifest.v1+json";
// The manifest's artifactType.
inline constexpr std::string_view kArtifactType = "application/vnd.ebpf-native.module.v1";
// The config blob: a small JSON document describing the module (size,
// digest, whether it is signed, program names).
inline constexpr std::string_view kConfigMediaType = "application/vnd.ebpf-native.module.config.v1+json";
// The module layer: the shared object's bytes, exactly as built and signed.
inline constexpr std::string_view kModuleMediaType = "application/vnd.ebpf-native.module.v1+elf";
// The optional report layer: the build's JSON report.
inline constexpr std::string_view kReportMediaType = "application/vnd.ebpf-native.report.v1+json";

// Annotation keys the manifest carries.
inline constexpr std::string_view kTitleAnnotation = "org.opencontainers.image.title";
inline constexpr std::string_view kProgramsAnnotation = "org.ebpf-native.programs";  // comma-separated

// --- references ----------------------------------------------------------------

// REGISTRY/REPOSITORY:TAG or REGISTRY/REPOSITORY@sha256:HEX (or both: tag
// and digest, the digest wins when pulling). The registry part is always
// explicit (a host name with a dot or a port, "localhost", or an IP
// address, IPv6 in brackets); there is no default registry.
struct Reference {
    std::string registry;    // "localhost:5000", "registry.example.com", "[::1]:5000"
    std::string repository;  // "team/xdp-filter" (distribution spec grammar, lowercase)
    std::string tag;         // empty when only a digest is given
    std::string digest;      // "sha256:<64 lowercase hex>", or empty

    // Strict: the distribution spec's grammar for repository names and tags,
    // sha256 digests only (64 lowercase hex digits), no empty or "."/".."
    // path components, no whitespace or control characters, at most 255
    // characters of registry/repository. Throws ebpf::Error naming what is
    // wrong.
    static Reference parse(std::string_view text);

    // The canonical text: REGISTRY/REPO[:TAG][@DIGEST].
    std::string to_string() const;
    // REGISTRY/REPO@DIGEST: the same repository pinned to `digest`.
    Reference pinned(std::string_view digest) const;
    // True for localhost, 127.0.0.1 and [::1] (with or without a port): the
    // registries spoken to over plain HTTP.
    bool is_loopback() const;
};

// True for "sha256:" followed by exactly 64 lowercase hex digits.
bool is_valid_digest(std::string_view digest);
// "sha256:<hex>" of `bytes`.
std::string digest_of(std::span<const uint8_t> bytes);
std::string digest_of(std::string_view bytes);

// --- client options ---------------------------------------------------------------

struct ClientOptions {
    // HTTPS: trust only the CA certificates of this PEM file instead of the
    // system's (for a private registry). Ignored for loopback registries.
    std::optional<std::filesystem::path> ca_file;
    // Credentials, sent to the registry's own origin only (never to the
    // host a redirect points to). At most one of them. A registry behind a
    // token service (401 with `WWW-Authenticate: Bearer realm=...`) gets a
    // token from the realm, asked with the basic credentials (or none);
    // a bearer token given here is used as it is, never exchanged.
    std::string basic_username;  // basic auth when not empty
    std::string basic_password;
    std::string bearer_token;    // "Authorization: Bearer TOKEN" when not empty

    // What the client reads at most; a larger body is refused as it arrives.
    size_t max_manifest_bytes = size_t{4} << 20;  // 4 MiB (the spec's recommended minimum)
    size_t max_blob_bytes = size_t{64} << 20;     // each blob (module, report, config)
    // Per connection attempt, per read/write, and for one whole request
    // (including its body, so a registry trickling bytes cannot hold a pull
    // forever).
    std::chrono::milliseconds connect_timeout{10'000};
    std::chrono::milliseconds io_timeout{30'000};
    std::chrono::milliseconds request_timeout{120'000};
    // Redirects followed per request (blob downloads are often redirected to
    // storage); more is an error.
    unsigned max_redirects = 5;
};

// Reads a secret from a file: a bearer token, or "USER:PASSWORD" for basic
// auth. The trailing newline is dropped; an empty file, a file over 64 KiB,
// or control characters in the secret are errors. Throws ebpf::Error.
std::string read_secret_file(const std::filesystem::path& path);
// Sets `options`' basic credentials from "USER:PASSWORD" (text after the
// first ':' is the password). Throws ebpf::Error without a ':'.
void set_basic_credentials(ClientOptions& options, std::string_view user_colon_password);

// --- push and pull ---------------------------------------------------------------
//
// Both share no state between calls: threads may push and pull at once.
// Neither changes signal dispositions: a process that writes to sockets
// should ignore SIGPIPE (the `ebpf` tool does), since TLS writes to a peer
// that closed the connection raise it.

struct PushRequest {
    std::span<const uint8_t> module;       // the .so, as built (and signed)
    std::optional<std::string> report_json;  // must parse as JSON when given
    std::string title;                     // annotation: usually the file name ("prog.so")
    std::vector<std::string> program_names;  // annotation and config
    // More annotations for the manifest (keys must not be empty).
    std::map<std::string, std::string> annotations;
};

struct PushResult {
    std::string manifest_digest;  // sha256:...: what `pull REGISTRY/REPO@DIGEST` asks for
    std::string module_digest;    // the module blob's digest (sha256 of the .so's bytes)
    std::string report_digest;    // empty without a report
    Reference pinned;             // REGISTRY/REPO@manifest_digest
    size_t blobs_uploaded = 0;    // blobs the registry did not have yet
    size_t blobs_present = 0;     // blobs it had (HEAD said so): skipped
};

// Uploads the blobs the registry lacks (monolithic upload) and puts the
// manifest under `reference`'s tag. The reference must have a tag and no
// digest. Checks the digest the registry reports for the manifest. Throws
// ebpf::Error "REFERENCE: what went wrong" (unreachable, refused, 401/403,
// a digest the registry got wrong, ...).
PushResult push(const Reference& reference, const PushRequest& request, const ClientOptions& options = {});

struct PullResult {
    std::vector<uint8_t> module;             // verified against its descriptor's digest
    std::optional<std::string> report_json;  // verified, when the artifact has one
    std::string manifest_digest;             // verified
    std::string module_digest;
    std::map<std::string, std::string> annotations;  // the manifest's
};

// Fetches the manifest by digest (when the reference has one) or by tag,
// verifies it (the digest asked for; by tag, the digest the registry
// announces, if any), checks it describes an ebpf-native module (artifact
// and media types, exactly one module layer, at most one report), then
// fetches and verifies each blob (size and sha256 against the descriptor).
// Nothing unverified is returned. Throws ebpf::Error "REFERENCE: what went
// wrong" (unreachable, not found, digest mismatch, too large, malformed
// manifest, not a module, redirect loop, ...).
PullResult pull(const Reference& reference, const ClientOptions& options = {});

}  // namespace ebpf::registry
