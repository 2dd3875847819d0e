// The audit log: JSON lines chained by SHA-256, appended under flock() and
// synced, so an entry that was answered is on disk and no entry can be
// dropped or edited without breaking the chain.
#include <fcntl.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <fstream>

#include "ebpf/error.hpp"
#include "ebpf/service.hpp"
#include "ebpf/signing.hpp"

namespace ebpf::service {
namespace {

const std::string kGenesis(64, '0');
constexpr size_t kMaxLineBytes = 1 << 20;

std::string hash_line(std::string_view line) {
    return to_hex(sha256({reinterpret_cast<const uint8_t*>(line.data()), line.size()}));
}

std::string system_error(const std::string& path, const char* what) {
    return path + ": " + what + ": " + std::strerror(errno);
}

class FileLock {
public:
    explicit FileLock(int fd) : fd_(fd) {
        while (flock(fd_, LOCK_EX) != 0)
            if (errno != EINTR) throw Error(std::string("audit log: flock: ") + std::strerror(errno));
    }
    ~FileLock() { flock(fd_, LOCK_UN); }
    FileLock(const FileLock&) = delete;
    FileLock& operator=(const FileLock&) = delete;

private:
    int fd_;
};

}  // namespace

AuditLog::AuditLog(const std::string& path) : path_(path) {
    fd_ = ::open(path.c_str(), O_RDWR | O_APPEND | O_CREAT | O_CLOEXEC | O_NOFOLLOW, 0600);
    if (fd_ < 0) throw Error(system_error(path, "cannot open the audit log"));
    struct stat st {};
    if (fstat(fd_, &st) != 0 || !S_ISREG(st.st_mode)) {
        ::close(fd_);
        throw Error(path + ": the audit log must be a regular file");
    }
}

AuditLog::~AuditLog() {
    if (fd_ >= 0) ::close(fd_);
}

void AuditLog::append(nlohmann::json entry) {
    std::lock_guard guard(mutex_);
    FileLock lock(fd_);
    struct stat st {};
    if (fstat(fd_, &st) != 0) throw Error(system_error(path_, "fstat"));
    const uint64_t size = static_cast<uint64_t>(st.st_size);
    if (size != known_size_ || last_hash_.empty()) {
        // Another process appended (or this is the first append since
        // opening): continue the chain from the file's last line.
        last_hash_ = kGenesis;
        last_seq_ = 0;
        if (size > 0) {
            const uint64_t tail = std::min<uint64_t>(size, kMaxLineBytes + 1);
            std::string bytes(tail, '\0');
            ssize_t got = pread(fd_, bytes.data(), tail, static_cast<off_t>(size - tail));
            if (got != static_cast<ssize_t>(tail)) throw Error(system_error(path_, "cannot read the audit log"));
            if (bytes.back() != '\n')
                throw Error(path_ + ": the audit log ends in a partial line; check it (ebpf check-audit) before appending");
            bytes.pop_back();
            const size_t start = bytes.find_last_of('\n');
            if (start == std::string::npos && tail < size)
                throw Error(path_ + ": the audit log's last line is longer than " + std::to_string(kMaxLineBytes) + " bytes");
            const std::string last = start == std::string::npos ? bytes : bytes.substr(start + 1);
            auto parsed = nlohmann::json::parse(last, nullptr, false);
            if (!parsed.is_object() || !parsed.contains("seq") || !parsed["seq"].is_number_unsigned())
                throw Error(path_ + ": the audit log's last line is not an audit entry");
            last_hash_ = hash_line(last);
            last_seq_ = parsed["seq"].get<uint64_t>();
        }
    }
    entry["seq"] = last_seq_ + 1;
    entry["prev"] = last_hash_;
    const std::string line = json_text(entry);
    const std::string record = line + "\n";
    size_t written = 0;
    while (written < record.size()) {
        ssize_t n = ::write(fd_, record.data() + written, record.size() - written);
        if (n < 0 && errno == EINTR) continue;
        if (n <= 0) throw Error(system_error(path_, "cannot append to the audit log"));
        written += static_cast<size_t>(n);
    }
    if (fdatasync(fd_) != 0) throw Error(system_error(path_, "fdatasync"));
    last_hash_ = hash_line(line);
    last_seq_ += 1;
    known_size_ = size + record.size();
}

AuditCheck check_audit_log(const std::string& path) {
    AuditCheck check;
    std::ifstream in(path, std::ios::binary);
    if (!in) {
        check.problem = path + ": cannot open";
        return check;
    }
    std::string previous = kGenesis;
    std::string line;
    uint64_t number = 0;
    while (std::getline(in, line)) {
        ++number;
        const std::string where = path + ":" + std::to_string(number) + ": ";
        if (in.eof()) {
            check.problem = where + "partial last line (no newline)";
            return check;
        }
        auto entry = nlohmann::json::parse(line, nullptr, false);
        if (!entry.is_object()) {
            check.problem = where + "not a JSON object";
            return check;
        }
        if (!entry.contains("prev") || entry["prev"] != previous) {
            check.problem = where + "chain broken: \"prev\" is not the SHA-256 of the line before";
            return check;
        }
        if (!entry.contains("seq") || entry["seq"] != number) {
            check.problem = where + "\"seq\" is not " + std::to_string(number);
            return check;
        }
        previous = hash_line(line);
        check.entries = number;
    }
    check.ok = true;
    return check;
}

}  // namespace ebpf::service
