// pull: the manifest, verified against the digest asked for (or announced),
// then each blob, verified against its descriptor. Bodies are bounded by the
// limits and by the sizes the verified manifest gives, so a registry sending
// more is cut off as the bytes arrive.
#include <nlohmann/json.hpp>

#include "artifact.hpp"
#include "ebpf/error.hpp"
#include "ebpf/printable.hpp"
#include "http_session.hpp"

namespace ebpf::registry {
namespace {

std::string fetch_blob(const HttpSession& session, const Descriptor& descriptor, const std::string& name) {
    const std::string what = name + " blob " + descriptor.digest;
    HttpResponse response = session.send({"GET", session.repository_url("blobs/" + descriptor.digest), {}, {}, {},
                                          static_cast<size_t>(descriptor.size), what});
    if (response.status != 200) throw session.status_error(response, what);
    if (response.body.size() != descriptor.size)
        throw session.error(what + ": the registry sent " + std::to_string(response.body.size()) +
                            " bytes, the manifest says " + std::to_string(descriptor.size) + "; refused");
    const std::string actual = digest_of(std::string_view(response.body));
    if (actual != descriptor.digest)
        throw session.error(what + ": digest mismatch: the bytes the registry sent hash to " + actual + "; refused");
    return std::move(response.body);
}

}  // namespace

PullResult pull(const Reference& reference, const ClientOptions& options) {
    const HttpSession session(reference, options);
    const std::string& selector = reference.digest.empty() ? reference.tag : reference.digest;
    const std::string what = "manifest " + selector;
    httplib::Headers accept = {{"Accept", std::string(kManifestMediaType)}};
    HttpResponse response = session.send({"GET", session.repository_url("manifests/" + selector), accept, {}, {},
                                           options.max_manifest_bytes, what});
    if (response.status != 200) throw session.status_error(response, what);

    PullResult result;
    result.manifest_digest = digest_of(std::string_view(response.body));
    if (!reference.digest.empty() && result.manifest_digest != reference.digest)
        throw session.error(what + ": digest mismatch: the manifest the registry sent hashes to " +
                            result.manifest_digest + "; refused");
    const std::string announced = response.header("Docker-Content-Digest");
    if (!announced.empty() && announced != result.manifest_digest)
        throw session.error(what + ": digest mismatch: the registry announces '" +
                            printable(announced.substr(0, 100)) + "' but the manifest hashes to " +
                            result.manifest_digest + "; refused");

    ArtifactManifest manifest;
    try {
        manifest = parse_manifest(response.body, options.max_blob_bytes);
    } catch (const Error& e) {
        throw session.error(what + ": " + e.what());
    }
    if (manifest.module.size == 0) throw session.error(what + ": the module layer is empty");

    const std::string module = fetch_blob(session, manifest.module, "module");
    result.module.assign(module.begin(), module.end());
    result.module_digest = manifest.module.digest;
    if (manifest.report) {
        result.report_json = fetch_blob(session, *manifest.report, "report");
        if (nlohmann::json::parse(*result.report_json, nullptr, false).is_discarded())
            throw session.error("report blob " + manifest.report->digest + ": not valid JSON");
    }
    result.annotations = std::move(manifest.annotations);
    return result;
}

}  // namespace ebpf::registry
