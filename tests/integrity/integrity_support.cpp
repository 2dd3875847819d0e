#include "integrity_support.hpp"

#include <cstdlib>
#include <fstream>

#include "ebpf/error.hpp"
#include "ebpf/policy.hpp"
#include "ebpf/runtime.hpp"
#include "test_support.hpp"

namespace ebpf::integrity {

std::string answer_c(int value) {
    TranslationUnit unit;
    unit.source_name = "answer.o";
    TranslationProgram program;
    program.name = "answer";
    program.section = "raw";
    program.type = ProgramType::raw_memory;
    program.insns = {make_instruction(0xb7, 0, 0, 0, value), make_instruction(0x95, 0, 0, 0, 0)};
    program.verified_instruction_count = static_cast<uint32_t>(program.insns.size());
    program.bytecode_sha256 = sha256_of_instructions(program.insns);
    unit.programs.push_back(program);
    return generate_c(unit);
}

std::vector<uint8_t> answer_module(int value, const std::string& extra_c, const std::vector<std::string>& extra_flags) {
    CompileOptions options;
    options.extra_flags = extra_flags;
    return build_module_bytes(answer_c(value) + extra_c, options);
}

const char* load_time_code_name(LoadTimeCode kind) {
    switch (kind) {
        case LoadTimeCode::constructor: return "constructor";
        case LoadTimeCode::dt_init: return "DT_INIT";
        case LoadTimeCode::ifunc: return "IFUNC resolver";
    }
    return "?";
}

std::vector<uint8_t> module_running_at_load(LoadTimeCode kind, const std::filesystem::path& marker) {
    // The module has no libc headers (and no libc: -nostdlib); open and
    // close bind to the host's libc when it is loaded.
    const std::string leave_marker = "extern int open(const char*, int, ...);\n"
                                     "extern int close(int);\n"
                                     "static void ebpf_test_leave_marker(void) {\n"
                                     "    int fd = open(\"" + marker.string() + "\", 0101, 0644);\n"
                                     "    if (fd >= 0) close(fd);\n"
                                     "}\n";
    switch (kind) {
        case LoadTimeCode::constructor:
            return answer_module(42, leave_marker +
                                         "__attribute__((constructor)) static void ebpf_test_ctor(void) {\n"
                                         "    ebpf_test_leave_marker();\n"
                                         "}\n");
        case LoadTimeCode::dt_init:
            return answer_module(42, leave_marker + "void ebpf_test_init(void) { ebpf_test_leave_marker(); }\n",
                                 {"-Wl,-init=ebpf_test_init"});
        case LoadTimeCode::ifunc:
            return answer_module(42, leave_marker +
                                         "static int ebpf_test_impl(void) { return 7; }\n"
                                         "static void* ebpf_test_resolver(void) {\n"
                                         "    ebpf_test_leave_marker();\n"
                                         "    return (void*)ebpf_test_impl;\n"
                                         "}\n"
                                         "int ebpf_test_ifunc(void) __attribute__((ifunc(\"ebpf_test_resolver\")));\n"
                                         "int (*volatile ebpf_test_keep)(void) = ebpf_test_ifunc;\n");
    }
    throw Error("unknown kind");
}

const SigningCredential& trusted_signer() { return test::pki().signer; }

const SigningCredential& untrusted_signer() {
    static const SigningCredential signer = [] {
        auto root = issue_certificate({.common_name = "Stranger Root CA", .certificate_authority = true}, nullptr);
        return issue_certificate({.common_name = "Stranger Code Signer"}, &root);
    }();
    return signer;
}

const std::filesystem::path& trust_dir() {
    static const std::filesystem::path dir = [] {
        static test::ScratchDir scratch;  // removed when the test program exits
        auto path = scratch / "trust";
        std::filesystem::create_directories(path);
        std::filesystem::permissions(path, std::filesystem::perms::owner_all);
        std::ofstream(path / "root.pem") << test::pki().root.cert_pem;
        return path;
    }();
    return dir;
}
// Made at start-up, in the test process itself: tests call trust_dir() in
// forked children that end with _exit(), which would leave their own copy
// behind in /tmp at every run.
const std::filesystem::path& g_trust_dir_made_at_start = trust_dir();

std::vector<uint8_t> sign_trusted(std::span<const uint8_t> module) { return sign_module(module, trusted_signer()); }
std::vector<uint8_t> sign_untrusted(std::span<const uint8_t> module) { return sign_module(module, untrusted_signer()); }

uint64_t run_first(NativeModule& module) { return module.make_engine(0)->run(0, 0); }

std::string expect_refused(const std::string& what, const std::function<void()>& body, const std::string& needle) {
    try {
        body();
    } catch (const std::exception& e) {
        const std::string message = e.what();
        if (message.find(needle) != std::string::npos) return "";
        return "FAIL " + what + ": refused, but the message lacks '" + needle + "': " + message;
    }
    return "FAIL " + what + ": accepted";
}

std::string enter_code_integrity() {
    if (!mdwe_supported()) return "SKIP the kernel lacks PR_SET_MDWE (Linux >= 6.3 needed)";
    try {
        enable_code_integrity();
    } catch (const Error& e) {
        return std::string("SKIP ") + e.what();
    }
    set_process_trust_store(trust_dir());
    return "";
}

}  // namespace ebpf::integrity
