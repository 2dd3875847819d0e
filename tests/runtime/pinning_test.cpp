// Maps and programs visible outside the process (ebpf/pinning.hpp,
// docs/pinning.md): shared maps through two handles, LIBBPF_PIN_BY_NAME
// reuse and refusal, hostile pin files, a running host process driven by
// `ebpf map` / `ebpf prog` in every mode, two processes updating one map
// concurrently, a process dying while it holds a lock, run statistics.
#include <fcntl.h>
#include <signal.h>
#include <gtest/gtest.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include <chrono>
#include <cstddef>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <functional>
#include <set>
#include <nlohmann/json.hpp>

#include "../../src/runtime/pin/map_file.hpp"
#include "ebpf/error.hpp"
#include "ebpf/native.hpp"
#include "ebpf/pinning.hpp"
#include "test_support.hpp"
#include "../cross_exec.hpp"

namespace {

using ebpf::MapType;
using runtime_test::bytes_of;
using runtime_test::definition;
using runtime_test::value_of;

struct TempRoot {
    std::string path;
    TempRoot() {
        char pattern[] = "/tmp/ebpf-pin-test-XXXXXX";
        path = mkdtemp(pattern);
    }
    ~TempRoot() { std::filesystem::remove_all(path); }
    std::string file(const std::string& name) const { return path + "/" + name; }
};

std::vector<uint8_t> read_bytes(const std::string& path) {
    std::ifstream in(path, std::ios::binary);
    return {std::istreambuf_iterator<char>(in), {}};
}

void write_bytes(const std::string& path, const std::vector<uint8_t>& bytes) {
    std::ofstream out(path, std::ios::binary | std::ios::trunc);
    out.write(reinterpret_cast<const char*>(bytes.data()), static_cast<std::streamsize>(bytes.size()));
}

std::string error_of(const std::function<void()>& action) {
    try {
        action();
    } catch (const ebpf::Error& e) {
        return e.what();
    }
    return "(no error)";
}

struct ToolResult {
    int exit_code = -1;
    std::string out;
    std::string err;
};

// `ebpf ARGS` with EBPF_PIN_ROOT=root (the environment variable, as a user would).
ToolResult ebpf_tool(const std::string& root, const std::vector<std::string>& args) {
    const std::string err_path = root + "/.stderr";
    std::string command = "EBPF_PIN_ROOT=" + root + " " + EBPF_TOOL_PATH;
    for (const auto& arg : args) command += " '" + arg + "'";
    command += " 2>" + err_path;
    ToolResult result;
    FILE* pipe = popen(command.c_str(), "r");
    char buffer[4096];
    size_t n;
    while ((n = fread(buffer, 1, sizeof buffer, pipe)) > 0) result.out.append(buffer, n);
    int status = pclose(pipe);
    result.exit_code = WIFEXITED(status) ? WEXITSTATUS(status) : -1;
    auto err = read_bytes(err_path);
    result.err.assign(err.begin(), err.end());
    std::remove(err_path.c_str());
    return result;
}

nlohmann::json tool_json(const std::string& root, std::vector<std::string> args) {
    args.push_back("--json");
    ToolResult result = ebpf_tool(root, args);
    EXPECT_EQ(result.exit_code, 0) << result.err;
    return result.exit_code == 0 ? nlohmann::json::parse(result.out) : nlohmann::json();
}

// pin_host as a child process, with pipes to its stdin and stdout.
class Host {
public:
    Host(const std::string& root, const std::string& object, const std::string& mode) {
        int to_child[2], from_child[2];
        EXPECT_EQ(pipe(to_child), 0);
        EXPECT_EQ(pipe(from_child), 0);
        pid_ = fork();
        if (pid_ == 0) {
            dup2(to_child[0], 0);
            dup2(from_child[1], 1);
            close(to_child[1]);
            close(from_child[0]);
            setenv(ebpf::kPinRootEnvironment, root.c_str(), 1);
            execl(PIN_HOST_PATH, PIN_HOST_PATH, object.c_str(), mode.c_str(), nullptr);
            _exit(127);
        }
        close(to_child[0]);
        close(from_child[1]);
        in_ = fdopen(to_child[1], "w");
        out_ = fdopen(from_child[0], "r");
        ready_ = line() == "ready";
    }
    ~Host() { quit(); }
    bool ready() const { return ready_; }
    // SIGKILL: the host cannot remove its records or maps/<id> names.
    void kill_now() {
        ::kill(pid_, SIGKILL);
        int status = 0;
        waitpid(pid_, &status, 0);
        std::fclose(in_);
        std::fclose(out_);
        pid_ = -1;
    }
    std::string ask(const std::string& command) {
        std::fprintf(in_, "%s\n", command.c_str());
        std::fflush(in_);
        return line();
    }
    void quit() {
        if (pid_ <= 0) return;
        std::fprintf(in_, "quit\n");
        std::fclose(in_);
        std::fclose(out_);
        int status = 0;
        waitpid(pid_, &status, 0);
        pid_ = -1;
    }

private:
    std::string line() {
        char buffer[4096];
        if (!std::fgets(buffer, sizeof buffer, out_)) return "(eof)";
        std::string text = buffer;
        while (!text.empty() && text.back() == '\n') text.pop_back();
        return text;
    }
    pid_t pid_ = -1;
    FILE* in_ = nullptr;
    FILE* out_ = nullptr;
    bool ready_ = false;
};

std::string native_module(const std::string& dir) {
    auto result = ebpf::bpf2c(ebpf::open_object(runtime_test::program_path("pinned_maps")));
    ebpf::write_file_atomically(dir + "/pinned_maps.c", result.c_source);
    ebpf::compile_c_to_module(dir + "/pinned_maps.c", dir + "/pinned_maps.so");
    return dir + "/pinned_maps.so";
}

// A little-endian u64 from `hex` at byte `at`.
uint64_t u64_from_hex(const std::string& hex, size_t at) {
    uint64_t value = 0;
    for (size_t i = 0; i < 8; ++i) value |= std::stoull(hex.substr(2 * (at + i), 2), nullptr, 16) << (8 * i);
    return value;
}

const nlohmann::json* entry_with_key(const nlohmann::json& map, const std::string& key) {
    for (const auto& entry : map["entries"])
        if (entry["key"] == key) return &entry;
    return nullptr;
}

// --- maps through two handles ---------------------------------------------------

TEST(Pinning, EverySharedTypeSeenThroughASecondHandle) {
    TempRoot root;
    for (MapType type : {MapType::array, MapType::percpu_array, MapType::hash, MapType::percpu_hash, MapType::lru_hash,
                         MapType::lru_percpu_hash}) {
        SCOPED_TRACE(std::string(ebpf::map_type_name(type)));
        const std::string path = root.file(std::string(ebpf::map_type_name(type)));
        auto a = ebpf::create_pinned_map(definition(type, 4, 8, 16, "m"), path, root.path);
        auto b = ebpf::open_pinned_map(path);
        EXPECT_EQ(b->type(), type);
        EXPECT_EQ(b->host_value_size(), a->host_value_size());
        EXPECT_EQ(ebpf::shared_map_id(*a), ebpf::shared_map_id(*b));
        EXPECT_NE(ebpf::shared_map_id(*a), 0u);
        std::vector<uint8_t> value(a->host_value_size());
        for (size_t i = 0; i < value.size(); ++i) value[i] = static_cast<uint8_t>(i + 1);
        a->update(bytes_of(uint32_t{3}), value);
        EXPECT_EQ(b->lookup(bytes_of(uint32_t{3})), value);
        // Programs' view: this CPU's value, through the program API.
        {
            ebpf::CpuScope cpu;
            auto* seen = static_cast<uint8_t*>(b->lookup_elem(bytes_of(uint32_t{3}).data()));
            ASSERT_NE(seen, nullptr);
            const size_t slot = b->is_per_cpu() ? 8 * ebpf::current_cpu() : 0;
            EXPECT_EQ(seen[0], value[slot]);
            uint64_t written = 0x1122334455667788ull;
            EXPECT_EQ(b->update_elem(bytes_of(uint32_t{5}).data(), &written, ebpf::kUpdateAny), 0);
        }
        auto five = a->lookup(bytes_of(uint32_t{5}));
        ASSERT_TRUE(five);
        if (!a->is_per_cpu()) {
            EXPECT_EQ(value_of<uint64_t>(*five), 0x1122334455667788ull);
        }
        if (type == MapType::array || type == MapType::percpu_array) {
            EXPECT_EQ(a->keys().size(), 16u);
            EXPECT_NE(error_of([&] { a->remove(bytes_of(uint32_t{3})); }).find("EINVAL"), std::string::npos);
        } else {
            EXPECT_EQ(b->keys().size(), 2u);
            EXPECT_TRUE(b->remove(bytes_of(uint32_t{3})));
            EXPECT_FALSE(a->lookup(bytes_of(uint32_t{3})));
            EXPECT_EQ(a->keys().size(), 1u);
        }
    }
}

TEST(Pinning, OtherTypesAreRefusedByName) {
    TempRoot root;
    auto ring = definition(MapType::ringbuf, 0, 0, 4096, "events");
    EXPECT_NE(error_of([&] { ebpf::create_pinned_map(ring, root.file("events"), root.path); })
                  .find("map type 'ringbuf' cannot be pinned"),
              std::string::npos);
    auto lpm = definition(MapType::lpm_trie, 8, 8, 16, "routes");
    EXPECT_NE(error_of([&] { ebpf::create_shared_map(lpm, root.path); }).find("'lpm_trie' cannot be pinned"),
              std::string::npos);
}

TEST(Pinning, FullHashRefusesAndLruEvicts) {
    TempRoot root;
    auto hash = ebpf::create_pinned_map(definition(MapType::hash, 4, 8, 4), root.file("h"), root.path);
    for (uint32_t k = 0; k < 4; ++k) hash->update(bytes_of(k), bytes_of(uint64_t{k}));
    EXPECT_NE(error_of([&] { hash->update(bytes_of(uint32_t{9}), bytes_of(uint64_t{9})); }).find("E2BIG"), std::string::npos);
    EXPECT_NE(error_of([&] { hash->update(bytes_of(uint32_t{1}), bytes_of(uint64_t{1}), ebpf::kUpdateNoExist); }).find("EEXIST"),
              std::string::npos);
    EXPECT_NE(error_of([&] { hash->update(bytes_of(uint32_t{7}), bytes_of(uint64_t{1}), ebpf::kUpdateExist); }).find("ENOENT"),
              std::string::npos);
    // Deleting makes room again (the element goes back to the free list).
    EXPECT_TRUE(hash->remove(bytes_of(uint32_t{2})));
    hash->update(bytes_of(uint32_t{9}), bytes_of(uint64_t{9}));

    auto lru = ebpf::create_pinned_map(definition(MapType::lru_hash, 4, 8, 4), root.file("l"), root.path);
    for (uint32_t k = 0; k < 10; ++k) lru->update(bytes_of(k), bytes_of(uint64_t{k}));
    EXPECT_EQ(lru->keys().size(), 4u);
    EXPECT_TRUE(lru->lookup(bytes_of(uint32_t{9})));
}

TEST(Pinning, PinAndUnpinNames) {
    TempRoot root;
    auto map = ebpf::create_shared_map(definition(MapType::array, 4, 4, 2, "a"), root.path);
    const std::string by_id = root.file("maps/" + std::to_string(ebpf::shared_map_id(*map)));
    EXPECT_EQ(ebpf::shared_map_path(*map), by_id);
    ebpf::pin_map(*map, root.file("named"));
    map->update(bytes_of(uint32_t{1}), bytes_of(uint32_t{42}));
    EXPECT_EQ(value_of<uint32_t>(*ebpf::open_pinned_map(root.file("named"))->lookup(bytes_of(uint32_t{1}))), 42u);
    auto listed = ebpf::list_pinned_maps(root.path);
    ASSERT_EQ(listed.size(), 1u);
    EXPECT_EQ(listed[0].paths, (std::vector<std::string>{by_id, root.file("named")}));
    EXPECT_TRUE(listed[0].creator_alive);
    ebpf::unpin(root.file("named"));
    EXPECT_FALSE(std::filesystem::exists(root.file("named")));
    // An in-process map has private memory: it cannot be pinned afterwards.
    auto private_map = ebpf::create_map(definition(MapType::array, 4, 4, 2, "p"));
    EXPECT_NE(error_of([&] { ebpf::pin_map(*private_map, root.file("p")); }).find("cannot be pinned (its memory is private)"),
              std::string::npos);
    // unpin refuses what is not a pinned map.
    write_bytes(root.file("notes"), {'h', 'i'});
    EXPECT_NE(error_of([&] { ebpf::unpin(root.file("notes")); }).find("truncated"), std::string::npos);
    // The id name goes with its creator.
    map.reset();
    EXPECT_FALSE(std::filesystem::exists(by_id));
}

// --- hostile files ----------------------------------------------------------------

TEST(Pinning, HostileAndTruncatedFilesGiveClearErrors) {
    using ebpf::runtime_detail::MapFileHeader;
    TempRoot root;
    const std::string good = root.file("good");
    // A long name, so that the type info has room for the lying JSON below.
    const std::string name = "good_map_with_a_name_long_enough_for_the_replacement_info";
    {
        auto map = ebpf::create_pinned_map(definition(MapType::hash, 4, 8, 8, name), good, root.path);
        map->update(bytes_of(uint32_t{1}), bytes_of(uint64_t{1}));
    }
    const std::vector<uint8_t> bytes = read_bytes(good);
    ASSERT_GT(bytes.size(), sizeof(MapFileHeader));
    int variant = 0;
    auto expect = [&](std::vector<uint8_t> file, const std::string& message) {
        const std::string path = root.file("bad-" + std::to_string(variant++));
        write_bytes(path, file);
        const std::string error = error_of([&] { ebpf::open_pinned_map(path); });
        EXPECT_NE(error.find(message), std::string::npos) << "variant " << variant - 1 << ": " << error;
        EXPECT_EQ(error.find(path), 0u) << error;  // names the file
        EXPECT_NE(error_of([&] { ebpf::inspect_pinned_map(path); }), "(no error)");
    };
    auto with = [&](size_t offset, const void* data, size_t size) {
        std::vector<uint8_t> file = bytes;
        std::memcpy(file.data() + offset, data, size);
        return file;
    };
    const uint32_t zero = 0, two = 2, ringbuf = 27, unknown = 9999, huge = 0xffffffffu;
    const uint64_t wrong_size = 12345;
    expect({}, "truncated");
    expect(std::vector<uint8_t>(bytes.begin(), bytes.begin() + 100), "truncated");
    expect(with(0, "NOTAMAP!", 8), "bad magic");
    expect(with(offsetof(MapFileHeader, version), &two, 4), "layout version 2");
    expect(with(offsetof(MapFileHeader, header_size), &two, 4), "header size");
    expect(with(offsetof(MapFileHeader, ready), &zero, 4), "not initialised");
    expect(with(offsetof(MapFileHeader, map_type), &ringbuf, 4), "'ringbuf' cannot be pinned");
    expect(with(offsetof(MapFileHeader, map_type), &unknown, 4), "is not a map type");
    expect(with(offsetof(MapFileHeader, key_size), &zero, 4), "key size 0 out of range");
    expect(with(offsetof(MapFileHeader, max_entries), &huge, 4), "max_entries");
    expect(with(offsetof(MapFileHeader, cpus), &two, 4), "CPU count 2 out of range");
    expect(with(offsetof(MapFileHeader, info_size), &huge, 4), "too large");
    expect(with(offsetof(MapFileHeader, file_size), &wrong_size, 8), "do not match the layout");
    expect(std::vector<uint8_t>(bytes.begin(), bytes.end() - 8), "truncated or extended");
    {
        auto file = bytes;
        file.push_back(0);
        expect(file, "truncated or extended");
    }
    expect(with(ebpf::runtime_detail::kMapFileHeaderBytes, "{{{{", 4), "type info is not JSON");
    // Valid JSON that lies about the value type's size.
    {
        const std::string info = R"({"name":"x","value_type":{"kind":"int","size":4}})";
        auto file = bytes;
        uint32_t size = static_cast<uint32_t>(info.size());
        // Same info size keeps the layout: pad with spaces inside the JSON.
        auto header = reinterpret_cast<const MapFileHeader*>(bytes.data());
        ASSERT_GE(header->info_size, size);
        std::string padded = info + std::string(header->info_size - size, ' ');
        std::memcpy(file.data() + ebpf::runtime_detail::kMapFileHeaderBytes, padded.data(), padded.size());
        expect(file, "value type is 4 bytes");
    }
    // Not regular files: a directory and a FIFO (opened without blocking).
    std::filesystem::create_directory(root.file("dir"));
    EXPECT_NE(error_of([&] { ebpf::open_pinned_map(root.file("dir")); }).find("Is a directory"), std::string::npos);
    ASSERT_EQ(mkfifo(root.file("fifo").c_str(), 0600), 0);
    EXPECT_NE(error_of([&] { ebpf::open_pinned_map(root.file("fifo")); }).find("not a regular file"), std::string::npos);
    EXPECT_NE(error_of([&] { ebpf::open_pinned_map(root.file("missing")); }).find("cannot open"), std::string::npos);
    // list skips every bad file and reports it; the good one is listed.
    std::vector<std::string> problems;
    auto maps = ebpf::list_pinned_maps(root.path, &problems);
    ASSERT_EQ(maps.size(), 1u);
    EXPECT_EQ(maps[0].definition.name, name);
    EXPECT_GE(problems.size(), static_cast<size_t>(variant));
}

TEST(Pinning, CorruptLinksNeverLeaveTheMapping) {
    using namespace ebpf::runtime_detail;
    TempRoot root;
    const std::string path = root.file("h");
    auto map = ebpf::create_pinned_map(definition(MapType::hash, 4, 8, 8, "h"), path, root.path);
    for (uint32_t k = 0; k < 4; ++k) map->update(bytes_of(k), bytes_of(uint64_t{k}));
    // Another writer of the file (or an attacker) scribbles over every link:
    // bucket heads and element links out of range or in a cycle, the free list too.
    int fd = open(path.c_str(), O_RDWR);
    struct stat st {};
    fstat(fd, &st);
    auto* base = static_cast<uint8_t*>(mmap(nullptr, st.st_size, PROT_READ | PROT_WRITE, MAP_SHARED, fd, 0));
    auto* header = reinterpret_cast<MapFileHeader*>(base);
    std::string why;
    auto layout = *compute_map_layout(MapType::hash, 4, 8, 8, 0, 1, header->info_size, why);
    auto* buckets = reinterpret_cast<Bucket*>(base + layout.data_offset);
    for (uint32_t b = 0; b < layout.bucket_count; ++b) buckets[b].head.store(b % 2 ? 0xffffffffu : 1);
    for (uint32_t e = 0; e < layout.element_count; ++e)
        reinterpret_cast<ElementHeader*>(base + layout.elements_offset + e * layout.element_size)->next.store(1);  // cycles
    header->free_head.store(0xfffffff0u);
    // Every operation ends, with an answer or an error, and nothing crashes.
    ebpf::CpuScope cpu;
    for (uint32_t k = 0; k < 16; ++k) {
        map->lookup_elem(bytes_of(k).data());
        map->lookup(bytes_of(k));
        uint64_t v = k;
        map->update_elem(bytes_of(k).data(), &v, ebpf::kUpdateAny);
        map->delete_elem(bytes_of(uint32_t{k + 100}).data());
    }
    EXPECT_LE(map->keys().size(), 8u);
    munmap(base, st.st_size);
    close(fd);
}

// --- a process dying with a lock, two processes at once ------------------------------------

TEST(Pinning, ALockHeldByADeadProcessIsTakenOver) {
    using namespace ebpf::runtime_detail;
    TempRoot root;
    const std::string path = root.file("h");
    auto map = ebpf::create_pinned_map(definition(MapType::hash, 4, 8, 8, "h"), path, root.path);
    map->update(bytes_of(uint32_t{1}), bytes_of(uint64_t{10}));
    pid_t child = fork();
    if (child == 0) {
        // Dies in the middle of a write: every stripe locked, every bucket mid-change.
        int fd = open(path.c_str(), O_RDWR);
        struct stat st {};
        fstat(fd, &st);
        auto* base = static_cast<uint8_t*>(mmap(nullptr, st.st_size, PROT_READ | PROT_WRITE, MAP_SHARED, fd, 0));
        auto* header = reinterpret_cast<MapFileHeader*>(base);
        std::string why;
        auto layout = *compute_map_layout(MapType::hash, 4, 8, 8, 0, 1, header->info_size, why);
        for (auto& lock : header->locks) lock.store(static_cast<uint32_t>(getpid()));
        auto* buckets = reinterpret_cast<Bucket*>(base + layout.data_offset);
        for (uint32_t b = 0; b < layout.bucket_count; ++b) buckets[b].seq.fetch_add(1);
        _exit(0);
    }
    int status = 0;
    waitpid(child, &status, 0);
    // Writers take the locks over and repair; lock-free lookups then succeed.
    map->update(bytes_of(uint32_t{2}), bytes_of(uint64_t{20}));
    EXPECT_EQ(value_of<uint64_t>(*map->lookup(bytes_of(uint32_t{1}))), 10u);
    ebpf::CpuScope cpu;
    auto* value = static_cast<uint64_t*>(map->lookup_elem(bytes_of(uint32_t{2}).data()));
    ASSERT_NE(value, nullptr);
    EXPECT_EQ(*value, 20u);
}

TEST(Pinning, ALockKeptByALiveProcessGivesEbusyNotAHang) {
    using namespace ebpf::runtime_detail;
    TempRoot root;
    const std::string path = root.file("h");
    auto map = ebpf::create_pinned_map(definition(MapType::hash, 4, 8, 8, "h"), path, root.path);
    map->update(bytes_of(uint32_t{1}), bytes_of(uint64_t{10}));
    int fd = open(path.c_str(), O_RDWR);
    struct stat st {};
    fstat(fd, &st);
    auto* base = static_cast<uint8_t*>(mmap(nullptr, st.st_size, PROT_READ | PROT_WRITE, MAP_SHARED, fd, 0));
    auto* header = reinterpret_cast<MapFileHeader*>(base);
    for (auto& lock : header->locks) lock.store(1);  // init: alive, and never lets go
    const auto started = std::chrono::steady_clock::now();
    EXPECT_NE(error_of([&] { map->update(bytes_of(uint32_t{2}), bytes_of(uint64_t{20})); }).find("EBUSY"), std::string::npos);
    EXPECT_LT(std::chrono::steady_clock::now() - started, std::chrono::seconds(5));
    {
        ebpf::CpuScope cpu;  // lookups from programs do not need the lock
        EXPECT_NE(map->lookup_elem(bytes_of(uint32_t{1}).data()), nullptr);
    }
    for (auto& lock : header->locks) lock.store(0);
    map->update(bytes_of(uint32_t{2}), bytes_of(uint64_t{20}));
    munmap(base, st.st_size);
    close(fd);
}

TEST(Pinning, TwoProcessesUpdateOneMapConcurrently) {
    TempRoot root;
    constexpr uint32_t kKeys = 96, kCapacity = 64, kRounds = 20000;
    auto hash = ebpf::create_pinned_map(definition(MapType::hash, 4, 8, kCapacity, "stress"), root.file("stress"), root.path);
    auto counter = ebpf::create_pinned_map(definition(MapType::array, 4, 8, 1, "counter"), root.file("counter"), root.path);
    auto pattern = [](uint32_t key) { return uint64_t{key} * 0x0101010101010101ull; };
    // Each process: updates, deletes, host lookups (every value must belong
    // to its key), program-side lookups, and atomic increments of one counter.
    auto work = [&](uint32_t seed) -> int {
        auto h = ebpf::open_pinned_map(root.file("stress"));
        auto c = ebpf::open_pinned_map(root.file("counter"));
        int bad = 0;
        for (uint32_t i = 0; i < kRounds; ++i) {
            uint32_t key = (i * 7 + seed) % kKeys;
            uint64_t value = pattern(key);
            ebpf::CpuScope cpu;
            h->update_elem(&key, &value, ebpf::kUpdateAny);
            if (i % 3 == 0) {
                uint32_t victim = (key + 5) % kKeys;
                h->delete_elem(&victim);
            }
            auto seen = h->lookup(bytes_of(key));
            if (seen && value_of<uint64_t>(*seen) != value) ++bad;
            h->lookup_elem(&key);
            uint32_t zero = 0;
            __atomic_fetch_add(static_cast<uint64_t*>(c->lookup_elem(&zero)), 1, __ATOMIC_RELAXED);
        }
        return bad;
    };
    pid_t child = fork();
    if (child == 0) _exit(work(1) == 0 ? 0 : 1);
    int bad = work(2);
    int status = 0;
    waitpid(child, &status, 0);
    EXPECT_TRUE(WIFEXITED(status) && WEXITSTATUS(status) == 0) << "the child saw values of other keys";
    EXPECT_EQ(bad, 0);
    EXPECT_EQ(value_of<uint64_t>(*counter->lookup(bytes_of(uint32_t{0}))), 2ull * kRounds);
    auto keys = hash->keys();
    EXPECT_LE(keys.size(), kCapacity);
    for (const auto& key : keys) EXPECT_EQ(value_of<uint64_t>(*hash->lookup(key)), pattern(value_of<uint32_t>(key)));
    // Nothing leaked: after deleting every key the map takes kCapacity new ones.
    for (const auto& key : keys) hash->remove(key);
    for (uint32_t k = 0; k < kCapacity; ++k) hash->update(bytes_of(k + 1000), bytes_of(uint64_t{k}));
}

// --- LIBBPF_PIN_BY_NAME ---------------------------------------------------------------

TEST(Pinning, PinByNameCreatesThenReuses) {
    TempRoot root;
    ebpf::LoadOptions options;
    options.pin_root = root.path;
    auto first = ebpf::load_object(runtime_test::program_path("pinned_maps"), options);
    EXPECT_EQ(ebpf::shared_map_path(first->map("flows")), root.file("maps/" + std::to_string(ebpf::shared_map_id(first->map("flows")))));
    EXPECT_TRUE(std::filesystem::exists(root.file("flows")));
    EXPECT_TRUE(std::filesystem::exists(root.file("totals")));
    EXPECT_EQ(ebpf::shared_map_path(first->map("config")), "");  // not pinned, not shared
    EXPECT_EQ(runtime_test::run_with_key(first->program("pin_count"), 4), 1);
    auto second = ebpf::load_object(runtime_test::program_path("pinned_maps"), options);
    EXPECT_EQ(ebpf::shared_map_id(second->map("flows")), ebpf::shared_map_id(first->map("flows")));
    EXPECT_EQ(runtime_test::run_with_key(second->program("pin_count"), 4), 2);
    EXPECT_EQ(runtime_test::run_with_key(first->program("pin_count"), 4), 3);
    // The map's BTF types travel with it.
    auto opened = ebpf::open_pinned_map(root.file("flows"));
    ASSERT_TRUE(opened->definition().value_type);
    EXPECT_EQ(opened->definition().value_type->type_name, "struct flow");
    ASSERT_EQ(opened->definition().value_type->members.size(), 2u);
    EXPECT_EQ(opened->definition().value_type->members[1].name, "bytes");
}

TEST(Pinning, IncompatiblePinnedMapsAreRefused) {
    TempRoot root;
    ebpf::LoadOptions options;
    options.pin_root = root.path;
    auto first = ebpf::load_object(runtime_test::program_path("pinned_maps"), options);
    const ebpf::Object pristine = ebpf::open_object(runtime_test::program_path("pinned_maps"));
    auto refused = [&](const std::function<void(ebpf::MapDefinition&)>& change, const std::string& message) {
        ebpf::Object object = pristine;
        change(object.maps[*object.find_map("flows")]);
        const std::string error = error_of([&] { ebpf::load_object(object, options); });
        EXPECT_NE(error.find(message), std::string::npos) << error;
    };
    refused([](auto& m) { m.max_entries = 32; }, "map 'flows': pinned map " + root.file("flows") +
                                                     " is incompatible: max_entries 32 here, 64 pinned");
    refused([](auto& m) { m.type = MapType::lru_hash; }, "incompatible: type lru_hash here, hash pinned");
    refused([](auto& m) { m.value_size = 8; }, "incompatible: value size 8 here, 16 pinned");
    refused([](auto& m) { m.map_flags = ebpf::kMapFlagRdonlyProg; }, "incompatible: map_flags");
    // A type that cannot live in shared memory is refused by name.
    ebpf::Object object = pristine;
    auto& config = object.maps[*object.find_map("config")];
    config.pinning = ebpf::kPinByName;
    config.type = MapType::queue;
    config.key_size = 0;
    EXPECT_NE(error_of([&] { ebpf::load_object(object, options); }).find("LIBBPF_PIN_BY_NAME: map type 'queue' cannot be pinned"),
              std::string::npos);
    // A file in the way that is not a map.
    TempRoot other;
    write_bytes(other.file("flows"), std::vector<uint8_t>(40, 0));
    options.pin_root = other.path;
    EXPECT_NE(error_of([&] { ebpf::load_object(runtime_test::program_path("pinned_maps"), options); })
                  .find("map 'flows': cannot reuse the pinned map: " + other.file("flows") + ": truncated"),
              std::string::npos);
}

// --- a running host and `ebpf map` / `ebpf prog` ----------------------------------------

class PinnedHost : public ::testing::TestWithParam<const char*> {};

TEST_P(PinnedHost, CliAndHostSeeEachOthersUpdates) {
    EBPF_SKIP_UNLESS_STARTABLE(EBPF_TOOL_PATH);
    const std::string mode = GetParam();
    TempRoot root;
    const std::string object =
        mode == "native" ? native_module(root.path) : runtime_test::program_path("pinned_maps");
    auto host = std::make_unique<Host>(root.path, object, mode);
    ASSERT_TRUE(host->ready());
    EXPECT_EQ(host->ask("run 7"), "1");

    // The host's update, seen by `ebpf map dump`, formatted with BTF.
    auto flows = tool_json(root.path, {"map", "dump", "name", "flows"});
    EXPECT_EQ(flows["name"], "flows");
    EXPECT_EQ(flows["type"], "hash");
    const auto* seven = entry_with_key(flows, "07000000");
    ASSERT_NE(seven, nullptr) << flows;
    EXPECT_EQ((*seven)["value"], "01000000000000000000000000000000");
    // Native modules do not record BTF types: their maps are shown in hex only.
    const bool typed = mode != "native";
    if (typed) {
        EXPECT_EQ((*seven)["formatted"]["key"], 7);
        EXPECT_EQ((*seven)["formatted"]["value"], (nlohmann::json{{"packets", 1}, {"bytes", 0}}));
    } else {
        EXPECT_FALSE(seven->contains("formatted"));
    }

    // `ebpf map update` of a map the host shares (not pinned by name), seen by its program.
    auto update = ebpf_tool(root.path, {"map", "update", "name", "config", "key", "0", "0", "0", "0", "value", "100", "0", "0",
                                        "0", "0", "0", "0", "0"});
    ASSERT_EQ(update.exit_code, 0) << update.err;
    EXPECT_EQ(host->ask("run 7"), "2");
    auto looked = tool_json(root.path, {"map", "lookup", "name", "flows", "key", "0x07", "0", "0", "0"});
    EXPECT_EQ(looked["value"], "02000000000000006400000000000000");
    if (typed) {
        EXPECT_EQ(looked["formatted"]["value"], (nlohmann::json{{"packets", 2}, {"bytes", 100}}));
    }
    // A new key from the CLI (hex form), counted on by the program.
    update = ebpf_tool(root.path, {"map", "update", "name", "flows", "key", "hex", "09000000", "value", "hex",
                                   "0500000000000000", "0000000000000000", "noexist"});
    ASSERT_EQ(update.exit_code, 0) << update.err;
    EXPECT_EQ(host->ask("run 9"), "6");
    EXPECT_EQ(host->ask("get flows 09000000"), "06000000000000006400000000000000");
    // Per-CPU values, split per CPU in the dump: the program's runs add up.
    auto totals = tool_json(root.path, {"map", "dump", "name", "totals"});
    ASSERT_EQ(totals["entries"].size(), 1u) << totals;
    uint64_t runs = 0;
    for (const auto& cpu : totals["entries"][0]["values"]) runs += u64_from_hex(cpu["value"].get<std::string>(), 0);
    EXPECT_EQ(runs, 3u);
    EXPECT_EQ(totals["entries"][0]["values"].size(), ebpf::possible_cpus());
    // Delete from the CLI: the program starts the flow again.
    ASSERT_EQ(ebpf_tool(root.path, {"map", "delete", "name", "flows", "key", "9", "0", "0", "0"}).exit_code, 0);
    EXPECT_EQ(host->ask("run 9"), "1");
    auto missing = ebpf_tool(root.path, {"map", "lookup", "name", "flows", "key", "1", "0", "0", "0"});
    EXPECT_EQ(missing.exit_code, 1);
    EXPECT_NE(missing.err.find("no such key (ENOENT)"), std::string::npos) << missing.err;

    // The host's program, with run statistics.
    auto programs = tool_json(root.path, {"prog", "list"});
    ASSERT_EQ(programs.size(), 1u) << programs;
    EXPECT_EQ(programs[0]["name"], "pin_count");
    EXPECT_EQ(programs[0]["mode"], mode);
    EXPECT_EQ(programs[0]["type"], "hook");
    EXPECT_EQ(programs[0]["run_cnt"], 4);
    EXPECT_GT(programs[0]["run_time_ns"].get<uint64_t>(), 0u);
    EXPECT_EQ(programs[0]["tag"].get<std::string>().size(), 16u);
    EXPECT_EQ(programs[0]["map_ids"].size(), 4u);
    auto shown = tool_json(root.path, {"prog", "show", "id", std::to_string(programs[0]["id"].get<uint32_t>())});
    EXPECT_EQ(shown["name"], "pin_count");
    auto text = ebpf_tool(root.path, {"prog", "show", "id", std::to_string(programs[0]["id"].get<uint32_t>())});
    EXPECT_NE(text.out.find("run_cnt 4"), std::string::npos) << text.out;

    auto maps = tool_json(root.path, {"map", "list"});
    std::set<std::string> names;
    for (const auto& m : maps) names.insert(m["name"]);
    EXPECT_EQ(names, (std::set<std::string>{"flows", "totals", "config", "hits"}));

    // The host exits: its program record and unpinned maps go; pins stay.
    host->quit();
    EXPECT_EQ(tool_json(root.path, {"prog", "list"}).size(), 0u);
    names.clear();
    for (const auto& m : tool_json(root.path, {"map", "list"})) names.insert(m["name"]);
    EXPECT_EQ(names, (std::set<std::string>{"flows", "totals"}));

    // A second host process reuses the pinned maps (LIBBPF_PIN_BY_NAME).
    host = std::make_unique<Host>(root.path, object, mode);
    ASSERT_TRUE(host->ready());
    EXPECT_EQ(host->ask("run 7"), "3");
}

TEST(Pinning, RecordsOfAKilledHostAreDroppedAsStale) {
    EBPF_SKIP_UNLESS_STARTABLE(EBPF_TOOL_PATH);
    TempRoot root;
    Host host(root.path, runtime_test::program_path("pinned_maps"), "jit");
    ASSERT_TRUE(host.ready());
    EXPECT_EQ(host.ask("run 1"), "1");
    EXPECT_EQ(tool_json(root.path, {"prog", "list"}).size(), 1u);
    host.kill_now();
    EXPECT_FALSE(std::filesystem::is_empty(root.file("progs")));
    // The record is still there, its host is gone: listing drops it, and the
    // maps/<id> names of the dead host; pinned maps stay.
    EXPECT_EQ(tool_json(root.path, {"prog", "list"}).size(), 0u);
    EXPECT_TRUE(std::filesystem::is_empty(root.file("progs")));
    std::set<std::string> names;
    for (const auto& m : tool_json(root.path, {"map", "list"})) names.insert(m["name"]);
    EXPECT_EQ(names, (std::set<std::string>{"flows", "totals"}));
    auto flows = tool_json(root.path, {"map", "dump", "name", "flows"});
    EXPECT_EQ(flows["entries"].size(), 1u);
}

INSTANTIATE_TEST_SUITE_P(Modes, PinnedHost, ::testing::Values("interpret", "jit", "native"));

TEST(Pinning, CliErrorsAreClear) {
    EBPF_SKIP_UNLESS_STARTABLE(EBPF_TOOL_PATH);
    TempRoot root;
    auto map = ebpf::create_pinned_map(definition(MapType::array, 4, 8, 4, "arr"), root.file("arr"), root.path);
    auto expect_error = [&](const std::vector<std::string>& args, const std::string& message) {
        auto result = ebpf_tool(root.path, args);
        EXPECT_EQ(result.exit_code, 1) << result.out;
        EXPECT_NE(result.err.find(message), std::string::npos) << result.err;
    };
    expect_error({"map", "dump", "id", "999"}, "no shared map with id 999");
    expect_error({"map", "lookup", "name", "arr", "key", "1", "0", "0"}, "key size is 4 bytes, got 3");
    expect_error({"map", "lookup", "name", "arr", "key", "256", "0", "0", "0"}, "'256' is not a byte");
    expect_error({"map", "update", "name", "arr", "key", "hex", "0", "value", "1"}, "odd number of hex digits");
    expect_error({"map", "update", "name", "arr", "key", "0", "0", "0", "0"}, "expected `value BYTES`");
    expect_error({"map", "dump", "pinned", root.file("nothing")}, "cannot open");
    expect_error({"map", "show", "color", "red"}, "expected a map");
    expect_error({"prog", "show", "id", "5"}, "no published program with id 5");
    // The text shape: one line per entry, formatted; zero slots counted.
    map->update(bytes_of(uint32_t{2}), bytes_of(uint64_t{77}));
    auto dump = ebpf_tool(root.path, {"map", "dump", "pinned", root.file("arr")});
    EXPECT_NE(dump.out.find("map arr (array): 1 entry, 3 zero entries not shown\n  key 02000000: value 4d00000000000000\n"),
              std::string::npos)
        << dump.out;
    auto all = tool_json(root.path, {"map", "dump", "pinned", root.file("arr"), "--all"});
    EXPECT_EQ(all["entries"].size(), 4u);
    // `map pin` gives it another name; `map show` lists both.
    ASSERT_EQ(ebpf_tool(root.path, {"map", "pin", "name", "arr", root.file("arr2")}).exit_code, 0);
    auto shown = tool_json(root.path, {"map", "show", "pinned", root.file("arr2")});
    EXPECT_EQ(shown["pinned"].size(), 3u) << shown;  // maps/<id>, arr, arr2
    EXPECT_EQ(tool_json(root.path, {"map", "lookup", "pinned", root.file("arr2"), "key", "2", "0", "0", "0"})["value"],
              "4d00000000000000");
    ASSERT_EQ(ebpf_tool(root.path, {"map", "unpin", root.file("arr2")}).exit_code, 0);
    EXPECT_FALSE(std::filesystem::exists(root.file("arr2")));
}

TEST(Pinning, RunStatisticsOnlyWhenEnabled) {
    auto object = runtime_test::load("hook_buffer");
    const auto& program = object->program("checksum");
    ebpf::set_program_stats(false);
    runtime_test::run_with_key(program, 1);
    EXPECT_EQ(ebpf::program_stats(program).run_count, 0u);
    ebpf::set_program_stats(true);
    for (int i = 0; i < 3; ++i) runtime_test::run_with_key(program, 1);
    ebpf::set_program_stats(false);
    EXPECT_EQ(ebpf::program_stats(program).run_count, 3u);
    EXPECT_GT(ebpf::program_stats(program).run_time_ns, 0u);
}

}  // namespace
