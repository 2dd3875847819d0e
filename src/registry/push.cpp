// push: blobs first (skipping those the registry has), then the manifest
// under the tag. Monolithic uploads: POST opens an upload session, one PUT
// with ?digest= sends the bytes and closes it.
#include <initializer_list>

#include "artifact.hpp"
#include "ebpf/error.hpp"
#include "ebpf/printable.hpp"
#include "http_session.hpp"

namespace ebpf::registry {
namespace {

// Answers to uploads and HEADs carry no content we need; error bodies are short.
constexpr size_t kMaxStatusBody = 64 * 1024;

// Whatever digest the registry reports for what it stored must be ours.
void check_reported_digest(const HttpSession& session, const HttpResponse& response, const std::string& expected,
                           const std::string& what) {
    const std::string reported = response.header("Docker-Content-Digest");
    if (!reported.empty() && reported != expected)
        throw session.error(what + ": the registry reports digest '" + printable(reported.substr(0, 100)) +
                            "' for what was sent with digest " + expected + "; refusing to trust it");
}

// True when the registry already has the blob.
bool blob_exists(const HttpSession& session, const Descriptor& descriptor) {
    const std::string what = "blob " + descriptor.digest;
    HttpResponse response = session.send(
        {"HEAD", session.repository_url("blobs/" + descriptor.digest), {}, {}, {}, kMaxStatusBody, what});
    if (response.status == 200) return true;
    if (response.status == 404) return false;
    throw session.status_error(response, what);
}

void upload_blob(const HttpSession& session, const Blob& blob) {
    const std::string what = "upload of blob " + blob.descriptor.digest;
    HttpResponse opened =
        session.send({"POST", session.repository_url("blobs/uploads/"), {}, {}, {}, kMaxStatusBody, what});
    if (opened.status != 202) throw session.status_error(opened, what);
    const std::string location = opened.header("Location");
    if (location.empty()) throw session.error(what + ": the registry gave no Location for the upload");
    Url target;
    try {
        target = resolve_location(opened.url, location);
    } catch (const Error& e) {
        throw session.error(what + ": " + e.what());
    }
    // The digest's ':' percent-encoded, as a query value should be.
    target.target += (target.target.find('?') == std::string::npos ? "?" : "&");
    target.target += "digest=sha256%3A" + blob.descriptor.digest.substr(7);
    HttpResponse stored = session.send(
        {"PUT", target, {}, blob.bytes, "application/octet-stream", kMaxStatusBody, what});
    if (stored.status != 201) throw session.status_error(stored, what);
    check_reported_digest(session, stored, blob.descriptor.digest, what);
}

}  // namespace

PushResult push(const Reference& reference, const PushRequest& request, const ClientOptions& options) {
    if (reference.tag.empty() || !reference.digest.empty())
        throw Error(reference.to_string() + ": push needs REGISTRY/REPOSITORY:TAG (a tag and no digest)");
    ArtifactForPush artifact;
    try {
        artifact = make_artifact(request);
    } catch (const Error& e) {
        throw Error(reference.to_string() + ": " + e.what());
    }
    std::vector<const Blob*> blobs = {&artifact.config, &artifact.module};
    if (artifact.report) blobs.push_back(&*artifact.report);
    // What could not be pulled back with the same limits is not pushed.
    for (const Blob* blob : blobs)
        if (blob->bytes.size() > options.max_blob_bytes)
            throw Error(reference.to_string() + ": a blob of " + std::to_string(blob->bytes.size()) +
                        " bytes is more than the limit of " + std::to_string(options.max_blob_bytes));
    if (artifact.manifest.size() > options.max_manifest_bytes)
        throw Error(reference.to_string() + ": the manifest (" + std::to_string(artifact.manifest.size()) +
                    " bytes) is more than the limit of " + std::to_string(options.max_manifest_bytes));

    const HttpSession session(reference, options);
    PushResult result;
    for (const Blob* blob : blobs) {
        if (blob_exists(session, blob->descriptor)) {
            ++result.blobs_present;
        } else {
            upload_blob(session, *blob);
            ++result.blobs_uploaded;
        }
    }

    const std::string what = "manifest " + reference.tag;
    HttpResponse stored = session.send({"PUT", session.repository_url("manifests/" + reference.tag), {},
                                        artifact.manifest, std::string(kManifestMediaType), kMaxStatusBody, what});
    if (stored.status != 201) throw session.status_error(stored, what);
    check_reported_digest(session, stored, artifact.manifest_digest, what);

    result.manifest_digest = artifact.manifest_digest;
    result.module_digest = artifact.module.descriptor.digest;
    if (artifact.report) result.report_digest = artifact.report->descriptor.digest;
    result.pinned = reference.pinned(artifact.manifest_digest);
    return result;
}

}  // namespace ebpf::registry
