// The real-world corpus (README.md): every case runs in each of its modes
// through our runtime, and through the running kernel's BPF_PROG_TEST_RUN
// (system libbpf) where bpf() is usable — the same packets, the same
// expected verdicts, bytes and maps. Tests are registered per case file at
// start-up: realworld.<dir>_<name>.<interpret|jit|native|kernel>.
#include <gtest/gtest.h>

#include <unistd.h>

#include <filesystem>
#include <memory>

#include "case_file.hpp"
#include "cgroups.hpp"
#include "ebpf/object.hpp"
#include "ebpf/verifier.hpp"
#include "kernel_side.hpp"
#include "ours_side.hpp"

namespace {

using realworld::Bytes;
using realworld::Case;

std::string lines(const std::vector<std::string>& list) {
    std::string out;
    for (const auto& line : list) out += "\n  " + line;
    return out;
}

bool uses_cgroups(const Case& c) {
    for (const auto& entry : c.maps)
        if (!entry.cgroup.empty()) return true;
    for (const auto& run : c.runs)
        if (!run.cgroup.empty()) return true;
    return false;
}

// The cgroups of a case that names some (cgroups.hpp); null when it names none.
std::unique_ptr<realworld::CgroupScope> cgroup_scope(const Case& c, std::string& skip) {
    if (!uses_cgroups(c)) return nullptr;
    skip = realworld::CgroupScope::unusable_reason();
    return skip.empty() ? std::make_unique<realworld::CgroupScope>() : nullptr;
}

// Sets the maps before the runs: a cgroup entry's value is its directory's fd.
template <typename Side>
void set_maps(const Case& c, Side& side, realworld::CgroupScope* cgroups) {
    for (const auto& entry : c.maps) {
        if (entry.cgroup.empty()) {
            side.update(entry.map, entry.key, *entry.value);
            continue;
        }
        const int fd = cgroups->open(entry.cgroup);
        const auto value = static_cast<uint32_t>(fd);
        try {
            side.update(entry.map, entry.key, Bytes(reinterpret_cast<const uint8_t*>(&value),
                                                     reinterpret_cast<const uint8_t*>(&value) + 4));
        } catch (...) {
            ::close(fd);
            throw;
        }
        ::close(fd);
    }
}

// "verify" mode: only our verifier's verdict (program types the runtime
// cannot run: kprobe, sock_ops, ...); the kernel side still loads it.
void run_verify(const Case& c) {
    ASSERT_TRUE(c.runs.empty()) << c.id << ": a \"verify\" case has no runs";
    const ebpf::Object object = ebpf::open_object(c.object_path);
    const ebpf::Program* program = nullptr;
    for (const auto& p : object.programs)
        if (c.program.empty() ? program == nullptr : (p.name == c.program || p.section == c.program)) program = &p;
    ASSERT_NE(program, nullptr) << c.id << ": no program '" << c.program << "'";
    const ebpf::VerifyResult result = ebpf::verify_program(*program, object.maps);
    const std::string message = result.errors.empty() ? "" : result.errors.front().message;
    if (c.accept) {
        EXPECT_TRUE(result.ok) << c.id << ": expected to verify, but: " << message;
    } else {
        ASSERT_FALSE(result.ok) << c.id << ": expected a rejection (\"" << c.reject_message << "\"), but it verified";
        EXPECT_NE(message.find(c.reject_message), std::string::npos)
            << c.id << ": rejected, but the message lacks \"" << c.reject_message << "\": " << message;
    }
}

void run_ours(const Case& c, const std::string& mode) {
    if (mode == "verify") return run_verify(c);
    std::unique_ptr<realworld::OurObject> object;
    try {
        object = std::make_unique<realworld::OurObject>(c.object_path, c.program, realworld::exec_mode_from_name(mode), c.type);
    } catch (const ebpf::Error& e) {
        ASSERT_FALSE(c.accept) << c.id << ": expected to load, but: " << e.what();
        EXPECT_NE(std::string(e.what()).find(c.reject_message), std::string::npos)
            << c.id << ": rejected, but the message lacks \"" << c.reject_message << "\": " << e.what();
        return;
    }
    ASSERT_TRUE(c.accept) << c.id << ": expected a rejection (\"" << c.reject_message << "\"), but it loaded";
    std::string skip;
    auto cgroups = cgroup_scope(c, skip);
    if (!skip.empty()) GTEST_SKIP() << c.id << ": " << skip;
    set_maps(c, *object, cgroups.get());
    const realworld::MapReader read_map = [&](const std::string& map, const Bytes& key) {
        return object->lookup(map, key);
    };
    for (const auto& run : c.runs) {
        realworld::RunResult result;
        if (cgroups) cgroups->join(run.cgroup);
        try {
            result = object->test_run(run.data, run.ctx, run.repeat);
        } catch (const ebpf::Error& e) {
            ADD_FAILURE() << c.id << " run '" << run.name << "' failed: " << e.what();
            continue;
        }
        const auto differences = realworld::compare(run, result, read_map);
        EXPECT_TRUE(differences.empty()) << c.id << " (" << mode << "):" << lines(differences);
    }
}

void run_kernel(const Case& c) {
    if (!c.kernel) GTEST_SKIP() << c.id << ": not compared with the kernel: " << c.no_kernel_reason;
    if (const std::string why = realworld::kernel_unusable_reason(); !why.empty()) GTEST_SKIP() << why;
    realworld::KernelObject k(c.object_path);
    ASSERT_TRUE(k.select(c.program, c.type)) << c.id << ": the kernel side finds no program '" << c.program
                                             << "' (or does not know the type '" << c.type << "')";
    const std::string error = k.load();
    if (!c.accept) {
        EXPECT_FALSE(error.empty()) << c.id << ": we reject it (\"" << c.reject_message << "\"), but the kernel loads it";
        return;
    }
    ASSERT_TRUE(error.empty()) << c.id << ": the kernel rejects a program we accept:\n" << error;
    std::string skip;
    auto cgroups = cgroup_scope(c, skip);
    if (!skip.empty()) GTEST_SKIP() << c.id << ": " << skip;
    set_maps(c, k, cgroups.get());
    const realworld::MapReader read_map = [&](const std::string& map, const Bytes& key) { return k.lookup(map, key); };
    for (const auto& run : c.runs) {
        realworld::RunResult result;
        if (cgroups) cgroups->join(run.cgroup);
        try {
            result = k.test_run(run.data, run.ctx, run.repeat);
        } catch (const std::exception& e) {
            ADD_FAILURE() << c.id << " run '" << run.name << "': " << e.what();
            continue;
        }
        const auto differences = realworld::compare(run, result, read_map);
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
