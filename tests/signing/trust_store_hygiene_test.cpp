// A trust store others can write is refused, as ssh refuses such keys: the
// file, the directory, every certificate file in it, every directory above
// it and every symbolic link on the way must be owned by root or the current
// user and not be writable by group or others (a sticky directory such as
// /tmp above the store excepted).
#include <gtest/gtest.h>

#include <sys/stat.h>
#include <unistd.h>

#include <functional>

#include "ebpf/error.hpp"
#include "ebpf/signing.hpp"
#include "test_support.hpp"

namespace ebpf {
namespace {

using test::pki;
namespace fs = std::filesystem;

constexpr uid_t kNobody = 65534;

std::string error_of(const std::function<void()>& fn) {
    try {
        fn();
    } catch (const Error& e) {
        return e.what();
    }
    return "";
}

class TrustStoreHygiene : public ::testing::Test {
protected:
    void SetUp() override {
        store = dir / "store";
        fs::create_directories(store);
        ::chmod(dir.path().c_str(), 0755);
        ::chmod(store.c_str(), 0755);
        root = store / "root.pem";
        write(root);
    }
    void write(const fs::path& path) {
        const std::string& pem = pki().root.cert_pem;
        test::write_bytes(path, {pem.begin(), pem.end()});
        ::chmod(path.c_str(), 0644);
    }
    std::string store_error(const fs::path& path) { return error_of([&] { TrustStore::from_path(path); }); }
    void expect_refused(const fs::path& path, const std::string& part) {
        const std::string message = store_error(path);
        EXPECT_NE(message.find(part), std::string::npos) << "message: '" << message << "'";
    }
    static bool root_user() { return ::geteuid() == 0; }

    test::ScratchDir dir;
    fs::path store, root;
};

TEST_F(TrustStoreHygiene, OwnerOnlyStoreIsAccepted) {
    EXPECT_EQ(store_error(store), "");
    EXPECT_EQ(store_error(root), "");
    EXPECT_EQ(TrustStore::from_path(store).size(), 1u);
}

TEST_F(TrustStoreHygiene, WorldWritableFileIsRefused) {
    ::chmod(root.c_str(), 0666);
    expect_refused(root, root.string() + " is writable by others (mode 0666)");
    expect_refused(store, root.string() + " is writable by others");  // the same file read from the directory
    expect_refused(root, "chmod go-w");
}

TEST_F(TrustStoreHygiene, GroupWritableFileIsRefused) {
    ::chmod(root.c_str(), 0664);
    expect_refused(root, root.string() + " is writable by its group (mode 0664)");
}

TEST_F(TrustStoreHygiene, WritableDirectoryIsRefused) {
    ::chmod(store.c_str(), 0777);
    expect_refused(store, store.string() + " is writable by others (mode 0777)");
    // ... also when the store is a file in it: the file could be replaced.
    expect_refused(root, store.string() + " is writable by others");
    ::chmod(store.c_str(), 0775);
    expect_refused(root, store.string() + " is writable by its group");
    // Sticky does not excuse the store directory itself...
    ::chmod(store.c_str(), 01777);
    expect_refused(store, "is writable by others (mode 1777)");
}

TEST_F(TrustStoreHygiene, StickyDirectoryAboveTheStoreIsAccepted) {
    // /tmp's case: others may add entries but not replace ours.
    ::chmod(dir.path().c_str(), 01777);
    EXPECT_EQ(store_error(store), "");
    ::chmod(dir.path().c_str(), 0777);
    expect_refused(store, dir.path().string() + " is writable by others (mode 0777)");
}

TEST_F(TrustStoreHygiene, SymbolicLinksAreFollowedAndChecked) {
    // A link to a good store is fine; the link's target is checked...
    fs::create_symlink(store, dir / "link");
    EXPECT_EQ(store_error(dir / "link"), "");
    fs::create_directories(dir / "open");
    ::chmod((dir / "open").c_str(), 0777);
    write(dir / "open" / "evil.pem");
    fs::create_symlink(dir / "open" / "evil.pem", dir / "to-evil.pem");
    expect_refused(dir / "to-evil.pem", (dir / "open").string() + " is writable by others");
    // ... also a link inside a directory store, pointing out of it.
    fs::create_symlink(dir / "open" / "evil.pem", store / "extra.pem");
    expect_refused(store, (dir / "open").string() + " is writable by others");
    fs::remove(store / "extra.pem");
    // ... and a relative link with "..".
    fs::create_symlink("../open/evil.pem", store / "relative.pem");
    expect_refused(store, (dir / "open").string() + " is writable by others");
    fs::remove(store / "relative.pem");
    EXPECT_EQ(store_error(store), "");
    // A link loop ends in an error, not a hang.
    fs::create_symlink(dir / "loop-b", dir / "loop-a");
    fs::create_symlink(dir / "loop-a", dir / "loop-b");
    expect_refused(dir / "loop-a", "too many symbolic links");
}

TEST_F(TrustStoreHygiene, StoreOwnedByAnotherUserIsRefused) {
    if (!root_user()) GTEST_SKIP() << "needs root to chown to nobody";
    ASSERT_EQ(::chown(root.c_str(), kNobody, kNobody), 0);
    expect_refused(root, root.string() + " is owned by uid 65534, not by root or the current user (uid 0)");
    expect_refused(store, "is owned by uid 65534");
    ASSERT_EQ(::chown(root.c_str(), 0, 0), 0);
    EXPECT_EQ(store_error(store), "");
    // The directory, and a directory above it.
    ASSERT_EQ(::chown(store.c_str(), kNobody, kNobody), 0);
    expect_refused(root, store.string() + " is owned by uid 65534");
    ASSERT_EQ(::chown(store.c_str(), 0, 0), 0);
    ASSERT_EQ(::chown(dir.path().c_str(), kNobody, kNobody), 0);
    expect_refused(store, dir.path().string() + " is owned by uid 65534");
    ASSERT_EQ(::chown(dir.path().c_str(), 0, 0), 0);
    // A symbolic link another user planted in a sticky directory.
    fs::create_symlink(store, dir / "planted");
    ASSERT_EQ(::lchown((dir / "planted").c_str(), kNobody, kNobody), 0);
    expect_refused(dir / "planted", (dir / "planted").string() + " is owned by uid 65534");
}

TEST_F(TrustStoreHygiene, DevelopmentKeysMakeAnAcceptableStoreWhateverTheUmask) {
    const mode_t saved = ::umask(0002);  // user-private-group systems
    const auto keys = write_development_keys(dir / "keys");
    ::umask(saved);
    EXPECT_EQ(store_error(keys.root_cert.parent_path()), "");
    struct stat st {};
    ASSERT_EQ(::stat(keys.root_key.parent_path().c_str(), &st), 0);
    EXPECT_EQ(st.st_mode & 0777, 0700u);
}

TEST_F(TrustStoreHygiene, FifoInTheStoreIsRefusedNotWaitedFor) {
    ASSERT_EQ(::mkfifo((store / "fifo.pem").c_str(), 0644), 0);
    expect_refused(store, "a FIFO, not a regular file");
}

}  // namespace
}  // namespace ebpf
