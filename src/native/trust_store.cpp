// The trust store: root certificates a module's signer must chain to. Read
// from a PEM file or a directory of them; an unreadable or certificate-less
// entry is an error rather than silently skipped, because a trust store that
// holds less than the user thinks is a confusing failure later.
//
// A trust store that someone else can change is no trust store. As ssh does
// for its keys, every path component the store is reached through (each
// directory, each symbolic link and its target, the store and every
// certificate file read from it) must be owned by root or by the user the
// process runs as, and must not be writable by group or others; a directory
// above the store may be world-writable only with the sticky bit (/tmp),
// which keeps others from renaming or replacing what they do not own. Since
// nobody else can then change any directory on the way, reading the file by
// its path afterwards reads what was checked.
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstdlib>
#include <cstring>
#include <deque>
#include <system_error>

#include "ebpf/input_file.hpp"
#include "ebpf/signing.hpp"
#include "openssl_util.hpp"
#include "trust_store_impl.hpp"

namespace ebpf {
namespace {

constexpr size_t kMaxSymlinks = 40;                       // as Linux's path walk
constexpr uint64_t kMaxCertificateFileBytes = 16 << 20;  // a PEM bundle, not a disk image

std::string octal_mode(mode_t mode) {
    char text[8];
    std::snprintf(text, sizeof text, "%04o", static_cast<unsigned>(mode & 07777));
    return text;
}

// One component as reached: owned by root or us, and not writable by group or
// others (a sticky directory above the store excepted).
void check_component(const std::filesystem::path& path, const struct stat& st, bool ancestor) {
    const uid_t me = ::geteuid();
    if (st.st_uid != 0 && st.st_uid != me)
        throw Error("trust store: " + path.string() + " is owned by uid " + std::to_string(st.st_uid) +
                    ", not by root or the current user (uid " + std::to_string(me) +
                    "); anyone who owns a path to the trust store can replace it");
    if (S_ISLNK(st.st_mode)) return;  // a link's own mode means nothing; its directory and target are checked
    const bool sticky_directory = ancestor && S_ISDIR(st.st_mode) && (st.st_mode & S_ISVTX);
    if ((st.st_mode & (S_IWGRP | S_IWOTH)) && !sticky_directory)
        throw Error("trust store: " + path.string() + " is writable by " +
                    ((st.st_mode & S_IWOTH) ? "others" : "its group") + " (mode " + octal_mode(st.st_mode) +
                    "); a trust store and the directories above it must be writable only by their owner "
                    "(chmod go-w " + path.string() + ")");
}

// Walks `path` as the kernel resolves it, lstat-ing every component and
// following symbolic links by hand, so each directory, link and target the
// store is reached through is checked. Returns the resolved path and its stat.
std::pair<std::filesystem::path, struct stat> check_path(const std::filesystem::path& path) {
    std::error_code ec;
    const std::filesystem::path absolute = std::filesystem::absolute(path, ec);
    if (ec) throw Error("trust store: " + path.string() + ": " + ec.message());
    std::deque<std::string> todo;
    for (const auto& part : absolute.relative_path()) todo.push_back(part.string());
    std::filesystem::path current = "/";
    struct stat st {};
    if (::lstat("/", &st) != 0) throw Error("trust store: cannot stat /");
    check_component(current, st, true);
    size_t links = 0;
    while (!todo.empty()) {
        const std::string name = todo.front();
        todo.pop_front();
        if (name.empty() || name == ".") continue;
        if (name == "..") {
            current = current.parent_path();  // already checked on the way down
            continue;
        }
        const std::filesystem::path next = current / name;
        if (::lstat(next.c_str(), &st) != 0)
            throw Error("trust store: " + next.string() + (errno == ENOENT ? " does not exist" : ": " + std::string(std::strerror(errno))));
        check_component(next, st, !todo.empty());
        if (S_ISLNK(st.st_mode)) {
            if (++links > kMaxSymlinks) throw Error("trust store: " + path.string() + ": too many symbolic links");
            std::error_code link_ec;
            const std::filesystem::path target = std::filesystem::read_symlink(next, link_ec);
            if (link_ec) throw Error("trust store: " + next.string() + ": " + link_ec.message());
            std::deque<std::string> parts;
            for (const auto& part : target.relative_path()) parts.push_back(part.string());
            todo.insert(todo.begin(), parts.begin(), parts.end());
            if (target.is_absolute()) current = "/";
            continue;
        }
        if (!todo.empty() && !S_ISDIR(st.st_mode))
            throw Error("trust store: " + next.string() + " is not a directory");
        current = next;
    }
    return {current, st};
}

// The certificates of one checked file, read once with a bound.
std::string read_checked(const std::filesystem::path& path) {
    std::vector<uint8_t> bytes;
    try {
        bytes = read_input_file(path.string(), kMaxCertificateFileBytes);
    } catch (const Error& e) {
        throw Error(std::string("trust store: ") + e.what());
    }
    return std::string(bytes.begin(), bytes.end());
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
    if (dir_or_file.empty()) throw Error("trust store: the path is empty");
    const auto [resolved, st] = check_path(dir_or_file);
    auto impl = std::make_unique<Impl>();
    impl->description = dir_or_file.string();
    if (S_ISDIR(st.st_mode)) {
        std::error_code ec;
        std::vector<std::filesystem::path> files;
        for (const auto& entry : std::filesystem::directory_iterator(resolved, ec))
            if (is_certificate_file(entry.path())) files.push_back(entry.path());
        if (ec) throw Error("trust store: cannot list " + dir_or_file.string() + ": " + ec.message());
        std::sort(files.begin(), files.end());
        size_t read = 0;
        for (const auto& file : files) {
            const auto [file_resolved, file_st] = check_path(file);
            if (S_ISDIR(file_st.st_mode)) continue;  // "x.pem/" is no certificate file
            auto certs = ssl::read_certificates(read_checked(file_resolved), "trust store: " + file.string());
            for (auto& cert : certs) impl->roots.push_back(std::move(cert));
            ++read;
        }
        if (read == 0)
            throw Error("trust store: " + dir_or_file.string() + " holds no *.pem, *.crt or *.cer file");
    } else {
        impl->roots = ssl::read_certificates(read_checked(resolved), "trust store: " + dir_or_file.string());
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
