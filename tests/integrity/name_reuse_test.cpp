// The bytes checked are the bytes run, even when a path or an fd number
// could name another module: dlopen("/proc/<pid>/fd/N") returns an object
// already loaded under that name (or from the same file) instead of loading
// the new one. Here an object stays loaded under the name the loader's next
// memfd gets (RTLD_NODELETE, or a module linked with -z nodelete), and the
// loader must still run the module it checked.
#include <gtest/gtest.h>

#include <dlfcn.h>
#include <unistd.h>

#include "ebpf/error.hpp"
#include "ebpf/native.hpp"
#include "ebpf/policy.hpp"
#include "integrity_support.hpp"
#include "test_support.hpp"

namespace ebpf::integrity {
namespace {

using test::run_in_child;

std::shared_ptr<NativeModule> load(std::span<const uint8_t> bytes) {
    static HelperTable helpers;
    ModuleLoadOptions options;
    options.helpers = &helpers;
    options.name = "module";
    return load_module_from_memory(bytes, options);
}

// The fd number the next open() gets.
int next_fd() {
    int fd = ::dup(0);
    ::close(fd);
    return fd;
}

void expect_pass(const test::ChildResult& result) {
    if (result.status == "SKIP") GTEST_SKIP() << result.detail;
    EXPECT_EQ(result.status, "PASS") << result.detail;
}

// Someone else in the process dlopened module A through fd N and closed the
// fd; A stays loaded. The loader's memfd for module B gets fd N.
std::string stale_name_from_another_loader(bool policy, std::span<const uint8_t> a, std::span<const uint8_t> b) {
    if (policy) {
        if (auto skip = enter_code_integrity(); !skip.empty()) return skip;
    }
    int fd = -1;
    {
        SealedMemfd memfd = make_sealed_memfd(a, "other");
        fd = memfd.fd();
        const std::string path = "/proc/" + std::to_string(::getpid()) + "/fd/" + std::to_string(fd);
        if (::dlopen(path.c_str(), RTLD_NOW | RTLD_LOCAL | RTLD_NODELETE) == nullptr)
            return std::string("FAIL cannot dlopen A: ") + ::dlerror();
    }
    if (next_fd() != fd) return "FAIL test setup: fd " + std::to_string(fd) + " is not the next free fd";
    auto module = load(b);
    const uint64_t value = run_first(*module);
    if (value != 2) return "FAIL the loader ran another module than it checked: returned " + std::to_string(value);
    return "PASS";
}

TEST(NameReuse, AnObjectLoadedEarlierUnderTheSameFdNameIsNotWhatRuns) {
    const auto a = answer_module(1);
    const auto b = answer_module(2);
    expect_pass(run_in_child([&] { return stale_name_from_another_loader(false, a, b); }));
}

TEST(NameReuse, UnderThePolicyTheSignedModuleIsWhatRuns) {
    const auto a = answer_module(1);  // unsigned: it must never run under the policy
    const auto b = sign_trusted(answer_module(2));
    expect_pass(run_in_child([&] { return stale_name_from_another_loader(true, a, b); }));
}

// The loader's own module A (linked -z nodelete, so dlclose keeps it) is
// unloaded; its memfd's fd number goes to module B's memfd.
TEST(NameReuse, AModuleThatStaysLoadedAfterUnloadIsNotReturnedForTheNextOne) {
    const auto a = answer_module(1, "", {"-Wl,-z,nodelete"});
    const auto b = answer_module(2);
    expect_pass(run_in_child([&]() -> std::string {
        {
            auto first = load(a);
            if (run_first(*first) != 1) return "FAIL module A did not run";
        }
        auto second = load(b);
        const uint64_t value = run_first(*second);
        if (value != 2) return "FAIL module A ran in place of module B: returned " + std::to_string(value);
        return "PASS";
    }));
}

}  // namespace
}  // namespace ebpf::integrity
