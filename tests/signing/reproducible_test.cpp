// Reproducible modules: the same object, options and compiler give the same
// unsigned module bytes whatever the current directory, the object's
// directory, $TMPDIR (so the private build directory) or the output path;
// `ebpf build` gives what the library's build_module (the service's call)
// gives; and signing changes nothing but the appended signature.
#include <gtest/gtest.h>
#include <unistd.h>

#include <algorithm>
#include <cstdio>
#include <cstdlib>
#include <set>
#include <string_view>

#include "ebpf/error.hpp"
#include "ebpf/native.hpp"
#include "ebpf/object.hpp"
#include "ebpf/signing.hpp"
#include "test_support.hpp"
#include "../cross_exec.hpp"

namespace ebpf {
namespace {

// Objects with programs, maps, global data and BTF line info.
const std::vector<std::string> kObjects = {"hook_buffer.o", "global_data.o", "maps_all.o"};

std::string program_path(const std::string& name) { return std::string(EBPF_TEST_PROGRAMS_DIR) + "/" + name; }

// Runs `body` with the current directory and $TMPDIR changed, then restores both.
template <class Body>
auto in_directory(const std::filesystem::path& cwd, const std::filesystem::path& tmpdir, Body body) {
    const auto old_cwd = std::filesystem::current_path();
    const char* old_tmp = std::getenv("TMPDIR");
    const std::string saved_tmp = old_tmp ? old_tmp : "";
    std::filesystem::current_path(cwd);
    ::setenv("TMPDIR", tmpdir.c_str(), 1);
    struct Restore {
        std::filesystem::path cwd;
        std::string tmp;
        bool had_tmp;
        ~Restore() {
            std::filesystem::current_path(cwd);
            if (had_tmp) ::setenv("TMPDIR", tmp.c_str(), 1);
            else ::unsetenv("TMPDIR");
        }
    } restore{old_cwd, saved_tmp, old_tmp != nullptr};
    return body();
}

bool contains_bytes(const std::vector<uint8_t>& bytes, std::string_view text) {
    return std::string_view(reinterpret_cast<const char*>(bytes.data()), bytes.size()).find(text) !=
           std::string_view::npos;
}

// The module's build ID, from `readelf -n` (empty when it has none).
std::string build_id(const std::vector<uint8_t>& bytes, const std::filesystem::path& scratch) {
    const auto path = scratch / "for-readelf.so";
    test::write_bytes(path, bytes);
    FILE* pipe = ::popen(("readelf -n " + path.string() + " 2>/dev/null").c_str(), "r");
    if (pipe == nullptr) return "";
    std::string text;
    char buffer[4096];
    while (size_t n = std::fread(buffer, 1, sizeof buffer, pipe)) text.append(buffer, n);
    ::pclose(pipe);
    const auto at = text.find("Build ID: ");
    return at == std::string::npos ? "" : text.substr(at + 10, 40);
}

TEST(ReproducibleModules, SameObjectGivesTheSameModuleInAnyDirectory) {
    for (const auto& name : kObjects) {
        SCOPED_TRACE(name);
        test::ScratchDir a, b;
        // The object under two different paths (different depths, so
        // different lengths), built from different directories with
        // different temporary directories.
        std::filesystem::create_directories(a / "obj");
        std::filesystem::create_directories(b / "much/deeper/object/dir");
        std::filesystem::create_directories(a / "tmp");
        std::filesystem::create_directories(b / "another-tmp-dir");
        std::filesystem::copy_file(program_path(name), a / "obj" / name);
        std::filesystem::copy_file(program_path(name), b / "much/deeper/object/dir" / name);
        const BuiltModule first = in_directory(a.path(), a / "tmp", [&] {
            return build_module(open_object("obj/" + name));  // relative path
        });
        const BuiltModule second = in_directory(b / "much", b / "another-tmp-dir", [&] {
            return build_module(open_object((b / "much/deeper/object/dir" / name).string()));  // absolute path
        });
        ASSERT_FALSE(first.bytes.empty());
        EXPECT_EQ(first.c_source, second.c_source) << "bpf2c output differs";
        EXPECT_TRUE(first.bytes == second.bytes) << "module bytes differ";
        EXPECT_EQ(module_digest(first.bytes), module_digest(second.bytes));
        // Again in the same place: also the same (no time, no randomness).
        const BuiltModule third = in_directory(a.path(), a / "tmp", [&] { return build_module(open_object("obj/" + name)); });
        EXPECT_TRUE(first.bytes == third.bytes);

        // No temporary or build path made it into the binary. (Not a bare
        // "/tmp": the eBPF source's own path, from the object's BTF line
        // info, is kept for #line, and a checkout may live under /tmp.)
        for (const auto& module : {first.bytes, second.bytes}) {
            EXPECT_FALSE(contains_bytes(module, a.path().string()));
            EXPECT_FALSE(contains_bytes(module, b.path().string()));
            EXPECT_FALSE(contains_bytes(module, "ebpf-build-"));  // the private directory's random name
            EXPECT_TRUE(contains_bytes(module, "ebpf-build"));    // what -ffile-prefix-map made of it
        }
        // A build ID, derived from the content: equal here, see below for different content.
        const std::string id = build_id(first.bytes, a.path());
        EXPECT_EQ(id.size(), 40u);
        EXPECT_EQ(id, build_id(second.bytes, b.path()));
    }
}

TEST(ReproducibleModules, AlsoWithClang) {
    if (std::system("command -v clang > /dev/null 2>&1") != 0) GTEST_SKIP() << "clang not installed";
    ModuleBuildOptions options;
    options.compile.compiler = "clang";
    test::ScratchDir a, b;
    std::filesystem::create_directories(b / "sub/dir");
    std::filesystem::copy_file(program_path("maps_all.o"), b / "sub/dir/maps_all.o");
    const BuiltModule first = in_directory(a.path(), a.path(), [&] {
        return build_module(open_object(program_path("maps_all.o")), options);
    });
    const BuiltModule second = in_directory(b / "sub", b / "sub", [&] {
        return build_module(open_object("dir/maps_all.o"), options);
    });
    EXPECT_EQ(first.compiler, "clang");
    EXPECT_TRUE(first.bytes == second.bytes) << "clang: module bytes differ";
    EXPECT_FALSE(contains_bytes(first.bytes, "ebpf-build-"));
    // Another compiler is another toolchain: not the same module as cc's
    // (unless $CC is that same clang).
    if (compiler_version() != compiler_version(options.compile)) {
        EXPECT_FALSE(first.bytes == build_module(open_object(program_path("maps_all.o"))).bytes);
    }
}

TEST(ReproducibleModules, DifferentProgramsGetDifferentBuildIds) {
    test::ScratchDir dir;
    std::set<std::string> ids;
    for (const auto& name : kObjects) ids.insert(build_id(build_module(open_object(program_path(name))).bytes, dir.path()));
    EXPECT_EQ(ids.size(), kObjects.size());
    EXPECT_FALSE(ids.contains(""));
}

TEST(ReproducibleModules, EbpfBuildGivesWhatTheLibraryGives) {
    EBPF_SKIP_UNLESS_STARTABLE(EBPF_TOOL);
    // The signing service calls build_module; `ebpf build` must give the same bytes.
    for (const auto& name : kObjects) {
        SCOPED_TRACE(name);
        test::ScratchDir dir;
        std::filesystem::create_directories(dir / "out/sub");
        std::filesystem::copy_file(program_path(name), dir / name);
        const BuiltModule library = build_module(open_object(program_path(name)));
        const std::string command = "cd " + dir.path().string() + " && TMPDIR=" + dir.path().string() + " " +
                                    EBPF_TOOL + " build " + name + " -o out/sub/cli.so --json > build.json 2> build.err";
        ASSERT_EQ(std::system(command.c_str()), 0) << command;
        const auto cli = test::read_bytes(dir / "out/sub/cli.so");
        EXPECT_TRUE(cli == library.bytes) << "ebpf build and build_module differ";
        // --json reports both digests; unsigned, they are the same.
        const auto json = test::read_bytes(dir / "build.json");
        const std::string digest = module_digest(library.bytes);
        EXPECT_TRUE(contains_bytes(json, "\"module_digest\": \"" + digest + "\"")) << digest;
        EXPECT_TRUE(contains_bytes(json, "\"file_digest\": \"" + digest + "\""));
        EXPECT_TRUE(contains_bytes(json, "\"insns_processed\": "));
        for (const auto& program : library.unit.programs) EXPECT_GT(program.verifier_stats.insns_processed, 0u);
    }
}

TEST(ReproducibleModules, CompilerVersionNamesTheToolchain) {
    // For reports: the module is reproducible for the same compiler.
    const std::string version = compiler_version();
    EXPECT_FALSE(version.empty());
    EXPECT_NE(version.find_first_of("0123456789"), std::string::npos) << version;
    EXPECT_EQ(version.find('\n'), std::string::npos);
    EXPECT_THROW(compiler_version({.compiler = "/nonexistent/cc"}), Error);
}

TEST(ReproducibleModules, TheSignatureIsTheOnlyPartThatDiffers) {
    const BuiltModule built = build_module(open_object(program_path("hook_buffer.o")));
    const ModuleSigner signer = ModuleSigner::from_credential(test::pki().signer);
    const auto one = signer.sign(built.bytes);
    const auto two = signer.sign(built.bytes);
    // ECDSA signatures are randomised: two signed files differ...
    EXPECT_NE(module_digests(one).file, module_digests(two).file);
    // ...but only after the module: both start with exactly the unsigned module.
    ASSERT_GT(one.size(), built.bytes.size());
    EXPECT_TRUE(std::equal(built.bytes.begin(), built.bytes.end(), one.begin()));
    EXPECT_TRUE(std::equal(built.bytes.begin(), built.bytes.end(), two.begin()));
    const auto split = split_signed_module(one);
    EXPECT_EQ(split.module.size(), built.bytes.size());
    // The module digest is that of the unsigned module, signed or not; the
    // file digest covers the signature.
    const std::string unsigned_digest = sha256_digest(built.bytes);
    EXPECT_EQ(module_digests(one).module, unsigned_digest);
    EXPECT_EQ(module_digests(two).module, unsigned_digest);
    EXPECT_EQ(module_digests(built.bytes).module, unsigned_digest);
    EXPECT_EQ(module_digests(built.bytes).file, unsigned_digest);
    EXPECT_EQ(module_digests(one).file, sha256_digest(one));
    EXPECT_EQ(unsigned_digest.size(), 7u + 64u);
    EXPECT_EQ(unsigned_digest.rfind("sha256:", 0), 0u);
    // A file whose signature trailer is damaged has no module digest.
    auto damaged = one;
    damaged[damaged.size() - kModuleSignatureTrailerSize + 1] = 9;  // the format byte
    EXPECT_THROW(module_digests(damaged), Error);
}

}  // namespace
}  // namespace ebpf
