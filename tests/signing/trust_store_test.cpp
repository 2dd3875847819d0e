// Reading trust stores: files, directories, the environment, and the errors
// a misconfigured store gives.
#include <gtest/gtest.h>

#include <cstdlib>
#include <functional>

#include "ebpf/error.hpp"
#include "ebpf/signing.hpp"
#include "test_support.hpp"

namespace ebpf {
namespace {

using test::pki;

std::vector<uint8_t> text_bytes(const std::string& text) { return {text.begin(), text.end()}; }

std::string error_of(const std::function<void()>& fn) {
    try {
        fn();
    } catch (const Error& e) {
        return e.what();
    }
    return "(no error)";
}

TEST(TrustStore, FromFileAndDirectory) {
    test::ScratchDir dir;
    std::filesystem::create_directories(dir / "roots");
    auto other = issue_certificate({.common_name = "Second Root", .certificate_authority = true}, nullptr);
    test::write_bytes(dir / "roots" / "a.pem", text_bytes(pki().root.cert_pem));
    test::write_bytes(dir / "roots" / "b.crt", text_bytes(other.cert_pem));
    test::write_bytes(dir / "roots" / "README", text_bytes("not a certificate, not read"));

    auto from_dir = TrustStore::from_path(dir / "roots");
    EXPECT_EQ(from_dir.size(), 2u);
    EXPECT_EQ(from_dir.description(), (dir / "roots").string());
    auto subjects = from_dir.subjects();
    ASSERT_EQ(subjects.size(), 2u);
    EXPECT_NE(subjects[0].find("CN=Test Root CA"), std::string::npos) << subjects[0];

    auto from_file = TrustStore::from_path(dir / "roots" / "b.crt");
    EXPECT_EQ(from_file.size(), 1u);

    // A bundle: several certificates in one file.
    test::write_bytes(dir / "bundle.pem", text_bytes(pki().root.cert_pem + other.cert_pem));
    EXPECT_EQ(TrustStore::from_path(dir / "bundle.pem").size(), 2u);
}

TEST(TrustStore, ErrorsNameThePath) {
    test::ScratchDir dir;
    EXPECT_NE(error_of([&] { TrustStore::from_path(dir / "missing"); }).find("does not exist"), std::string::npos);
    std::filesystem::create_directories(dir / "empty");
    EXPECT_NE(error_of([&] { TrustStore::from_path(dir / "empty"); }).find("holds no *.pem"), std::string::npos);
    test::write_bytes(dir / "key.pem", text_bytes(pki().root.key_pem));
    auto message = error_of([&] { TrustStore::from_path(dir / "key.pem"); });
    EXPECT_NE(message.find("key.pem"), std::string::npos) << message;
    EXPECT_NE(message.find("no PEM certificate"), std::string::npos) << message;
    EXPECT_THROW(TrustStore::from_pem("garbage", "inline"), Error);
}

TEST(TrustStore, FromEnvironment) {
    test::ScratchDir dir;
    test::write_bytes(dir / "root.pem", text_bytes(pki().root.cert_pem));
    const char* saved = std::getenv(kTrustStoreEnvironment);
    std::string saved_value = saved ? saved : "";

    ::unsetenv(kTrustStoreEnvironment);
    auto message = error_of([] { TrustStore::from_environment(); });
    EXPECT_NE(message.find("--trust DIR or set EBPF_TRUST_STORE"), std::string::npos) << message;

    ::setenv(kTrustStoreEnvironment, (dir / "root.pem").c_str(), 1);
    EXPECT_EQ(TrustStore::from_environment().size(), 1u);
    EXPECT_EQ(TrustStore::from_path_or_environment(std::nullopt).size(), 1u);
    // An explicit path wins over the environment.
    EXPECT_THROW(TrustStore::from_path_or_environment(dir / "nope"), Error);

    if (saved) ::setenv(kTrustStoreEnvironment, saved_value.c_str(), 1);
    else ::unsetenv(kTrustStoreEnvironment);
}

}  // namespace
}  // namespace ebpf
