// The code-integrity mode, in forked children (the mode is process-wide and
// cannot be turned off). Each child reports through a pipe: the first line
// is PASS, SKIP or FAIL, the rest says why.
#include <gtest/gtest.h>
#include <linux/audit.h>
#include <linux/filter.h>
#include <linux/seccomp.h>
#include <sys/mman.h>
#include <sys/prctl.h>
#include <sys/syscall.h>

#include <cerrno>
#include <cstring>
#include <functional>
#include <sstream>

#include "ebpf/error.hpp"
#include "ebpf/policy.hpp"
#include "test_support.hpp"

namespace ebpf {
namespace {

using test::pki;
using test::run_in_child;

#define CHILD_EXPECT(cond, what) \
    do {                         \
        if (!(cond)) return std::string("FAIL ") + (what); \
    } while (0)

TEST(CodeIntegrity, MdweBlocksWriteThenExecuteAndSignedModuleStillRuns) {
    test::ScratchDir dir;
    auto module = test::build_module(dir.path(), "m42", 42);
    auto signed_bytes = sign_module(module, pki().signer);
    auto root_pem = pki().root.cert_pem;

    auto result = run_in_child([&]() -> std::string {
        if (!mdwe_supported()) return "SKIP the kernel lacks PR_SET_MDWE (Linux >= 6.3 needed)";
        CHILD_EXPECT(!code_integrity_enabled(), "mode on before enabling");
        CodeIntegrityStatus status;
        try {
            status = enable_code_integrity();
        } catch (const Error& e) {
            return std::string("SKIP PR_SET_MDWE refused here: ") + e.what();
        }
        CHILD_EXPECT(status.mdwe && status.warning.empty(), "MDWE not reported on");
        CHILD_EXPECT(code_integrity_enabled() && mdwe_active(), "mode not reported on");

        // Writable memory can never become executable.
        void* page = ::mmap(nullptr, 4096, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
        CHILD_EXPECT(page != MAP_FAILED, "mmap RW failed");
        std::memset(page, 0xc3, 4096);  // ret
        errno = 0;
        CHILD_EXPECT(::mprotect(page, 4096, PROT_READ | PROT_EXEC) == -1 && errno == EACCES,
                     "mprotect(PROT_EXEC) of a written page succeeded");
        errno = 0;
        void* wx = ::mmap(nullptr, 4096, PROT_READ | PROT_WRITE | PROT_EXEC, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
        CHILD_EXPECT(wx == MAP_FAILED && errno == EACCES, "mmap(PROT_WRITE|PROT_EXEC) succeeded");

        // The interpreter and the JIT are refused by name.
        try {
            check_engine_policy(ExecMode::interpret);
            return "FAIL interpreter allowed";
        } catch (const Error& e) {
            CHILD_EXPECT(std::string(e.what()) == "code-integrity policy: the interpreter is disabled; only signed "
                                                  "native modules may run",
                         std::string("wrong message: ") + e.what());
        }
        try {
            check_engine_policy(ExecMode::jit);
            return "FAIL JIT allowed";
        } catch (const Error& e) {
            CHILD_EXPECT(std::string(e.what()).find("the JIT is disabled") != std::string::npos, e.what());
        }
        check_engine_policy(ExecMode::native);

        // The mode needs no per-call option: unsigned modules are refused.
        PolicyOptions options;  // code_integrity false, but the process mode is on
        options.trust = std::make_shared<const TrustStore>(TrustStore::from_pem(root_pem, "roots"));
        try {
            check_module_policy(module, options);
            return "FAIL unsigned module accepted in the mode";
        } catch (const Error& e) {
            CHILD_EXPECT(std::string(e.what()).find("only signed native modules may run") != std::string::npos,
                         e.what());
        }

        // The signed module loads from a sealed memfd and runs.
        auto sealed = seal_checked_module(signed_bytes, options, "m42.so");
        int value = test::call_answer(sealed.memfd.path());
        CHILD_EXPECT(value == 42, "module returned " + std::to_string(value));
        return "PASS";
    });
    if (result.status == "SKIP") GTEST_SKIP() << result.detail;
    EXPECT_EQ(result.status, "PASS") << result.detail;
}

TEST(CodeIntegrity, EnablingIsIdempotent) {
    auto result = run_in_child([]() -> std::string {
        if (!mdwe_supported()) return "SKIP the kernel lacks PR_SET_MDWE";
        try {
            enable_code_integrity();
            auto again = enable_code_integrity();
            CHILD_EXPECT(again.mdwe, "second enable lost MDWE");
        } catch (const Error& e) {
            return std::string("SKIP ") + e.what();
        }
        return "PASS";
    });
    if (result.status == "SKIP") GTEST_SKIP() << result.detail;
    EXPECT_EQ(result.status, "PASS") << result.detail;
}

// Makes prctl(PR_SET_MDWE, ...) fail with EINVAL in this process, as on a
// kernel before 6.3 (a seccomp filter; needs no privileges).
bool refuse_set_mdwe() {
    struct sock_filter filter[] = {
        BPF_STMT(BPF_LD | BPF_W | BPF_ABS, offsetof(struct seccomp_data, arch)),
        BPF_JUMP(BPF_JMP | BPF_JEQ | BPF_K, AUDIT_ARCH_X86_64, 1, 0),
        BPF_STMT(BPF_RET | BPF_K, SECCOMP_RET_ALLOW),
        BPF_STMT(BPF_LD | BPF_W | BPF_ABS, offsetof(struct seccomp_data, nr)),
        BPF_JUMP(BPF_JMP | BPF_JEQ | BPF_K, __NR_prctl, 0, 3),
        BPF_STMT(BPF_LD | BPF_W | BPF_ABS, offsetof(struct seccomp_data, args[0])),
        BPF_JUMP(BPF_JMP | BPF_JEQ | BPF_K, static_cast<uint32_t>(kPrSetMdwe), 0, 1),
        BPF_STMT(BPF_RET | BPF_K, SECCOMP_RET_ERRNO | (EINVAL & SECCOMP_RET_DATA)),
        BPF_STMT(BPF_RET | BPF_K, SECCOMP_RET_ALLOW),
    };
    struct sock_fprog program = {static_cast<unsigned short>(sizeof filter / sizeof filter[0]), filter};
    return ::prctl(PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0) == 0 &&
           ::prctl(PR_SET_SECCOMP, SECCOMP_MODE_FILTER, &program, 0, 0) == 0;
}

TEST(CodeIntegrity, WithoutKernelSupportFailsUnlessFallbackAllowed) {
    auto result = run_in_child([]() -> std::string {
        if (!refuse_set_mdwe()) return "SKIP cannot install a seccomp filter here";
        try {
            enable_code_integrity();
            return "FAIL enabled although PR_SET_MDWE failed";
        } catch (const Error& e) {
            const std::string message = e.what();
            CHILD_EXPECT(message.find("code-integrity policy: prctl(PR_SET_MDWE, PR_MDWE_REFUSE_EXEC_GAIN) failed") !=
                             std::string::npos,
                         message);
            CHILD_EXPECT(message.find("Linux 6.3") != std::string::npos, message);
        }
        CHILD_EXPECT(!code_integrity_enabled(), "mode on after a refused enable");
        check_engine_policy(ExecMode::interpret);  // still allowed

        auto status = enable_code_integrity({.allow_without_mdwe = true});
        CHILD_EXPECT(!status.mdwe, "MDWE reported on");
        CHILD_EXPECT(status.warning.find("without kernel enforcement") != std::string::npos, status.warning);
        CHILD_EXPECT(code_integrity_enabled(), "library policy not on");
        try {
            check_engine_policy(ExecMode::interpret);
            return "FAIL interpreter allowed under the library-only policy";
        } catch (const Error&) {
        }
        return "PASS";
    });
    if (result.status == "SKIP") GTEST_SKIP() << result.detail;
    EXPECT_EQ(result.status, "PASS") << result.detail;
}

TEST(CodeIntegrity, OffByDefault) {
    EXPECT_FALSE(code_integrity_enabled());
    EXPECT_NO_THROW(check_engine_policy(ExecMode::interpret));
    EXPECT_NO_THROW(check_engine_policy(ExecMode::jit));
}

}  // namespace
}  // namespace ebpf
