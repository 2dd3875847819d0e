// Round trips through a real registry: Debian's docker-registry (the
// reference Distribution implementation), started for these tests.
#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>
#include <memory>

#include "ebpf/error.hpp"
#include "ebpf/registry.hpp"
#include "local_registry.hpp"

namespace ebpf::registry {
namespace {

// One registry for all tests of this file (starting one takes ~0.2 s).
class RegistryRoundTrip : public ::testing::Test {
protected:
    static void SetUpTestSuite() { registry_ = std::make_unique<testing::LocalRegistry>(); }
    static void TearDownTestSuite() { registry_.reset(); }
    void SetUp() override {
        if (!registry_->running()) GTEST_SKIP() << registry_->why_not();
    }
    static Reference reference(const std::string& tail) { return Reference::parse(registry_->address() + "/" + tail); }
    static std::unique_ptr<testing::LocalRegistry> registry_;
};
std::unique_ptr<testing::LocalRegistry> RegistryRoundTrip::registry_;

std::vector<uint8_t> module_bytes(char fill, size_t size = 4096) {
    std::vector<uint8_t> bytes(size, static_cast<uint8_t>(fill));
    bytes[0] = 0x7f, bytes[1] = 'E', bytes[2] = 'L', bytes[3] = 'F';
    return bytes;
}

TEST_F(RegistryRoundTrip, PushThenPullByTagAndByDigest) {
    const auto module = module_bytes('a');
    PushRequest request;
    request.module = module;
    request.report_json = R"({"programs":[{"name":"xdp_pass"}],"module_digest":"x"})";
    request.title = "prog.so";
    request.program_names = {"xdp_pass"};
    const PushResult pushed = push(reference("team/prog:v1"), request);
    EXPECT_TRUE(is_valid_digest(pushed.manifest_digest));
    EXPECT_EQ(pushed.module_digest, digest_of(module));
    EXPECT_EQ(pushed.blobs_uploaded, 3u);
    EXPECT_EQ(pushed.pinned.to_string(), registry_->address() + "/team/prog@" + pushed.manifest_digest);

    const PullResult by_tag = pull(reference("team/prog:v1"));
    EXPECT_EQ(by_tag.module, module);
    EXPECT_EQ(by_tag.report_json, request.report_json);
    EXPECT_EQ(by_tag.manifest_digest, pushed.manifest_digest);
    EXPECT_EQ(by_tag.annotations.at(std::string(kTitleAnnotation)), "prog.so");
    EXPECT_EQ(by_tag.annotations.at(std::string(kProgramsAnnotation)), "xdp_pass");

    const PullResult by_digest = pull(pushed.pinned);
    EXPECT_EQ(by_digest.module, module);
    EXPECT_EQ(by_digest.manifest_digest, pushed.manifest_digest);
}

TEST_F(RegistryRoundTrip, PushingTwiceChangesNothing) {
    const auto module = module_bytes('b');
    PushRequest request;
    request.module = module;
    request.title = "prog.so";
    const PushResult first = push(reference("team/twice:v1"), request);
    const PushResult second = push(reference("team/twice:v1"), request);
    EXPECT_EQ(first.manifest_digest, second.manifest_digest);
    EXPECT_EQ(first.blobs_uploaded, 2u);
    EXPECT_EQ(second.blobs_uploaded, 0u);
    EXPECT_EQ(second.blobs_present, 2u);
    // The same module under another tag and repository: the same manifest.
    EXPECT_EQ(push(reference("other/repo:v2"), request).manifest_digest, first.manifest_digest);
}

TEST_F(RegistryRoundTrip, PullOfWhatIsNotThere) {
    try {
        pull(reference("team/prog@sha256:" + std::string(64, '0')));
        FAIL();
    } catch (const Error& e) {
        EXPECT_NE(std::string(e.what()).find("not found (404)"), std::string::npos) << e.what();
    }
    try {
        pull(reference("no/such:tag"));
        FAIL();
    } catch (const Error& e) {
        EXPECT_NE(std::string(e.what()).find("not found (404)"), std::string::npos) << e.what();
    }
}

// The registry's storage changed behind its back (a compromised mirror):
// the registry serves the bytes, the client refuses them.
TEST_F(RegistryRoundTrip, TamperedStorageIsRefused) {
    const auto module = module_bytes('c');
    PushRequest request;
    request.module = module;
    const PushResult pushed = push(reference("team/tampered:v1"), request);
    const std::string hex = pushed.module_digest.substr(7);
    const auto data = std::filesystem::path(registry_->storage()) / "docker/registry/v2/blobs/sha256" /
                      hex.substr(0, 2) / hex / "data";
    ASSERT_TRUE(std::filesystem::exists(data)) << data;
    {
        std::fstream file(data, std::ios::in | std::ios::out | std::ios::binary);
        file.seekp(100);
        file.put('X');
    }
    try {
        pull(pushed.pinned);
        FAIL() << "tampered module accepted";
    } catch (const Error& e) {
        EXPECT_NE(std::string(e.what()).find("digest mismatch"), std::string::npos) << e.what();
    }
}

// The blob limit holds against a real registry too.
TEST_F(RegistryRoundTrip, BlobLimitHolds) {
    PushRequest request;
    const auto module = module_bytes('d');
    request.module = module;
    const PushResult pushed = push(reference("team/kind:v1"), request);
    EXPECT_NO_THROW(pull(pushed.pinned));
    ClientOptions tiny;
    tiny.max_blob_bytes = 100;  // the module is 4096 bytes
    try {
        pull(pushed.pinned, tiny);
        FAIL();
    } catch (const Error& e) {
        EXPECT_NE(std::string(e.what()).find("more than the limit of 100 bytes"), std::string::npos) << e.what();
    }
}

}  // namespace
}  // namespace ebpf::registry
