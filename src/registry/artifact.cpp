// The module's OCI artifact (image-spec "Guidelines for artifact usage"): an
// image manifest whose config media type and artifactType are ours, with the
// module and the report as layers of our own media types.
#include "artifact.hpp"

#include <nlohmann/json.hpp>

#include "ebpf/error.hpp"
#include "ebpf/printable.hpp"
#include "ebpf/signing.hpp"

namespace ebpf::registry {
namespace {

using nlohmann::json;

Blob make_blob(std::string media_type, std::string bytes) {
    Blob blob;
    blob.descriptor = {std::move(media_type), digest_of(std::string_view(bytes)), bytes.size()};
    blob.bytes = std::move(bytes);
    return blob;
}

json descriptor_json(const Descriptor& descriptor, const std::string& title) {
    json result = {{"mediaType", descriptor.media_type}, {"digest", descriptor.digest}, {"size", descriptor.size}};
    if (!title.empty()) result["annotations"] = {{std::string(kTitleAnnotation), title}};
    return result;
}

std::string join(const std::vector<std::string>& names) {
    std::string text;
    for (const auto& name : names) text += (text.empty() ? "" : ",") + name;
    return text;
}

[[noreturn]] void malformed(const std::string& why) { throw Error("malformed manifest: " + why); }

Descriptor read_descriptor(const json& value, const std::string& where, size_t max_blob_bytes) {
    if (!value.is_object()) malformed(where + " is not an object");
    const auto media_type = value.find("mediaType");
    const auto digest = value.find("digest");
    const auto size = value.find("size");
    if (media_type == value.end() || !media_type->is_string()) malformed(where + " has no mediaType");
    if (digest == value.end() || !digest->is_string()) malformed(where + " has no digest");
    if (size == value.end() || !size->is_number_unsigned()) malformed(where + " has no size (a non-negative integer)");
    Descriptor descriptor{media_type->get<std::string>(), digest->get<std::string>(), size->get<uint64_t>()};
    // The digest becomes part of a URL: only sha256 and 64 lowercase hex digits.
    if (!is_valid_digest(descriptor.digest))
        malformed(where + " has digest '" + printable(descriptor.digest.substr(0, 100)) +
                  "' (only sha256 with 64 lowercase hex digits is accepted)");
    if (descriptor.size > max_blob_bytes)
        throw Error(where + " is " + std::to_string(descriptor.size) + " bytes, more than the limit of " +
                    std::to_string(max_blob_bytes) + " bytes");
    return descriptor;
}

}  // namespace

ArtifactForPush make_artifact(const PushRequest& request) {
    if (request.module.empty()) throw Error("the module is empty");
    ArtifactForPush artifact;
    artifact.module = make_blob(std::string(kModuleMediaType),
                                std::string(reinterpret_cast<const char*>(request.module.data()), request.module.size()));
    if (request.report_json) {
        const json report = json::parse(*request.report_json, nullptr, false);
        if (report.is_discarded()) throw Error("the report is not valid JSON");
        artifact.report = make_blob(std::string(kReportMediaType), *request.report_json);
    }

    const json config = {
        {"module",
         {{"digest", artifact.module.descriptor.digest},
          {"size", artifact.module.descriptor.size},
          {"signed", has_module_signature(request.module)}}},
        {"programs", request.program_names},
    };
    artifact.config = make_blob(std::string(kConfigMediaType), config.dump());

    json layers = json::array();
    layers.push_back(descriptor_json(artifact.module.descriptor, request.title));
    if (artifact.report) layers.push_back(descriptor_json(artifact.report->descriptor, "report.json"));

    json annotations = json::object();
    for (const auto& [key, value] : request.annotations) {
        if (key.empty()) throw Error("an annotation key is empty");
        annotations[key] = value;
    }
    if (!request.title.empty()) annotations[std::string(kTitleAnnotation)] = request.title;
    if (!request.program_names.empty()) annotations[std::string(kProgramsAnnotation)] = join(request.program_names);

    json manifest = {
        {"schemaVersion", 2},
        {"mediaType", kManifestMediaType},
        {"artifactType", kArtifactType},
        {"config", descriptor_json(artifact.config.descriptor, "")},
        {"layers", layers},
    };
    if (!annotations.empty()) manifest["annotations"] = annotations;
    // Names and titles may be any text: dump() escapes nothing it need not,
    // but must not throw on invalid UTF-8 either.
    artifact.manifest = manifest.dump(-1, ' ', false, json::error_handler_t::replace);
    artifact.manifest_digest = digest_of(std::string_view(artifact.manifest));
    return artifact;
}

ArtifactManifest parse_manifest(const std::string& bytes, size_t max_blob_bytes) {
    const json manifest = json::parse(bytes, nullptr, false);
    if (manifest.is_discarded()) malformed("not JSON");
    if (!manifest.is_object()) malformed("not a JSON object");
    if (!manifest.contains("schemaVersion") || manifest["schemaVersion"] != 2) malformed("schemaVersion is not 2");
    std::string media_type;
    if (manifest.contains("mediaType")) {
        if (!manifest["mediaType"].is_string()) malformed("mediaType is not a string");
        media_type = manifest["mediaType"].get<std::string>();
    }
    if (media_type == "application/vnd.oci.image.index.v1+json" ||
        media_type == "application/vnd.docker.distribution.manifest.list.v2+json")
        throw Error("not an ebpf-native module: the reference names an image index (" + media_type + ")");
    if (!media_type.empty() && media_type != kManifestMediaType)
        throw Error("not an ebpf-native module: manifest media type '" + printable(media_type.substr(0, 100)) + "'");
    if (!manifest.contains("config")) malformed("no config");
    const Descriptor config = read_descriptor(manifest["config"], "the config", max_blob_bytes);
    std::string artifact_type;
    if (manifest.contains("artifactType") && manifest["artifactType"].is_string())
        artifact_type = manifest["artifactType"].get<std::string>();
    if (config.media_type != kConfigMediaType && artifact_type != kArtifactType)
        throw Error("not an ebpf-native module: config media type '" + printable(config.media_type.substr(0, 100)) +
                    "'" + (artifact_type.empty() ? "" : ", artifact type '" + printable(artifact_type.substr(0, 100)) + "'"));
    if (!manifest.contains("layers") || !manifest["layers"].is_array()) malformed("no layers array");

    ArtifactManifest result;
    std::optional<Descriptor> module;
    size_t index = 0;
    for (const auto& layer : manifest["layers"]) {
        const Descriptor descriptor = read_descriptor(layer, "layer " + std::to_string(index++), max_blob_bytes);
        if (descriptor.media_type == kModuleMediaType) {
            if (module) malformed("more than one module layer");
            module = descriptor;
        } else if (descriptor.media_type == kReportMediaType) {
            if (result.report) malformed("more than one report layer");
            result.report = descriptor;
        } else {
            malformed("unexpected layer media type '" + printable(descriptor.media_type.substr(0, 100)) + "'");
        }
    }
    if (!module) throw Error("not an ebpf-native module: no layer of media type " + std::string(kModuleMediaType));
    result.module = *module;
    if (manifest.contains("annotations")) {
        const json& annotations = manifest["annotations"];
        if (!annotations.is_object()) malformed("annotations is not an object");
        for (const auto& [key, value] : annotations.items()) {
            if (!value.is_string()) malformed("annotation '" + printable(key.substr(0, 100)) + "' is not a string");
            result.annotations[key] = value.get<std::string>();
        }
    }
    return result;
}

}  // namespace ebpf::registry
