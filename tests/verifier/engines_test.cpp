// What the verifier accepts, every engine runs alike (issue 12):
//  * every accepted case of cases/*.txt loads in the interpreter and the JIT
//    and translates with bpf2c — an engine never refuses what the verifier
//    accepted (function boundaries, for one);
//  * every case with `-- run` lines is also compiled to a native module, and
//    runs in the interpreter, the JIT and natively with the expected result
//    and output (under the asan preset, with ASan watching every access).
// XDP frames are surrounded by non-zero headroom and tailroom, so a packet
// that grows shows zeros only if the helpers zero what they add.
#include <gtest/gtest.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <filesystem>
#include <span>
#include <utility>

#include "case_file.hpp"
#include "ebpf/error.hpp"
#include "ebpf/isa.hpp"
#include "ebpf/native.hpp"
#include "ebpf/runtime.hpp"

namespace ebpf::testing {
namespace {

constexpr size_t kRoom = 64;         // XDP headroom and tailroom around the packet
constexpr uint8_t kHeadFill = 0xa5;  // what the host left there
constexpr uint8_t kTailFill = 0x5a;

const char* section_of(ProgramType type) {
    switch (type) {
    case ProgramType::xdp: return "xdp";
    case ProgramType::sched_cls: return "tc";
    case ProgramType::socket_filter: return "socket";
    case ProgramType::cgroup_sock_addr: return "cgroup/bind4";
    case ProgramType::raw_memory: return "raw";
    default: return "hook/verifier_case";
    }
}

Object object_of(const VerifierCase& c) {
    Object object;
    object.path = c.file + ":" + c.name;
    object.license = "GPL";
    Program program;
    program.name = "prog";
    program.section = section_of(c.type);
    program.type = c.type;
    program.attach = c.type == ProgramType::cgroup_sock_addr ? "bind4" : c.type == ProgramType::hook ? "verifier_case" : "";
    program.insns = assemble(c.assembly);
    object.programs.push_back(std::move(program));
    object.maps = c.maps;
    return object;
}

LoadOptions load_options(const VerifierCase& c, ExecMode mode) {
    LoadOptions options;
    options.mode = mode;
    options.verify_options.mem_size = c.mem_size;
    return options;
}

// bpf2c as `ebpf build` runs it; with a known memory size (raw programs run by
// `ebpf run`), the translation of the instructions as compile_native_engine does.
std::string translate(const VerifierCase& c, const Object& object) {
    if (!c.mem_size) return bpf2c(object).c_source;
    TranslationUnit unit;
    unit.source_name = object.path;
    TranslationProgram program;
    program.name = "prog";
    program.section = section_of(c.type);
    program.type = c.type;
    program.insns = object.programs[0].insns;
    unit.programs.push_back(std::move(program));
    unit.maps = object.maps;
    return generate_c(unit);
}

// Where this process builds native modules (removed at the end, with the trace buffer).
const std::filesystem::path& module_dir() {
    static const std::filesystem::path dir =
        std::filesystem::temp_directory_path() / ("ebpf-verifier-engines-" + std::to_string(getpid()));
    return dir;
}

std::string native_module(const VerifierCase& c, const Object& object) {
    const std::filesystem::path& dir = module_dir();
    std::filesystem::create_directories(dir);
    std::string stem = c.file + "_" + c.name;
    for (char& ch : stem)
        if (!std::isalnum(static_cast<unsigned char>(ch))) ch = '_';
    const std::string c_path = (dir / (stem + ".c")).string(), so_path = (dir / (stem + ".so")).string();
    write_file_atomically(c_path, translate(c, object));
    compile_c_to_module(c_path, so_path);
    return so_path;
}

struct Outcome {
    int64_t result = 0;
    std::vector<uint8_t> output;
};

Outcome run_once(const LoadedProgram& program, const CaseRun& run) {
    Outcome out;
    switch (program.type()) {
    case ProgramType::xdp: {
        std::vector<uint8_t> frame(kRoom + run.input.size() + kRoom, kTailFill);
        std::memset(frame.data(), kHeadFill, kRoom);
        if (!run.input.empty()) std::memcpy(frame.data() + kRoom, run.input.data(), run.input.size());
        size_t offset = kRoom, length = run.input.size();
        out.result = static_cast<int64_t>(program.run_xdp(frame, offset, length));
        out.output.assign(frame.begin() + static_cast<std::ptrdiff_t>(offset),
                          frame.begin() + static_cast<std::ptrdiff_t>(offset + length));
        break;
    }
    case ProgramType::cgroup_sock_addr: {
        std::vector<uint8_t> ctx = run.input;
        ctx.resize(72);
        out.result = static_cast<int64_t>(program.run(ctx.data(), ctx.size()));
        out.output = ctx;
        break;
    }
    default:
        if (run.no_input) {
            out.result = static_cast<int64_t>(program.run(nullptr, 0));
        } else {
            out.output = run.input;
            out.result = static_cast<int64_t>(program.run(out.output.data(), out.output.size()));
        }
        break;
    }
    return out;
}

std::string hex(const std::vector<uint8_t>& bytes) {
    static const char digits[] = "0123456789abcdef";
    std::string s;
    for (uint8_t b : bytes) {
        s += digits[b >> 4];
        s += digits[b & 15];
    }
    return s;
}

std::vector<VerifierCase> accepted_cases(bool with_runs) {
    std::vector<VerifierCase> out;
    for (auto& c : load_cases(EBPF_VERIFIER_CASES_DIR))
        if (c.expect_accept && (!with_runs || !c.runs.empty())) out.push_back(std::move(c));
    return out;
}

std::string case_name(const ::testing::TestParamInfo<VerifierCase>& info) {
    std::string name = info.param.file.substr(0, info.param.file.find('.')) + "_" + info.param.name;
    for (char& ch : name)
        if (!std::isalnum(static_cast<unsigned char>(ch))) ch = '_';
    return name;
}

class AcceptedCase : public ::testing::TestWithParam<VerifierCase> {};

TEST_P(AcceptedCase, EveryEngineTakesIt) {
    const VerifierCase& c = GetParam();
    const Object object = object_of(c);
    if (program_type_info(c.type).ctx_is_memory || program_type_info(c.type).runtime_ctx_size != 0) {
        for (ExecMode mode : {ExecMode::interpret, ExecMode::jit}) {
            try {
                load_object(object, load_options(c, mode));
            } catch (const Error& e) {
                ADD_FAILURE() << exec_mode_name(mode) << " refuses what the verifier accepted: " << e.what();
            }
        }
    }
    try {
        EXPECT_FALSE(translate(c, object).empty());
    } catch (const Error& e) {
        ADD_FAILURE() << "bpf2c refuses what the verifier accepted: " << e.what();
    }
}

INSTANTIATE_TEST_SUITE_P(Cases, AcceptedCase, ::testing::ValuesIn(accepted_cases(false)), case_name);

// Helpers whose results differ from run to run (time, random numbers, CPU).
bool deterministic(const VerifierCase& c) {
    for (const char* call : {"call 5\n", "call 7\n", "call 8\n", "call 125\n"})
        if (c.assembly.find(call) != std::string::npos) return false;
    return true;
}

std::vector<VerifierCase> runnable_cases() {
    std::vector<VerifierCase> out;
    for (auto& c : accepted_cases(false)) {
        const ProgramTypeInfo& info = program_type_info(c.type);
        if ((info.ctx_is_memory || info.runtime_ctx_size != 0) && deterministic(c)) out.push_back(std::move(c));
    }
    return out;
}

// Every accepted case, run on a few inputs in the interpreter, the JIT and
// natively, gives the same result and output everywhere (or fails everywhere).
class EveryEngine : public ::testing::TestWithParam<VerifierCase> {};

TEST_P(EveryEngine, Agrees) {
    const VerifierCase& c = GetParam();
    const Object object = object_of(c);
    std::vector<CaseRun> runs;
    for (size_t size : {size_t{0}, size_t{64}}) {
        CaseRun run;
        if (c.mem_size) size = static_cast<size_t>(*c.mem_size);
        for (size_t i = 0; i < size; ++i) run.input.push_back(static_cast<uint8_t>(i * 37 + 11));
        run.no_input = size == 0 && c.type != ProgramType::xdp;
        runs.push_back(run);
    }
    std::vector<std::string> first;
    for (ExecMode mode : {ExecMode::interpret, ExecMode::jit, ExecMode::native}) {
        std::unique_ptr<LoadedObject> loaded = mode == ExecMode::native
                                                   ? load_object(native_module(c, object), load_options(c, mode))
                                                   : load_object(object, load_options(c, mode));
        std::vector<std::string> seen;
        for (const CaseRun& run : runs) {
            try {
                const Outcome out = run_once(loaded->program("prog"), run);
                seen.push_back(std::to_string(out.result) + " " + hex(out.output));
            } catch (const Error& e) {
                seen.push_back("error");
            }
        }
        if (first.empty()) first = seen;
        else EXPECT_EQ(seen, first) << exec_mode_name(mode) << " differs from the interpreter";
    }
}

INSTANTIATE_TEST_SUITE_P(Cases, EveryEngine, ::testing::ValuesIn(runnable_cases()), case_name);

class RunCase : public ::testing::TestWithParam<VerifierCase> {};

TEST_P(RunCase, SameResultInEveryEngine) {
    const VerifierCase& c = GetParam();
    const Object object = object_of(c);
    for (ExecMode mode : {ExecMode::interpret, ExecMode::jit, ExecMode::native}) {
        SCOPED_TRACE(exec_mode_name(mode));
        std::unique_ptr<LoadedObject> loaded = mode == ExecMode::native
                                                   ? load_object(native_module(c, object), load_options(c, mode))
                                                   : load_object(object, load_options(c, mode));
        const LoadedProgram& program = loaded->program("prog");
        ASSERT_EQ(program.mode(), mode);
        for (const CaseRun& run : c.runs) {
            SCOPED_TRACE("input " + (run.no_input ? std::string("none") : hex(run.input)));
            const Outcome out = run_once(program, run);
            EXPECT_EQ(out.result, run.result);
            if (run.output) {
                EXPECT_EQ(hex(out.output), hex(*run.output));
            }
        }
    }
}

INSTANTIATE_TEST_SUITE_P(Cases, RunCase, ::testing::ValuesIn(accepted_cases(true)), case_name);

// bpf_printk output of the cases goes to a trace buffer of this process; its
// files go when it ends.
struct TraceBufferPerProcess : ::testing::Environment {
    std::string path = (std::filesystem::temp_directory_path() /
                        ("ebpf-verifier-engines-trace-" + std::to_string(getpid()))).string();
    void SetUp() override { setenv("EBPF_TRACE_PATH", path.c_str(), 1); }
    void TearDown() override {
        std::filesystem::remove(path);
        std::error_code ignored;
        std::filesystem::remove_all(module_dir(), ignored);
    }
};
[[maybe_unused]] const auto* const kTraceBuffer = ::testing::AddGlobalTestEnvironment(new TraceBufferPerProcess);

TEST(RunCases, Exist) { EXPECT_GE(accepted_cases(true).size(), 10u); }

const VerifierCase& find_case(const std::string& name) {
    static const std::vector<VerifierCase> cases = load_cases(EBPF_VERIFIER_CASES_DIR);
    for (const auto& c : cases)
        if (c.name == name) return c;
    throw Error("no verifier case '" + name + "'");
}

// What the verifier assumes at entry, the runtime passes — or refuses to run.
TEST(EntryAssumptions, NullMemoryWithALengthIsRefused) {
    const VerifierCase& c = find_case("hook_length_is_what_the_runtime_passes");
    for (ExecMode mode : {ExecMode::interpret, ExecMode::jit}) {
        auto loaded = load_object(object_of(c), load_options(c, mode));
        EXPECT_THROW(loaded->program("prog").run(nullptr, 5), Error);
        EXPECT_EQ(loaded->program("prog").run(nullptr, 0), 0u);
    }
}

// Verified with a known memory size (VerifyOptions::mem_size), a program
// assumes r2 is that size: it runs on exactly that much memory.
TEST(EntryAssumptions, MemoryOfTheVerifiedSizeOnly) {
    const VerifierCase& c = find_case("rodata_read_constant");
    ASSERT_EQ(c.mem_size, 8u);
    for (ExecMode mode : {ExecMode::interpret, ExecMode::jit}) {
        auto loaded = load_object(object_of(c), load_options(c, mode));
        const LoadedProgram& program = loaded->program("prog");
        uint8_t memory[8] = {1, 2, 3, 4, 5, 6, 7, 8};
        EXPECT_EQ(program.run(memory, sizeof(memory)), 8u);  // memory[2 + 5]
        EXPECT_THROW(program.run(memory, 4), Error);
        EXPECT_THROW(program.run(nullptr, 0), Error);
    }
}

TEST(EntryAssumptions, XdpContextMustBeAWellOrderedFrame) {
    const VerifierCase& c = find_case("xdp_packet_pointer_is_never_null");
    auto loaded = load_object(object_of(c), load_options(c, ExecMode::interpret));
    const LoadedProgram& program = loaded->program("prog");
    uint8_t frame[64] = {};
    const auto start = reinterpret_cast<uint64_t>(frame);
    XdpRuntimeContext good{};
    good.frame_start = good.data_meta = start;
    good.data = start + 8;
    good.data_end = start + 32;
    good.frame_end = start + sizeof(frame);
    EXPECT_EQ(program.run(&good, sizeof(good)), 2u);
    XdpRuntimeContext no_frame = good;  // a host that left the frame out
    no_frame.frame_start = no_frame.frame_end = 0;
    EXPECT_THROW(program.run(&no_frame, sizeof(no_frame)), Error);
    XdpRuntimeContext null_packet{};  // every pointer NULL
    EXPECT_THROW(program.run(&null_packet, sizeof(null_packet)), Error);
    XdpRuntimeContext reversed = good;
    std::swap(reversed.data, reversed.data_end);
    EXPECT_THROW(program.run(&reversed, sizeof(reversed)), Error);
    XdpRuntimeContext outside = good;
    outside.data_end = good.frame_end + 1;
    EXPECT_THROW(program.run(&outside, sizeof(outside)), Error);
}

TEST(EntryAssumptions, EmptyXdpFrameStillHasAnAddress) {
    const VerifierCase& c = find_case("xdp_packet_pointer_is_never_null");
    for (ExecMode mode : {ExecMode::interpret, ExecMode::jit}) {
        auto loaded = load_object(object_of(c), load_options(c, mode));
        size_t offset = 0, length = 0;
        EXPECT_EQ(loaded->program("prog").run_xdp(std::span<uint8_t>(), offset, length), 2u);
    }
}

// The callback budget is the runtime's setting, counted per run over nested
// loops, the same in every engine; a new run starts from zero.
TEST(CallbackBudget, IsConfigurableAndCountsEveryNestedCallback) {
    const VerifierCase& c = find_case("loop_budget_three_deep");
    const Object object = object_of(c);
    const uint64_t saved = callback_budget();
    set_callback_budget(1000);
    for (ExecMode mode : {ExecMode::interpret, ExecMode::jit, ExecMode::native}) {
        SCOPED_TRACE(exec_mode_name(mode));
        auto loaded = mode == ExecMode::native ? load_object(native_module(c, object), load_options(c, mode))
                                               : load_object(object, load_options(c, mode));
        const LoadedProgram& program = loaded->program("prog");
        EXPECT_EQ(program.run(nullptr, 0), 1000u);
        EXPECT_EQ(program.run(nullptr, 0), 1000u);  // a new run, a new budget
    }
    set_callback_budget(saved);
    EXPECT_EQ(callback_budget(), kDefaultCallbackBudget);
}

}  // namespace
}  // namespace ebpf::testing
