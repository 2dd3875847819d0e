// The real-world corpus (README.md): every case runs in each of its modes
// through our runtime, and through the running kernel's BPF_PROG_TEST_RUN
// (system libbpf) where bpf() is usable — the same packets, the same
// expected verdicts, bytes and maps. Tests are registered per case file at
// start-up: realworld.<dir>_<name>.<interpret|jit|native|kernel>.
#include <bpf/bpf.h>
#include <bpf/libbpf.h>
#include <linux/bpf.h>
#include <unistd.h>
#include <gtest/gtest.h>

#include <cerrno>
#include <cstdarg>
#include <cstdio>
#include <cstring>
#include <filesystem>
#include <memory>

#include "case_file.hpp"
#include "ebpf/native.hpp"
#include "ebpf/object.hpp"
#include "ebpf/runtime.hpp"

namespace {

using realworld::Bytes;
using realworld::Case;
using realworld::RunResult;

std::string lines(const std::vector<std::string>& list) {
    std::string out;
    for (const auto& line : list) out += "\n  " + line;
    return out;
}

// --- ours ----------------------------------------------------------------------

ebpf::ExecMode mode_of(const std::string& name) {
    if (name == "jit") return ebpf::ExecMode::jit;
    if (name == "native") return ebpf::ExecMode::native;
    return ebpf::ExecMode::interpret;
}

// Native mode: bpf2c (the case's program only), cc, then the runtime's module
// loader, checked against the object's bytecode.
std::unique_ptr<ebpf::LoadedObject> load_ours(const Case& c, ebpf::ExecMode mode, const ebpf::PrivateDirectory& dir) {
    ebpf::LoadOptions options;
    options.mode = mode;
    if (!c.program.empty()) options.programs = {c.program};
    if (mode != ebpf::ExecMode::native) return ebpf::load_object(c.object_path, options);
    ebpf::Bpf2cOptions bpf2c_options;
    bpf2c_options.section = c.program;
    const auto result = ebpf::bpf2c(ebpf::open_object(c.object_path), bpf2c_options);
    ebpf::write_file_atomically(dir.file("prog.c"), result.c_source);
    ebpf::compile_c_to_module(dir.file("prog.c"), dir.file("prog.so"));
    options.bytecode_object = c.object_path;
    return ebpf::load_object(dir.file("prog.so"), options);
}

void run_ours(const Case& c, const std::string& mode_name) {
    ebpf::PrivateDirectory dir("ebpf-realworld");
    std::unique_ptr<ebpf::LoadedObject> object;
    try {
        object = load_ours(c, mode_of(mode_name), dir);
    } catch (const ebpf::Error& e) {
        ASSERT_FALSE(c.accept) << c.id << ": expected to load, but: " << e.what();
        EXPECT_NE(std::string(e.what()).find(c.reject_message), std::string::npos)
            << c.id << ": rejected, but the message lacks \"" << c.reject_message << "\": " << e.what();
        return;
    }
    ASSERT_TRUE(c.accept) << c.id << ": expected a rejection (\"" << c.reject_message << "\"), but it loaded";
    const ebpf::LoadedProgram& program = c.program.empty() ? *object->programs().front() : object->program(c.program);
    for (const auto& entry : c.maps) object->map(entry.map).update(entry.key, *entry.value);
    const realworld::MapReader read_map = [&](const std::string& map, const Bytes& key) {
        return object->map(map).lookup(key);
    };
    for (const auto& run : c.runs) {
        ebpf::TestRunInput input;
        input.data = run.data;
        if (run.ctx) input.ctx = *run.ctx;
        input.repeat = run.repeat;
        RunResult result;
        try {
            const ebpf::TestRunOutput output = ebpf::test_run(program, input);
            result = {static_cast<uint32_t>(output.retval), output.data};
        } catch (const ebpf::Error& e) {
            ADD_FAILURE() << c.id << " run '" << run.name << "' failed: " << e.what();
            continue;
        }
        const auto differences = realworld::compare(run, result, read_map);
        EXPECT_TRUE(differences.empty()) << c.id << " (" << mode_name << "):" << lines(differences);
    }
}

// --- the kernel ----------------------------------------------------------------

std::string g_libbpf_log;
int collect_libbpf_log(enum libbpf_print_level level, const char* format, va_list args) {
    if (level == LIBBPF_DEBUG) return 0;
    char buffer[4096];
    const int n = std::vsnprintf(buffer, sizeof(buffer), format, args);
    g_libbpf_log += buffer;
    return n;
}

bool kernel_usable(std::string& why) {
    const bpf_insn insns[] = {{0xb7, 0, 0, 0, 0}, {0x95, 0, 0, 0, 0}};
    const int fd = bpf_prog_load(BPF_PROG_TYPE_SOCKET_FILTER, "probe", "GPL", insns, 2, nullptr);
    if (fd < 0) {
        why = std::string("bpf(BPF_PROG_LOAD) of a trivial program fails (") + std::strerror(errno) +
              "): the kernel cannot be the oracle here";
        return false;
    }
    ::close(fd);
    return true;
}

struct KernelObject {
    bpf_object* object = nullptr;
    ~KernelObject() { bpf_object__close(object); }
};

bpf_program* select_program(bpf_object* object, const std::string& name) {
    bpf_program* chosen = nullptr;
    bpf_program* program;
    bpf_object__for_each_program(program, object) {
        const bool match = name.empty() ? chosen == nullptr
                                        : name == bpf_program__name(program) || name == bpf_program__section_name(program);
        if (match && !chosen) {
            chosen = program;
        } else {
            bpf_program__set_autoload(program, false);
        }
    }
    return chosen;
}

void run_kernel(const Case& c) {
    if (!c.kernel) GTEST_SKIP() << c.id << ": not compared with the kernel: " << c.no_kernel_reason;
    std::string why;
    if (!kernel_usable(why)) GTEST_SKIP() << why;
    libbpf_set_print(collect_libbpf_log);
    g_libbpf_log.clear();
    KernelObject k;
    k.object = bpf_object__open_file(c.object_path.c_str(), nullptr);
    ASSERT_NE(k.object, nullptr) << c.id << ": libbpf cannot open " << c.object_path << ": " << g_libbpf_log;
    bpf_program* program = select_program(k.object, c.program);
    ASSERT_NE(program, nullptr) << c.id << ": libbpf finds no program '" << c.program << "'";
    if (!c.type.empty()) {
        bpf_prog_type type;
        bpf_attach_type attach;
        // libbpf knows types by section name; ours are the kernel's type names.
        if (libbpf_prog_type_by_name(c.type == "sched_cls" ? "tc" : c.type.c_str(), &type, &attach) != 0)
            FAIL() << c.id << ": the kernel side does not know the type \"" << c.type << "\"";
        bpf_program__set_type(program, type);
    }
    const int err = bpf_object__load(k.object);
    if (!c.accept) {
        EXPECT_NE(err, 0) << c.id << ": we reject it (\"" << c.reject_message << "\"), but the kernel loads it";
        return;
    }
    ASSERT_EQ(err, 0) << c.id << ": the kernel rejects a program we accept:\n" << g_libbpf_log;
    auto find_map = [&](const std::string& name) {
        bpf_map* map = bpf_object__find_map_by_name(k.object, name.c_str());
        if (!map) throw std::runtime_error("the kernel's object has no map " + name);
        return map;
    };
    for (const auto& entry : c.maps) {
        ASSERT_EQ(bpf_map__update_elem(find_map(entry.map), entry.key.data(), entry.key.size(), entry.value->data(),
                                       entry.value->size(), BPF_ANY),
                  0)
            << c.id << ": setting " << entry.map << " in the kernel: " << std::strerror(errno);
    }
    const realworld::MapReader read_map = [&](const std::string& name, const Bytes& key) -> std::optional<Bytes> {
        bpf_map* map = find_map(name);
        Bytes value(bpf_map__value_size(map));
        if (bpf_map__lookup_elem(map, key.data(), key.size(), value.data(), value.size(), 0) != 0) {
            if (errno == ENOENT) return std::nullopt;
            throw std::runtime_error(std::string("lookup in the kernel: ") + std::strerror(errno));
        }
        return value;
    };
    for (const auto& run : c.runs) {
        Bytes out(run.data.size() + 4096);
        LIBBPF_OPTS(bpf_test_run_opts, opts);
        opts.data_in = run.data.empty() ? nullptr : run.data.data();
        opts.data_size_in = static_cast<uint32_t>(run.data.size());
        opts.data_out = run.data.empty() ? nullptr : out.data();
        opts.data_size_out = run.data.empty() ? 0 : static_cast<uint32_t>(out.size());
        if (run.ctx) {
            opts.ctx_in = run.ctx->data();
            opts.ctx_size_in = static_cast<uint32_t>(run.ctx->size());
        }
        opts.repeat = static_cast<int>(run.repeat);
        if (bpf_prog_test_run_opts(bpf_program__fd(program), &opts) != 0) {
            ADD_FAILURE() << c.id << " run '" << run.name << "': the kernel's test run fails: " << std::strerror(errno);
            continue;
        }
        out.resize(run.data.empty() ? 0 : opts.data_size_out);
        const auto differences = realworld::compare(run, {opts.retval, out}, read_map);
        EXPECT_TRUE(differences.empty()) << c.id << " (kernel):" << lines(differences);
    }
}

class CaseTest : public ::testing::Test {
public:
    CaseTest(std::shared_ptr<const Case> c, std::string mode) : case_(std::move(c)), mode_(std::move(mode)) {}
    void TestBody() override {
        if (mode_ == "kernel") {
            run_kernel(*case_);
        } else {
            run_ours(*case_, mode_);
        }
    }

private:
    std::shared_ptr<const Case> case_;
    std::string mode_;
};

class BadCaseFile : public ::testing::Test {
public:
    explicit BadCaseFile(std::string message) : message_(std::move(message)) {}
    void TestBody() override { FAIL() << message_; }

private:
    std::string message_;
};

}  // namespace

int main(int argc, char** argv) {
    ::testing::InitGoogleTest(&argc, argv);
    for (const auto& file : realworld::case_files(EBPF_REALWORLD_DIR)) {
        const std::filesystem::path path(file);
        const std::string suite = path.parent_path().filename().string() + "_" + path.stem().string();
        std::shared_ptr<const Case> c;
        try {
            c = std::make_shared<const Case>(realworld::load_case(file, EBPF_REALWORLD_OBJECTS));
        } catch (const std::exception& e) {
            const std::string message = e.what();
            ::testing::RegisterTest(suite.c_str(), "case_file", nullptr, nullptr, __FILE__, __LINE__,
                                    [message]() -> ::testing::Test* { return new BadCaseFile(message); });
            continue;
        }
        std::vector<std::string> modes = c->modes;
        modes.push_back("kernel");
        for (const auto& mode : modes) {
            ::testing::RegisterTest(suite.c_str(), mode.c_str(), nullptr, nullptr, __FILE__, __LINE__,
                                    [c, mode]() -> ::testing::Test* { return new CaseTest(c, mode); });
        }
    }
    return RUN_ALL_TESTS();
}
