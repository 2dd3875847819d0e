// The artifact's manifest: deterministic when written, strict when read.
#include <gtest/gtest.h>

#include <nlohmann/json.hpp>

#include "artifact.hpp"
#include "ebpf/error.hpp"

namespace ebpf::registry {
namespace {

using nlohmann::json;

const std::vector<uint8_t> kModule = {0x7f, 'E', 'L', 'F', 1, 2, 3};

PushRequest sample_request() {
    PushRequest request;
    request.module = kModule;
    request.report_json = R"({"programs":[{"name":"xdp_pass"}]})";
    request.title = "prog.so";
    request.program_names = {"xdp_pass", "xdp_drop"};
    return request;
}

TEST(RegistryArtifact, SameInputSameManifest) {
    const ArtifactForPush first = make_artifact(sample_request());
    const ArtifactForPush second = make_artifact(sample_request());
    EXPECT_EQ(first.manifest, second.manifest);
    EXPECT_EQ(first.manifest_digest, second.manifest_digest);
    EXPECT_EQ(first.manifest_digest, digest_of(std::string_view(first.manifest)));

    PushRequest other = sample_request();
    other.title = "other.so";
    EXPECT_NE(make_artifact(other).manifest_digest, first.manifest_digest);
}

TEST(RegistryArtifact, ManifestIsAnOciArtifact) {
    const ArtifactForPush artifact = make_artifact(sample_request());
    const json manifest = json::parse(artifact.manifest);
    EXPECT_EQ(manifest["schemaVersion"], 2);
    EXPECT_EQ(manifest["mediaType"], kManifestMediaType);
    EXPECT_EQ(manifest["artifactType"], kArtifactType);
    EXPECT_EQ(manifest["config"]["mediaType"], kConfigMediaType);
    ASSERT_EQ(manifest["layers"].size(), 2u);
    EXPECT_EQ(manifest["layers"][0]["mediaType"], kModuleMediaType);
    EXPECT_EQ(manifest["layers"][0]["digest"], digest_of(kModule));
    EXPECT_EQ(manifest["layers"][0]["size"], kModule.size());
    EXPECT_EQ(manifest["layers"][1]["mediaType"], kReportMediaType);
    EXPECT_EQ(manifest["annotations"][std::string(kTitleAnnotation)], "prog.so");
    EXPECT_EQ(manifest["annotations"][std::string(kProgramsAnnotation)], "xdp_pass,xdp_drop");
    const json config = json::parse(artifact.config.bytes);
    EXPECT_EQ(config["module"]["signed"], false);
    EXPECT_EQ(config["module"]["digest"], digest_of(kModule));

    const ArtifactManifest read = parse_manifest(artifact.manifest, 1 << 20);
    EXPECT_EQ(read.module.digest, digest_of(kModule));
    ASSERT_TRUE(read.report.has_value());
    EXPECT_EQ(read.annotations.at(std::string(kTitleAnnotation)), "prog.so");
}

TEST(RegistryArtifact, BadPushInputIsRefused) {
    PushRequest request = sample_request();
    request.report_json = "{not json";
    EXPECT_THROW(make_artifact(request), Error);
    request = sample_request();
    request.module = {};
    EXPECT_THROW(make_artifact(request), Error);
    request = sample_request();
    request.annotations[""] = "x";
    EXPECT_THROW(make_artifact(request), Error);
}

// Each mutation of a good manifest, and the words the refusal must contain.
TEST(RegistryArtifact, MalformedManifestsAreRefused) {
    const json good = json::parse(make_artifact(sample_request()).manifest);
    const std::string other_digest = "sha256:" + std::string(64, 'b');
    struct Case {
        std::string name;
        std::function<void(json&)> mutate;
        std::string expected;
    };
    const std::vector<Case> cases = {
        {"schema 1", [](json& m) { m["schemaVersion"] = 1; }, "schemaVersion"},
        {"schema missing", [](json& m) { m.erase("schemaVersion"); }, "schemaVersion"},
        {"index", [](json& m) { m["mediaType"] = "application/vnd.oci.image.index.v1+json"; }, "image index"},
        {"docker manifest", [](json& m) { m["mediaType"] = "application/vnd.docker.distribution.manifest.v2+json"; },
         "not an ebpf-native module"},
        {"media type not a string", [](json& m) { m["mediaType"] = 7; }, "mediaType is not a string"},
        {"container image", [](json& m) {
             m.erase("artifactType");
             m["config"]["mediaType"] = "application/vnd.oci.image.config.v1+json";
         }, "not an ebpf-native module"},
        {"no config", [](json& m) { m.erase("config"); }, "no config"},
        {"no layers", [](json& m) { m.erase("layers"); }, "no layers"},
        {"layers not array", [](json& m) { m["layers"] = json::object(); }, "no layers"},
        {"no module layer", [](json& m) { m["layers"].erase(0); }, "no layer of media type"},
        {"two module layers", [](json& m) { m["layers"][1] = m["layers"][0]; }, "more than one module layer"},
        {"foreign layer", [](json& m) { m["layers"][1]["mediaType"] = "application/vnd.oci.image.layer.v1.tar"; },
         "unexpected layer media type"},
        {"traversal digest", [](json& m) { m["layers"][0]["digest"] = "sha256:../../../../etc/passwd"; },
         "only sha256"},
        {"sha512 digest", [](json& m) { m["layers"][0]["digest"] = "sha512:" + std::string(128, 'a'); },
         "only sha256"},
        {"uppercase digest", [](json& m) { m["layers"][0]["digest"] = "sha256:" + std::string(64, 'A'); },
         "only sha256"},
        {"digest not a string", [](json& m) { m["layers"][0]["digest"] = 5; }, "no digest"},
        {"negative size", [](json& m) { m["layers"][0]["size"] = -1; }, "no size"},
        {"fractional size", [](json& m) { m["layers"][0]["size"] = 1.5; }, "no size"},
        {"huge size", [](json& m) { m["layers"][0]["size"] = uint64_t{1} << 40; }, "more than the limit"},
        {"huge config", [&](json& m) { m["config"]["size"] = uint64_t{1} << 40; }, "more than the limit"},
        {"annotations array", [](json& m) { m["annotations"] = json::array(); }, "annotations is not an object"},
        {"annotation number", [](json& m) { m["annotations"]["x"] = 1; }, "is not a string"},
        {"layer not object", [](json& m) { m["layers"][0] = "x"; }, "not an object"},
    };
    for (const auto& c : cases) {
        json manifest = good;
        c.mutate(manifest);
        try {
            parse_manifest(manifest.dump(), 1 << 20);
            ADD_FAILURE() << c.name << ": accepted";
        } catch (const Error& e) {
            EXPECT_NE(std::string(e.what()).find(c.expected), std::string::npos) << c.name << ": " << e.what();
        }
    }
    for (const std::string& text : std::vector<std::string>{"", "not json", "[]", "null", "{\"schemaVersion\":2", std::string(10000, '[')}) {
        EXPECT_THROW(parse_manifest(text, 1 << 20), Error) << text.substr(0, 20);
    }
}

}  // namespace
}  // namespace ebpf::registry
