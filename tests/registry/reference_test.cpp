// References: what parses, what is refused (everything in a reference ends
// up in a URL path), and which registries get plain HTTP.
#include <gtest/gtest.h>

#include "ebpf/error.hpp"
#include "ebpf/registry.hpp"

namespace ebpf::registry {
namespace {

const std::string kDigest = "sha256:" + std::string(64, 'a');

TEST(RegistryReference, ParsesTagAndDigestForms) {
    const Reference tagged = Reference::parse("localhost:5000/team/xdp-filter:v1.2");
    EXPECT_EQ(tagged.registry, "localhost:5000");
    EXPECT_EQ(tagged.repository, "team/xdp-filter");
    EXPECT_EQ(tagged.tag, "v1.2");
    EXPECT_TRUE(tagged.digest.empty());
    EXPECT_EQ(tagged.to_string(), "localhost:5000/team/xdp-filter:v1.2");

    const Reference pinned = Reference::parse("registry.example.com/a/b/c@" + kDigest);
    EXPECT_EQ(pinned.registry, "registry.example.com");
    EXPECT_EQ(pinned.repository, "a/b/c");
    EXPECT_TRUE(pinned.tag.empty());
    EXPECT_EQ(pinned.digest, kDigest);

    const Reference both = Reference::parse("[::1]:5000/prog:latest@" + kDigest);
    EXPECT_EQ(both.registry, "[::1]:5000");
    EXPECT_EQ(both.tag, "latest");
    EXPECT_EQ(both.digest, kDigest);
    EXPECT_EQ(both.pinned(kDigest).to_string(), "[::1]:5000/prog@" + kDigest);

    EXPECT_NO_THROW(Reference::parse("127.0.0.1:5000/a__b.c--d_e:_Tag-1.x"));
    EXPECT_NO_THROW(Reference::parse("localhost/prog:v1"));
}

TEST(RegistryReference, RefusesWhatTheGrammarDoesNotAllow) {
    const std::vector<std::string> refused = {
        "",
        "prog:v1",                              // no registry
        "team/prog:v1",                         // first component is no registry
        "localhost:5000/prog",                  // neither tag nor digest
        "localhost:5000/../etc:v1",             // path traversal
        "localhost:5000/team/../../v2:v1",
        "localhost:5000/team/./prog:v1",
        "localhost:5000//prog:v1",              // empty component
        "localhost:5000/prog/:v1",
        "localhost:5000/Team/prog:v1",          // uppercase repository
        "localhost:5000/-prog:v1",              // separator at the start
        "localhost:5000/prog-:v1",
        "localhost:5000/a...b:v1",              // two dots
        "localhost:5000/a___b:v1",              // three underscores
        "localhost:5000/prog%2f..:v1",          // percent-encoding
        "localhost:5000/prog?x=1:v1",
        "localhost:5000/prog:",                 // empty tag
        "localhost:5000/prog:.v1",              // tag starting with '.'
        "localhost:5000/prog:-v1",
        "localhost:5000/prog:v/1",
        "localhost:5000/prog:" + std::string(129, 'a'),  // tag over 128
        "localhost:5000/prog@sha256:" + std::string(63, 'a'),
        "localhost:5000/prog@sha256:" + std::string(65, 'a'),
        "localhost:5000/prog@sha256:" + std::string(64, 'A'),  // uppercase hex
        "localhost:5000/prog@sha512:" + std::string(128, 'a'),
        "localhost:5000/prog@sha256:../../../" + std::string(55, 'a'),
        "localhost:5000/prog@" + std::string(64, 'a'),
        "localhost:99999/prog:v1",              // port out of range
        "localhost:0/prog:v1",
        "localhost:/prog:v1",
        "local_host.com/prog:v1",               // '_' in a host name
        "-bad.example.com/prog:v1",
        "[::1/prog:v1",                         // unterminated IPv6
        "[zz::1]:5000/prog:v1",
        "localhost:5000/prog:v1 ",              // whitespace
        "localhost:5000/pro\ng:v1",             // control character
        "localhost:5000/pr\xc3\xb6g:v1",        // non-ASCII
        "localhost:5000/" + std::string(250, 'a') + ":v1",  // name over 255
        std::string(600, 'a'),
    };
    for (const auto& text : refused) {
        EXPECT_THROW(Reference::parse(text), Error) << text;
    }
}

TEST(RegistryReference, MessagesSayWhatIsWrong) {
    try {
        Reference::parse("team/prog:v1");
        FAIL();
    } catch (const Error& e) {
        EXPECT_NE(std::string(e.what()).find("name the registry"), std::string::npos) << e.what();
    }
    try {
        Reference::parse("localhost:5000/prog@sha256:abc");
        FAIL();
    } catch (const Error& e) {
        EXPECT_NE(std::string(e.what()).find("64 lowercase hex digits"), std::string::npos) << e.what();
    }
}

TEST(RegistryReference, PlainHttpOnlyForLoopback) {
    EXPECT_TRUE(Reference::parse("localhost:5000/p:v").is_loopback());
    EXPECT_TRUE(Reference::parse("localhost/p:v").is_loopback());
    EXPECT_TRUE(Reference::parse("127.0.0.1:5000/p:v").is_loopback());
    EXPECT_TRUE(Reference::parse("[::1]:5000/p:v").is_loopback());
    EXPECT_FALSE(Reference::parse("localhost.example.com:5000/p:v").is_loopback());
    EXPECT_FALSE(Reference::parse("127.0.0.1.nip.io/p:v").is_loopback());
    EXPECT_FALSE(Reference::parse("10.0.0.1:5000/p:v").is_loopback());
    EXPECT_FALSE(Reference::parse("registry.example.com/p:v").is_loopback());
}

TEST(RegistryReference, Digests) {
    EXPECT_EQ(digest_of(std::string_view("")),
              "sha256:e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855");
    EXPECT_TRUE(is_valid_digest(digest_of(std::string_view("abc"))));
    EXPECT_FALSE(is_valid_digest("sha256:"));
    EXPECT_FALSE(is_valid_digest("SHA256:" + std::string(64, 'a')));
    EXPECT_THROW(Reference::parse("localhost/p:v").pinned("sha256:xyz"), Error);
}

}  // namespace
}  // namespace ebpf::registry
