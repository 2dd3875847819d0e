// Code integrity through the libbpf-compatible API: in code-integrity mode
// only native modules whose signature chains to the process trust store
// load, by every route of this API (a .so path, an ELF object whose sibling
// module is loaded in native mode, an explicit interpret/jit mode); outside
// the mode, bpf_object_open_opts.ebpf_require_signature asks for the same
// check for one object. Each test runs in a forked child (the mode is for good).
#include <gtest/gtest.h>

#include <bpf/bpf.h>
#include <bpf/libbpf.h>

#include <cerrno>
#include <cstdarg>
#include <cstdio>
#include <cstring>
#include <filesystem>

#include "ebpf/ebpf.h"
#include "integrity_support.hpp"
#include "test_support.hpp"

namespace ebpf::integrity {
namespace {

namespace fs = std::filesystem;

#define CHILD_EXPECT(cond, what)                           \
    do {                                                   \
        if (!(cond)) return std::string("FAIL ") + (what); \
    } while (0)

void expect_pass(const test::ChildResult& result) {
    if (result.status == "SKIP") GTEST_SKIP() << result.detail;
    EXPECT_EQ(result.status, "PASS") << result.detail;
}

// Modules made once in the parent (nothing may be compiled in the mode):
//   answer/{unsigned,signed,untrusted}.so: one raw_memory program returning 42;
//   signed/xdp_counter.{o,so}, unsigned/xdp_counter.{o,so}: the loader
//   tests' object with its module, signed by the trusted key or not at all.
class LibbpfIntegrity : public ::testing::Test {
protected:
    static void SetUpTestSuite() {
        dir_ = new test::ScratchDir();
        const auto module = answer_module(42);
        test::write_bytes(dir_->path() / "unsigned.so", module);
        test::write_bytes(dir_->path() / "signed.so", sign_trusted(module));
        test::write_bytes(dir_->path() / "untrusted.so", sign_untrusted(module));
        const fs::path build = LIBBPF_TEST_DIR;
        const auto counter = test::read_bytes(build / "xdp_counter.so");
        for (const char* kind : {"signed", "unsigned"}) {
            fs::create_directories(dir_->path() / kind);
            fs::copy_file(build / "xdp_counter.o", dir_->path() / kind / "xdp_counter.o");
        }
        test::write_bytes(dir_->path() / "signed" / "xdp_counter.so", sign_trusted(counter));
        test::write_bytes(dir_->path() / "unsigned" / "xdp_counter.so", counter);
    }
    static void TearDownTestSuite() {
        delete dir_;
        dir_ = nullptr;
    }
    static std::string file(const std::string& name) { return (dir_->path() / name).string(); }
    static inline test::ScratchDir* dir_ = nullptr;
};

// Opens and loads; "" when both worked, else why not.
// The last message the API reported (libbpf_set_print).
std::string last_message;
int keep_message(enum libbpf_print_level, const char* format, va_list args) {
    char line[2048];
    int n = std::vsnprintf(line, sizeof line, format, args);
    last_message = line;
    return n;
}

std::string open_and_load(const std::string& path, const bpf_object_open_opts* opts, bpf_object** out = nullptr) {
    libbpf_set_print(keep_message);
    bpf_object* obj = bpf_object__open_file(path.c_str(), opts);
    if (!obj) return "open: " + std::string(std::strerror(errno)) + ": " + last_message;
    int err = bpf_object__load(obj);
    if (err) {
        bpf_object__close(obj);
        return "load: " + std::string(std::strerror(-err)) + ": " + last_message;
    }
    if (out) *out = obj;
    else bpf_object__close(obj);
    return "";
}

uint32_t run_xdp(bpf_object* obj) {
    unsigned char packet[40] = {};
    LIBBPF_OPTS(bpf_test_run_opts, opts, .data_in = packet, .data_size_in = sizeof packet);
    int prog = bpf_program__fd(bpf_object__find_program_by_name(obj, "count_packets"));
    return bpf_prog_test_run_opts(prog, &opts) == 0 ? opts.retval : 0xffffffffu;
}

TEST_F(LibbpfIntegrity, OnlySignedModulesLoadInCodeIntegrityMode) {
    expect_pass(test::run_in_child([]() -> std::string {
        CHILD_EXPECT(ebpf_set_trust_store(trust_dir().c_str()) == 0, ebpf_last_error());
        CHILD_EXPECT(ebpf_enable_code_integrity(EBPF_CODE_INTEGRITY_ALLOW_WITHOUT_MDWE) == 0, ebpf_last_error());

        CHILD_EXPECT(!open_and_load(file("unsigned.so"), nullptr).empty(), "an unsigned module loaded");
        CHILD_EXPECT(!open_and_load(file("untrusted.so"), nullptr).empty(), "an untrusted module loaded");
        CHILD_EXPECT(!open_and_load(file("unsigned/xdp_counter.o"), nullptr).empty(),
                     "an object with an unsigned sibling module loaded");
        for (const char* mode : {"interpret", "jit"}) {
            LIBBPF_OPTS(bpf_object_open_opts, opts, .ebpf_mode = mode);
            CHILD_EXPECT(!open_and_load(file("signed/xdp_counter.o"), &opts).empty(),
                         std::string("bytecode loaded in mode ") + mode);
        }

        bpf_object* obj = nullptr;
        std::string why = open_and_load(file("signed.so"), nullptr, &obj);
        CHILD_EXPECT(why.empty(), "the signed module was refused: " + why);
        LIBBPF_OPTS(bpf_test_run_opts, run);
        CHILD_EXPECT(bpf_prog_test_run_opts(bpf_program__fd(bpf_object__find_program_by_name(obj, "answer")), &run) == 0 &&
                         run.retval == 42,
                     "the signed module did not run");
        bpf_object__close(obj);

        // The loader's usual call on the object: native (the mode's default), its signed sibling module.
        obj = nullptr;
        why = open_and_load(file("signed/xdp_counter.o"), nullptr, &obj);
        CHILD_EXPECT(why.empty(), "the object with a signed module was refused: " + why);
        CHILD_EXPECT(run_xdp(obj) == 2, "the signed xdp module did not pass the packet");
        bpf_object__close(obj);
        return "PASS";
    }));
}

TEST_F(LibbpfIntegrity, RequireSignatureOutsideTheMode) {
    expect_pass(test::run_in_child([]() -> std::string {
        LIBBPF_OPTS(bpf_object_open_opts, opts, .ebpf_require_signature = true);
        // No trust store yet: nothing can be checked, so nothing loads.
        CHILD_EXPECT(!open_and_load(file("signed.so"), &opts).empty(), "loaded without a trust store");
        CHILD_EXPECT(ebpf_set_trust_store(trust_dir().c_str()) == 0, ebpf_last_error());
        CHILD_EXPECT(!open_and_load(file("unsigned.so"), &opts).empty(), "an unsigned module loaded");
        CHILD_EXPECT(!open_and_load(file("untrusted.so"), &opts).empty(), "an untrusted module loaded");
        std::string why = open_and_load(file("signed.so"), &opts);
        CHILD_EXPECT(why.empty(), "the signed module was refused: " + why);
        LIBBPF_OPTS(bpf_object_open_opts, native, .ebpf_mode = "native", .ebpf_require_signature = true);
        CHILD_EXPECT(!open_and_load(file("unsigned/xdp_counter.o"), &native).empty(), "an unsigned sibling loaded");
        why = open_and_load(file("signed/xdp_counter.o"), &native);
        CHILD_EXPECT(why.empty(), "the signed sibling was refused: " + why);
        // Without the requirement, unsigned modules load outside the mode.
        CHILD_EXPECT(open_and_load(file("unsigned.so"), nullptr).empty(), "an unsigned module was refused outside the mode");
        return "PASS";
    }));
}

}  // namespace
}  // namespace ebpf::integrity
