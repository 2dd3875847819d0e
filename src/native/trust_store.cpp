// The trust store: root certificates a module's signer must chain to. Read
// from a PEM file or a directory of them; an unreadable or certificate-less
// entry is an error rather than silently skipped, because a trust store that
// holds less than the user thinks is a confusing failure later.
#include <algorithm>
#include <cstdlib>
#include <fstream>
#include <iterator>
#include <system_error>

#include "ebpf/signing.hpp"
#include "openssl_util.hpp"
#include "trust_store_impl.hpp"

namespace ebpf {
namespace {

std::string read_all(const std::filesystem::path& path) {
    std::ifstream in(path, std::ios::binary);
    if (!in) throw Error("trust store: cannot read " + path.string());
    return std::string(std::istreambuf_iterator<char>(in), {});
}

bool is_certificate_file(const std::filesystem::path& path) {
    auto ext = path.extension().string();
    return ext == ".pem" || ext == ".crt" || ext == ".cer";
}

}  // namespace

TrustStore::TrustStore(std::unique_ptr<Impl> impl) : impl_(std::move(impl)) {}
TrustStore::TrustStore(TrustStore&&) noexcept = default;
TrustStore& TrustStore::operator=(TrustStore&&) noexcept = default;
TrustStore::~TrustStore() = default;

TrustStore TrustStore::from_pem(std::string_view pem, std::string description) {
    auto impl = std::make_unique<Impl>();
    impl->roots = ssl::read_certificates(pem, "trust store " + description);
    impl->description = std::move(description);
    return TrustStore(std::move(impl));
}

TrustStore TrustStore::from_path(const std::filesystem::path& dir_or_file) {
    std::error_code ec;
    auto status = std::filesystem::status(dir_or_file, ec);
    if (ec || !std::filesystem::exists(status))
        throw Error("trust store: " + dir_or_file.string() + " does not exist");
    auto impl = std::make_unique<Impl>();
    impl->description = dir_or_file.string();
    if (std::filesystem::is_directory(status)) {
        std::vector<std::filesystem::path> files;
        for (const auto& entry : std::filesystem::directory_iterator(dir_or_file, ec))
            if (entry.is_regular_file() && is_certificate_file(entry.path())) files.push_back(entry.path());
        if (ec) throw Error("trust store: cannot list " + dir_or_file.string() + ": " + ec.message());
        if (files.empty())
            throw Error("trust store: " + dir_or_file.string() + " holds no *.pem, *.crt or *.cer file");
        std::sort(files.begin(), files.end());
        for (const auto& file : files) {
            auto certs = ssl::read_certificates(read_all(file), "trust store: " + file.string());
            for (auto& cert : certs) impl->roots.push_back(std::move(cert));
        }
    } else {
        impl->roots = ssl::read_certificates(read_all(dir_or_file), "trust store: " + dir_or_file.string());
    }
    return TrustStore(std::move(impl));
}

TrustStore TrustStore::from_environment() {
    const char* value = std::getenv(kTrustStoreEnvironment);
    if (value == nullptr || *value == '\0')
        throw Error(std::string("trust store: none given (pass --trust DIR or set ") + kTrustStoreEnvironment +
                    ")");
    return from_path(value);
}

TrustStore TrustStore::from_path_or_environment(const std::optional<std::filesystem::path>& path) {
    return path && !path->empty() ? from_path(*path) : from_environment();
}

const std::string& TrustStore::description() const { return impl_->description; }

std::vector<std::string> TrustStore::subjects() const {
    std::vector<std::string> out;
    for (const auto& cert : impl_->roots) out.push_back(ssl::subject_of(cert.get()));
    return out;
}

size_t TrustStore::size() const { return impl_->roots.size(); }

}  // namespace ebpf
