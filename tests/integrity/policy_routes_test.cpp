// Code-integrity mode as a property of the runtime: once it is on, every
// route that could load or produce native code refuses an unsigned module, a
// module signed by an untrusted key and a module that would run code while
// loading, and refuses to compile anything, whatever options the caller
// passes. Each test runs in a forked child (the mode and MDWE are for good).
#include <gtest/gtest.h>

#include <cerrno>
#include <cstring>
#include <filesystem>
#include <fstream>

#include "ebpf/ebpf.h"
#include "ebpf/error.hpp"
#include "ebpf/hooks.hpp"
#include "ebpf/native.hpp"
#include "ebpf/object.hpp"
#include "ebpf/policy.hpp"
#include "ebpf/runtime.hpp"
#include "integrity_support.hpp"
#include "test_support.hpp"

namespace ebpf::integrity {
namespace {

using test::run_in_child;

#define CHECK_REFUSED(what, body, needle)                                          \
    do {                                                                           \
        std::string failure = expect_refused(what, [&] { body; }, needle);         \
        if (!failure.empty()) return failure;                                      \
    } while (0)
#define CHILD_EXPECT(cond, what)                              \
    do {                                                      \
        if (!(cond)) return std::string("FAIL ") + (what);    \
    } while (0)

void expect_pass(const test::ChildResult& result) {
    if (result.status == "SKIP") GTEST_SKIP() << result.detail;
    EXPECT_EQ(result.status, "PASS") << result.detail;
}

const char* const kUnsigned = "only signed native modules may run";
const char* const kUntrusted = "does not chain to a trusted root";
const char* const kCompile = "code-integrity policy: ";

// ebpf_object_load, throwing its error when it refuses.
void load_with_c_api(const std::string& path, const char* mode) {
    ebpf_object* object = ebpf_object_load(path.c_str(), mode);
    if (object == nullptr) throw Error(ebpf_last_error());
    ebpf_object_close(object);
}

std::string program_path(const std::string& name) { return std::string(EBPF_TEST_PROGRAMS_DIR) + "/" + name + ".o"; }

// Modules built once in the parent (nothing may be compiled in the mode).
class PolicyRoutes : public ::testing::Test {
protected:
    static void SetUpTestSuite() {
        dir_ = new test::ScratchDir();
        auto module = answer_module(42);
        write(dir_->path() / "good.so", sign_trusted(module));
        write(dir_->path() / "unsigned.so", module);
        write(dir_->path() / "untrusted.so", sign_untrusted(module));
        write(dir_->path() / "ctor.so",
              sign_trusted(module_running_at_load(LoadTimeCode::constructor, dir_->path() / "ctor-ran")));
        // The unsigned module under a name that does not say "module".
        write(dir_->path() / "unsigned.o", module);
        // tail_call.o as a signed module (hook/dispatch tail-calls jump_table[i]).
        Object object = open_object(program_path("tail_call"));
        write(dir_->path() / "tail_call.so",
              sign_trusted(build_module_bytes(generate_c(prepare_translation_unit(object)))));
    }
    static void TearDownTestSuite() { delete dir_; }

    static void write(const std::filesystem::path& path, const std::vector<uint8_t>& bytes) {
        test::write_bytes(path, bytes);
    }
    static std::string file(const std::string& name) { return (dir_->path() / name).string(); }
    static std::vector<uint8_t> bytes(const std::string& name) { return test::read_bytes(dir_->path() / name); }

    // The loader routes over one module file: each must refuse it with `needle`.
    static std::string refuse_everywhere(const std::string& name, const std::string& needle) {
        HelperTable helpers;
        ModuleLoadOptions module_options;
        module_options.helpers = &helpers;
        // A caller's hook that accepts everything removes nothing.
        module_options.check_signature = [](std::span<const uint8_t>) {};
        const auto contents = bytes(name);
        CHECK_REFUSED(name + " via load_module_from_memory", load_module_from_memory(contents, module_options), needle);
        CHECK_REFUSED(name + " via load_module_from_file", load_module_from_file(file(name), module_options), needle);
        LoadOptions load;
        load.mode = ExecMode::native;
        load.check_signature = [](std::span<const uint8_t>) {};
        CHECK_REFUSED(name + " via load_native_object", load_native_object(file(name), load), needle);
        CHECK_REFUSED(name + " via load_object", load_object(file(name), load), needle);
        CHECK_REFUSED(name + " via the C API", load_with_c_api(file(name), "native"), needle);
        return "";
    }

    static inline test::ScratchDir* dir_ = nullptr;
};

TEST_F(PolicyRoutes, EveryLoaderRouteRefusesUnsignedUntrustedAndConstructorModules) {
    expect_pass(run_in_child([]() -> std::string {
        if (auto skip = enter_code_integrity(); !skip.empty()) return skip;
        for (auto [name, needle] : {std::pair{"unsigned.so", kUnsigned}, std::pair{"unsigned.o", kUnsigned},
                                    std::pair{"untrusted.so", kUntrusted}, std::pair{"ctor.so", "DT_INIT_ARRAY"}}) {
            if (auto failure = refuse_everywhere(name, needle); !failure.empty()) return failure;
        }
        CHILD_EXPECT(!std::filesystem::exists(dir_->path() / "ctor-ran"), "the constructor ran");

        // The signed module loads by every route and runs.
        HelperTable helpers;
        ModuleLoadOptions options;
        options.helpers = &helpers;
        auto module = load_module_from_file(file("good.so"), options);
        CHILD_EXPECT(module->admitted_under_policy(), "module not marked as admitted");
        CHILD_EXPECT(run_first(*module) == 42, "good module returned the wrong value");
        LoadOptions load;
        load.mode = ExecMode::native;
        auto object = load_object(file("good.so"), load);
        CHILD_EXPECT(object->program("answer").run(nullptr, 0) == 42, "good module via load_object");
        ebpf_object* c_object = ebpf_object_load(file("good.so").c_str(), "native");
        CHILD_EXPECT(c_object != nullptr, std::string("C API refused the good module: ") + ebpf_last_error());
        uint64_t result = 0;
        CHILD_EXPECT(ebpf_program_run(ebpf_object_program(c_object, 0), nullptr, 0, &result) == 0 && result == 42,
                     "C API run");
        ebpf_object_close(c_object);
        return "PASS";
    }));
}

TEST_F(PolicyRoutes, NothingIsCompiledAndNoBytecodeRuns) {
    expect_pass(run_in_child([]() -> std::string {
        if (auto skip = enter_code_integrity(); !skip.empty()) return skip;
        HelperTable helpers;
        const std::vector<Instruction> insns = {make_instruction(0xb7, 0, 0, 0, 1), make_instruction(0x95)};
        CHECK_REFUSED("compile_native_engine", compile_native_engine(insns, helpers), kCompile);
        CHECK_REFUSED("build_module_bytes", build_module_bytes(answer_c(1)), kCompile);
        test::ScratchDir scratch;
        std::ofstream(scratch / "m.c") << answer_c(1);
        CHECK_REFUSED("compile_c_to_module", compile_c_to_module((scratch / "m.c").string(), (scratch / "m.so").string()),
                      kCompile);
        CHILD_EXPECT(!std::filesystem::exists(scratch / "m.so"), "compile_c_to_module wrote a module");

        const std::string elf = program_path("hook_buffer");
        for (ExecMode mode : {ExecMode::interpret, ExecMode::jit, ExecMode::native}) {
            LoadOptions load;
            load.mode = mode;
            const std::string what = std::string("ELF object, mode ") + exec_mode_name(mode);
            CHECK_REFUSED(what + " via load_object(Object)", load_object(open_object(elf), load), kCompile);
            CHECK_REFUSED(what + " via load_object(path)", load_object(elf, load), kCompile);
        }
        CHECK_REFUSED("ELF object via the C API", load_with_c_api(elf, "interpret"), "the interpreter is disabled");
        CHECK_REFUSED("make_engine(interpret)", make_engine(ExecMode::interpret, insns, {}), "interpreter is disabled");
        return "PASS";
    }));
}

// Programs that did not come through the mode's loader check never run once
// the mode is on: reached directly, through a hook, the packet hook or a
// tail call out of a signed module's prog array.
TEST_F(PolicyRoutes, ProgramsNotAdmittedUnderThePolicyNeverRun) {
    expect_pass(run_in_child([]() -> std::string {
        LoadOptions interpret;
        auto before = load_object(program_path("tail_call"), interpret);
        auto xdp = load_object(program_path("xdp_parse"), interpret);
        LoadedProgram& tail_one = before->program("tail_one");
        HookLink link = attach_hook(tail_one, "integrity_test");
        CHILD_EXPECT(tail_one.run(nullptr, 0) == 101, "sanity: the interpreted program runs before the mode");
        // An unsigned native module loaded before the mode, as a module and through the runtime.
        HelperTable helpers;
        ModuleLoadOptions module_options;
        module_options.helpers = &helpers;
        auto early_engine = load_module_from_memory(bytes("unsigned.so"), module_options)->make_engine(0);
        LoadOptions native_early;
        native_early.mode = ExecMode::native;
        auto early_object = load_object(file("unsigned.so"), native_early);
        CHILD_EXPECT(early_engine->run(0, 0) == 42, "sanity: the unsigned module runs before the mode");

        if (auto skip = enter_code_integrity(); !skip.empty()) return skip;
        const char* needle = "was not loaded as a signed native module in code-integrity mode";
        CHECK_REFUSED("a program loaded before the mode", tail_one.run(nullptr, 0), needle);
        CHECK_REFUSED("a native engine of a module loaded before the mode", early_engine->run(0, 0),
                      "the module was loaded before the mode was on");
        CHECK_REFUSED("a native program loaded before the mode", early_object->program("answer").run(nullptr, 0),
                      needle);
        uint8_t buffer[4] = {};
        CHECK_REFUSED("a hook's program", run_hook("integrity_test", buffer, sizeof buffer), needle);
        if (!xdp->programs().empty()) {
            PacketHook hook(*xdp->programs().front());
            std::vector<uint8_t> packet(64, 0);
            CHECK_REFUSED("the packet hook", hook.process(packet), needle);
        }

        LoadOptions native;
        native.mode = ExecMode::native;
        auto signed_object = load_object(file("tail_call.so"), native);
        LoadedProgram& dispatch = signed_object->program("dispatch");
        uint32_t index = 0;
        CHILD_EXPECT(dispatch.run(&index, sizeof index) == 100, "signed tail call to a signed program");
        // Put the interpreted program into the signed module's prog array.
        index = 2;
        const uint32_t id = tail_one.id();
        try {
            signed_object->map("jump_table")
                .update(std::span(reinterpret_cast<const uint8_t*>(&index), 4),
                        std::span(reinterpret_cast<const uint8_t*>(&id), 4));
        } catch (const Error&) {
            return "PASS";  // refused when placed: also fine
        }
        CHECK_REFUSED("a tail call into a program loaded before the mode", dispatch.run(&index, sizeof index), needle);
        return "PASS";
    }));
}

TEST_F(PolicyRoutes, TheProcessTrustStoreIsSetOnce) {
    expect_pass(run_in_child([]() -> std::string {
        set_process_trust_store(trust_dir());
        CHECK_REFUSED("a second trust store", set_process_trust_store(trust_dir()), "set once and never replaced");
        CHILD_EXPECT(ebpf_set_trust_store(trust_dir().c_str()) == -EEXIST, "C API: second trust store accepted");
        return "PASS";
    }));
}

TEST(PolicyCApi, EnablesTheModeAndConfiguresTheTrustStore) {
    EXPECT_EQ(ebpf_code_integrity_enabled(), 0);
    EXPECT_EQ(ebpf_enable_code_integrity(0x80), -EINVAL);
    EXPECT_EQ(ebpf_code_integrity_enabled(), 0);
    EXPECT_EQ(ebpf_set_trust_store("/nonexistent/trust"), -EINVAL);
    EXPECT_NE(std::string(ebpf_last_error()).find("does not exist"), std::string::npos) << ebpf_last_error();
    expect_pass(run_in_child([]() -> std::string {
        if (!mdwe_supported()) return "SKIP the kernel lacks PR_SET_MDWE";
        CHILD_EXPECT(ebpf_set_trust_store(trust_dir().c_str()) == 0, std::string("set: ") + ebpf_last_error());
        if (ebpf_enable_code_integrity(0) != 0) return std::string("SKIP ") + ebpf_last_error();
        CHILD_EXPECT(ebpf_code_integrity_enabled() == 1, "mode not reported on");
        CHILD_EXPECT(mdwe_active(), "MDWE not on");
        return "PASS";
    }));
}

}  // namespace
}  // namespace ebpf::integrity
