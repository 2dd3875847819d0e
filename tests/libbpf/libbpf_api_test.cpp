// The libbpf-compatible API's error conventions (negative errno and errno;
// NULL and errno) and hostile input: bad and closed fds, wrong sizes, NULL
// pointers, option structs from newer or garbled callers, test-run outputs
// that do not fit, ring-buffer callbacks that fail.
#include <gtest/gtest.h>
#include <elf.h>
#include <fcntl.h>
#include <unistd.h>

#include <bpf/bpf.h>
#include <bpf/libbpf.h>

#include <cerrno>
#include <cstdarg>
#include <cstdlib>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <string>
#include <vector>

namespace {

const std::string kXdpCounter = std::string(LIBBPF_TEST_DIR) + "/xdp_counter.o";
std::string test_program(const std::string& name) { return std::string(EBPF_TEST_PROGRAMS_DIR) + "/" + name + ".o"; }

struct Object {
    bpf_object* obj = nullptr;
    explicit Object(const std::string& path, const bpf_object_open_opts* opts = nullptr, bool load = true) {
        obj = bpf_object__open_file(path.c_str(), opts);
        EXPECT_NE(obj, nullptr) << std::strerror(errno);
        if (obj && load) {
            EXPECT_EQ(bpf_object__load(obj), 0);
        }
    }
    ~Object() { bpf_object__close(obj); }
    int map_fd(const char* name) const { return bpf_map__fd(bpf_object__find_map_by_name(obj, name)); }
    int prog_fd(const char* name) const { return bpf_program__fd(bpf_object__find_program_by_name(obj, name)); }
};

std::vector<std::string> messages;
int collect(enum libbpf_print_level, const char* format, va_list args) {
    char line[1024];
    int n = std::vsnprintf(line, sizeof line, format, args);
    messages.emplace_back(line);
    return n;
}

int run_packet(int prog_fd, size_t length) {
    std::vector<uint8_t> packet(length, 0xab);
    LIBBPF_OPTS(bpf_test_run_opts, opts, .data_in = packet.data(), .data_size_in = static_cast<__u32>(length));
    return bpf_prog_test_run_opts(prog_fd, &opts);
}

TEST(LibbpfErrors, PointerResultsAreNullWithErrno) {
    errno = 0;
    EXPECT_EQ(bpf_object__open_file(nullptr, nullptr), nullptr);
    EXPECT_EQ(errno, EINVAL);
    EXPECT_EQ(libbpf_get_error(nullptr), -EINVAL);
    EXPECT_EQ(bpf_object__open_file("/nonexistent/prog.o", nullptr), nullptr);
    EXPECT_EQ(errno, ENOENT);
    EXPECT_EQ(bpf_object__open_mem(nullptr, 10, nullptr), nullptr);
    EXPECT_EQ(errno, EINVAL);
    const char garbage[] = "not an ELF object at all";
    EXPECT_EQ(bpf_object__open_mem(garbage, sizeof garbage, nullptr), nullptr);
    EXPECT_EQ(errno, EINVAL);

    Object object(kXdpCounter);
    EXPECT_EQ(libbpf_get_error(object.obj), 0);
    EXPECT_EQ(bpf_object__find_program_by_name(object.obj, "nope"), nullptr);
    EXPECT_EQ(errno, ENOENT);
    EXPECT_EQ(bpf_object__find_map_by_name(object.obj, "nope"), nullptr);
    EXPECT_EQ(errno, ENOENT);
    EXPECT_EQ(bpf_object__find_map_fd_by_name(object.obj, "nope"), -ENOENT);
    EXPECT_EQ(bpf_object__find_program_by_name(nullptr, "count_packets"), nullptr);
    EXPECT_EQ(errno, EINVAL);
    EXPECT_EQ(bpf_object__next_map(nullptr, nullptr), nullptr);
}

TEST(LibbpfErrors, BeforeAndAfterLoad) {
    Object object(kXdpCounter, nullptr, false);
    bpf_program* prog = bpf_object__find_program_by_name(object.obj, "count_packets");
    ASSERT_NE(prog, nullptr);
    errno = 0;
    EXPECT_EQ(bpf_program__fd(prog), -EINVAL);
    EXPECT_EQ(errno, EINVAL);
    EXPECT_EQ(bpf_map__fd(bpf_object__find_map_by_name(object.obj, "counts")), -EINVAL);
    EXPECT_EQ(bpf_map__key_size(bpf_object__find_map_by_name(object.obj, "counts")), 4u);  // known before load
    EXPECT_EQ(bpf_program__set_type(prog, static_cast<bpf_prog_type>(999)), -EOPNOTSUPP);  // no such type
    EXPECT_EQ(bpf_program__type(prog), BPF_PROG_TYPE_XDP);
    bpf_map* counts = bpf_object__find_map_by_name(object.obj, "counts");
    EXPECT_EQ(bpf_map__set_max_entries(counts, 2), 0);
    EXPECT_EQ(bpf_map__max_entries(counts), 2u);
    ASSERT_EQ(bpf_object__load(object.obj), 0);
    EXPECT_GE(bpf_program__fd(prog), 0);
    EXPECT_EQ(bpf_program__set_type(prog, BPF_PROG_TYPE_XDP), -EBUSY);
    EXPECT_EQ(bpf_map__set_max_entries(counts, 8), -EBUSY);
    // The map was created with 2 entries: a third key does not fit.
    const int counts_fd = bpf_map__fd(counts);
    __u64 value = 1;
    for (__u32 key = 0; key < 2; ++key) EXPECT_EQ(bpf_map_update_elem(counts_fd, &key, &value, BPF_ANY), 0);
    __u32 third = 2;
    EXPECT_EQ(bpf_map_update_elem(counts_fd, &third, &value, BPF_ANY), -E2BIG);
    EXPECT_EQ(bpf_object__load(object.obj), -EINVAL);  // once
}

TEST(LibbpfErrors, RetypedProgramFailsVerificationIntoTheLogBuffer) {
    char log[512] = "untouched";
    LIBBPF_OPTS(bpf_object_open_opts, opts, .kernel_log_buf = log, .kernel_log_size = sizeof log);
    bpf_object* obj = bpf_object__open_file(kXdpCounter.c_str(), &opts);
    ASSERT_NE(obj, nullptr);
    // As a socket filter the xdp_md accesses are wrong for the context.
    ASSERT_EQ(bpf_program__set_type(bpf_object__find_program_by_name(obj, "count_packets"), BPF_PROG_TYPE_CGROUP_SOCK_ADDR), 0);
    EXPECT_LT(bpf_object__load(obj), 0);
    EXPECT_STRNE(log, "untouched");
    EXPECT_NE(std::string(log).find("count_packets"), std::string::npos) << log;
    bpf_object__close(obj);
}

TEST(LibbpfErrors, OpenOptionsAreChecked) {
    struct {
        bpf_object_open_opts known;
        uint64_t future;
    } bigger{};
    bigger.known.sz = sizeof bigger;
    bpf_object* obj = bpf_object__open_file(kXdpCounter.c_str(), &bigger.known);
    EXPECT_NE(obj, nullptr);  // zeros past our fields: fine
    bpf_object__close(obj);
    bigger.future = 1;
    EXPECT_EQ(bpf_object__open_file(kXdpCounter.c_str(), &bigger.known), nullptr);
    EXPECT_EQ(errno, EINVAL);

    LIBBPF_OPTS(bpf_object_open_opts, kconfig, .kconfig = "CONFIG_X=y");
    EXPECT_EQ(bpf_object__open_file(kXdpCounter.c_str(), &kconfig), nullptr);
    EXPECT_EQ(errno, EOPNOTSUPP);
    LIBBPF_OPTS(bpf_object_open_opts, warp, .ebpf_mode = "warp");
    EXPECT_EQ(bpf_object__open_file(kXdpCounter.c_str(), &warp), nullptr);
    EXPECT_EQ(errno, EINVAL);
    // A native module runs only in native mode.
    LIBBPF_OPTS(bpf_object_open_opts, jit, .ebpf_mode = "jit");
    EXPECT_EQ(bpf_object__open_file((std::string(LIBBPF_TEST_DIR) + "/xdp_counter.so").c_str(), &jit), nullptr);
    EXPECT_EQ(errno, EINVAL);
    // A native module's maps are what it was built with.
    bpf_object* module = bpf_object__open_file((std::string(LIBBPF_TEST_DIR) + "/xdp_counter.so").c_str(), nullptr);
    ASSERT_NE(module, nullptr);
    EXPECT_EQ(bpf_map__set_max_entries(bpf_object__find_map_by_name(module, "counts"), 2), -EOPNOTSUPP);
    bpf_object__close(module);
    // Native mode without its module.
    LIBBPF_OPTS(bpf_object_open_opts, native, .ebpf_mode = "native", .ebpf_native_module = "/nonexistent.so");
    bpf_object* missing = bpf_object__open_file(kXdpCounter.c_str(), &native);
    ASSERT_NE(missing, nullptr);
    EXPECT_LT(bpf_object__load(missing), 0);
    bpf_object__close(missing);
}

TEST(LibbpfErrors, EnvironmentChoosesTheMode) {
    setenv("EBPF_MODE", "warp", 1);
    EXPECT_EQ(bpf_object__open_file(kXdpCounter.c_str(), nullptr), nullptr);
    EXPECT_EQ(errno, EINVAL);
    setenv("EBPF_MODE", "native", 1);
    {
        Object object(kXdpCounter);  // loads the sibling xdp_counter.so, bytecode hashes compared
        EXPECT_EQ(run_packet(object.prog_fd("count_packets"), 20), 0);
    }
    unsetenv("EBPF_MODE");
}

TEST(LibbpfErrors, MapCallsOnBadFdsSizesAndPointers) {
    Object object(kXdpCounter);
    const int counts = object.map_fd("counts");
    __u32 key = 2;
    __u64 value = 0;
    errno = 0;
    EXPECT_EQ(bpf_map_lookup_elem(-1, &key, &value), -EBADF);
    EXPECT_EQ(errno, EBADF);
    EXPECT_EQ(bpf_map_lookup_elem(STDIN_FILENO, &key, &value), -EBADF);  // a real fd, not ours
    EXPECT_EQ(bpf_map_lookup_elem(object.prog_fd("count_packets"), &key, &value), -EBADF);  // not a map
    EXPECT_EQ(bpf_map_lookup_elem(counts, &key, &value), -ENOENT);
    EXPECT_EQ(errno, ENOENT);
    EXPECT_EQ(bpf_map_lookup_elem(counts, nullptr, &value), -EFAULT);
    EXPECT_EQ(bpf_map_lookup_elem(counts, &key, nullptr), -EFAULT);
    EXPECT_EQ(bpf_map_update_elem(counts, &key, &value, 99), -EINVAL);
    EXPECT_EQ(bpf_map_update_elem(counts, &key, &value, BPF_EXIST), -ENOENT);
    EXPECT_EQ(bpf_map_update_elem(counts, &key, &value, BPF_NOEXIST), 0);
    EXPECT_EQ(bpf_map_update_elem(counts, &key, &value, BPF_NOEXIST), -EEXIST);
    EXPECT_EQ(bpf_map_get_next_key(counts, nullptr, &key), 0);
    EXPECT_EQ(bpf_map_get_next_key(counts, &key, &key), -ENOENT);
    EXPECT_EQ(bpf_map_delete_elem(counts, &key), 0);
    EXPECT_EQ(bpf_map_delete_elem(counts, &key), -ENOENT);

    bpf_map* map = bpf_object__find_map_by_name(object.obj, "counts");
    EXPECT_EQ(bpf_map__update_elem(map, &key, 8, &value, sizeof value, BPF_ANY), -EINVAL);  // key size
    EXPECT_EQ(bpf_map__update_elem(map, &key, sizeof key, &value, 4, BPF_ANY), -EINVAL);    // value size
    EXPECT_EQ(bpf_map__lookup_elem(map, &key, sizeof key, &value, sizeof value, 1), -EINVAL);
    EXPECT_EQ(bpf_map__update_elem(map, &key, sizeof key, &value, sizeof value, BPF_ANY), 0);
    EXPECT_EQ(bpf_map__lookup_elem(map, &key, sizeof key, &value, sizeof value, 0), 0);
    EXPECT_EQ(bpf_map__get_next_key(map, nullptr, &key, sizeof key), 0);
    EXPECT_EQ(bpf_map__delete_elem(map, &key, sizeof key, 0), 0);
    EXPECT_EQ(bpf_map__lookup_elem(nullptr, &key, sizeof key, &value, sizeof value, 0), -EINVAL);

    // The ring buffer has no elements; the array a fixed key range.
    const int events = object.map_fd("events");
    EXPECT_EQ(bpf_map_lookup_elem(events, &key, &value), -EINVAL);
    __u32 index = 5, limit = 0;
    EXPECT_EQ(bpf_map_update_elem(object.map_fd("config"), &index, &limit, BPF_ANY), -E2BIG);
}

// pin_root_path, bpf_obj_get and bpf_obj_pin over the shared-memory pin root:
// the program's update is seen through a second fd, a second name outlives
// the object, and what cannot be shared is refused with libbpf's errnos.
TEST(LibbpfPinning, PinRootPathObjGetAndObjPin) {
    char dir[] = "/tmp/libbpf-pin-XXXXXX";
    ASSERT_NE(mkdtemp(dir), nullptr);
    const std::string root = dir;
    LIBBPF_OPTS(bpf_object_open_opts, opts, .pin_root_path = root.c_str());
    {
        Object object(test_program("pinned_maps"), &opts);
        const int flows = object.map_fd("flows");
        ASSERT_GE(flows, 0);
        ASSERT_TRUE(std::filesystem::exists(root + "/flows"));
        const int again = bpf_obj_get((root + "/flows").c_str());
        ASSERT_GE(again, 0) << std::strerror(errno);
        EXPECT_NE(again, flows);

        __u32 id = 7;
        LIBBPF_OPTS(bpf_test_run_opts, run, .data_in = &id, .data_size_in = sizeof id);
        ASSERT_EQ(bpf_prog_test_run_opts(object.prog_fd("pin_count"), &run), 0);
        EXPECT_EQ(run.retval, 1u);
        __u64 flow[2] = {};
        ASSERT_EQ(bpf_map_lookup_elem(again, &id, flow), 0);  // the program's element, through the pin
        EXPECT_EQ(flow[0], 1u);
        flow[0] = 41;
        ASSERT_EQ(bpf_map_update_elem(again, &id, flow, BPF_EXIST), 0);
        ASSERT_EQ(bpf_prog_test_run_opts(object.prog_fd("pin_count"), &run), 0);
        EXPECT_EQ(run.retval, 42u);  // and the host's update, seen by the program

        EXPECT_EQ(bpf_obj_pin(again, (root + "/flows2").c_str()), 0);
        EXPECT_EQ(bpf_obj_pin(again, (root + "/flows2").c_str()), -EEXIST);
        EXPECT_EQ(bpf_obj_pin(object.map_fd("config"), (root + "/config").c_str()), -EOPNOTSUPP);  // process memory
        EXPECT_EQ(errno, EOPNOTSUPP);
        EXPECT_EQ(bpf_obj_pin(object.prog_fd("pin_count"), (root + "/prog").c_str()), -EOPNOTSUPP);
        EXPECT_EQ(bpf_obj_pin(-1, (root + "/x").c_str()), -EBADF);
        EXPECT_EQ(bpf_obj_pin(again, nullptr), -EINVAL);
        EXPECT_FALSE(std::filesystem::exists(root + "/config"));
        close(again);
    }
    // The second name outlives the object and every fd.
    const int later = bpf_obj_get((root + "/flows2").c_str());
    ASSERT_GE(later, 0);
    __u32 id = 7;
    __u64 flow[2] = {};
    EXPECT_EQ(bpf_map_lookup_elem(later, &id, flow), 0);
    EXPECT_EQ(flow[0], 42u);
    close(later);

    EXPECT_EQ(bpf_obj_get((root + "/missing").c_str()), -ENOENT);
    EXPECT_EQ(errno, ENOENT);
    std::ofstream(root + "/garbage") << "not a pinned map, just text of some length to look at";
    EXPECT_EQ(bpf_obj_get((root + "/garbage").c_str()), -EINVAL);
    EXPECT_EQ(bpf_obj_get(root.c_str()), -EINVAL);  // a directory
    EXPECT_EQ(bpf_obj_get(nullptr), -EINVAL);
    std::filesystem::remove_all(root);
}

TEST(LibbpfErrors, ClosedAndReusedFdsAreGone) {
    auto* object = new Object(kXdpCounter);
    const int counts = object->map_fd("counts");
    __u32 key = 2;
    __u64 value = 1;
    ASSERT_EQ(bpf_map_update_elem(counts, &key, &value, BPF_ANY), 0);
    ASSERT_EQ(close(counts), 0);  // the host closes the map's fd: the handle is gone
    EXPECT_EQ(bpf_map_lookup_elem(counts, &key, &value), -EBADF);
    bpf_map* map = bpf_object__find_map_by_name(object->obj, "counts");
    EXPECT_EQ(bpf_map__lookup_elem(map, &key, sizeof key, &value, sizeof value, 0), -EBADF);
    // The number is reused by a file of the host's: still not a map, and
    // closing the object must not close the host's file.
    int host_file = open("/dev/null", O_RDONLY | O_CLOEXEC);
    ASSERT_EQ(host_file, counts);
    EXPECT_EQ(bpf_map_lookup_elem(host_file, &key, &value), -EBADF);
    const int prog = object->prog_fd("count_packets");
    delete object;
    EXPECT_NE(fcntl(host_file, F_GETFD), -1) << "bpf_object__close closed the host's file";
    EXPECT_EQ(fcntl(prog, F_GETFD), -1) << "bpf_object__close left the program's fd open";
    EXPECT_EQ(run_packet(prog, 20), -EBADF);
    close(host_file);
}

TEST(LibbpfErrors, TestRunOptionsAndOutputSizes) {
    Object object(kXdpCounter);
    const int prog = object.prog_fd("count_packets");
    std::vector<uint8_t> packet(64, 0xab), out(64, 0);
    EXPECT_EQ(run_packet(-1, 20), -EBADF);
    EXPECT_EQ(run_packet(object.map_fd("counts"), 20), -EBADF);
    EXPECT_EQ(bpf_prog_test_run_opts(prog, nullptr), -EINVAL);

    LIBBPF_OPTS(bpf_test_run_opts, small, .data_in = packet.data(), .data_out = out.data(), .data_size_in = 64,
                .data_size_out = 16);
    errno = 0;
    EXPECT_EQ(bpf_prog_test_run_opts(prog, &small), -ENOSPC);
    EXPECT_EQ(errno, ENOSPC);
    EXPECT_EQ(small.data_size_out, 64u);
    EXPECT_EQ(small.retval, 2u);  // XDP_PASS: the run happened
    EXPECT_EQ(out[15], 0xab);
    EXPECT_EQ(out[16], 0);

    struct {
        bpf_test_run_opts known;
        uint32_t future[2];
    } bigger{};
    bigger.known.sz = sizeof bigger;
    bigger.known.data_in = packet.data();
    bigger.known.data_size_in = 64;
    EXPECT_EQ(bpf_prog_test_run_opts(prog, &bigger.known), 0);
    bigger.future[1] = 1;
    EXPECT_EQ(bpf_prog_test_run_opts(prog, &bigger.known), -EINVAL);

    LIBBPF_OPTS(bpf_test_run_opts, on_cpu, .data_in = packet.data(), .data_size_in = 64, .cpu = 1);
    EXPECT_EQ(bpf_prog_test_run_opts(prog, &on_cpu), -EINVAL);
    LIBBPF_OPTS(bpf_test_run_opts, negative, .data_in = packet.data(), .data_size_in = 64, .repeat = -1);
    EXPECT_EQ(bpf_prog_test_run_opts(prog, &negative), -EINVAL);
    LIBBPF_OPTS(bpf_test_run_opts, null_data, .data_size_in = 64);
    EXPECT_EQ(bpf_prog_test_run_opts(prog, &null_data), -EINVAL);
    LIBBPF_OPTS(bpf_test_run_opts, timed, .data_in = packet.data(), .data_size_in = 64, .repeat = 100);
    EXPECT_EQ(bpf_prog_test_run_opts(prog, &timed), 0);
}

int fail_second(void* ctx, void*, size_t) {
    int* seen = static_cast<int*>(ctx);
    return ++*seen == 2 ? -42 : 0;
}

TEST(LibbpfRingBuffer, CallbackErrorStopsAfterItsRecord) {
    Object object(kXdpCounter);
    EXPECT_EQ(ring_buffer__new(-1, fail_second, nullptr, nullptr), nullptr);
    EXPECT_EQ(errno, EBADF);
    EXPECT_EQ(ring_buffer__new(object.map_fd("counts"), fail_second, nullptr, nullptr), nullptr);
    EXPECT_EQ(errno, EINVAL);
    EXPECT_EQ(ring_buffer__new(object.map_fd("events"), nullptr, nullptr, nullptr), nullptr);
    EXPECT_EQ(errno, EINVAL);

    int seen = 0;
    ring_buffer* rb = ring_buffer__new(object.map_fd("events"), fail_second, &seen, nullptr);
    ASSERT_NE(rb, nullptr);
    EXPECT_EQ(ring_buffer__poll(rb, 0), 0);  // nothing yet, no wait
    for (int i = 0; i < 3; ++i) ASSERT_EQ(run_packet(object.prog_fd("count_packets"), 20), 0);
    EXPECT_EQ(ring_buffer__consume(rb), -42);
    EXPECT_EQ(seen, 2);
    EXPECT_EQ(ring_buffer__poll(rb, 100), 1);  // the third record is still there
    EXPECT_EQ(seen, 3);
    ring_buffer__free(rb);
    ring_buffer__free(nullptr);
}

TEST(LibbpfPrint, MessagesGoToTheHostsFunction) {
    messages.clear();
    libbpf_print_fn_t previous = libbpf_set_print(collect);
    EXPECT_EQ(bpf_object__open_file("/nonexistent/prog.o", nullptr), nullptr);
    ASSERT_FALSE(messages.empty());
    EXPECT_EQ(messages.back().rfind("libbpf: ", 0), 0u) << messages.back();
    EXPECT_EQ(libbpf_set_print(previous), collect);
    EXPECT_GE(libbpf_num_possible_cpus(), 1);
}

std::vector<char> read_file(const std::string& path) {
    std::FILE* file = std::fopen(path.c_str(), "rb");
    EXPECT_NE(file, nullptr) << path;
    std::vector<char> bytes(1 << 20);
    bytes.resize(file ? std::fread(bytes.data(), 1, bytes.size(), file) : 0);
    if (file) std::fclose(file);
    return bytes;
}

// The object loader parses BTF with the system libbpf, which prints its
// warnings unless silenced through its own libbpf_set_print; ours (the same
// name) must neither be taken for it nor lose the host's print function.
TEST(LibbpfPrint, SystemLibbpfStaysSilentAndTheHostsFunctionStays) {
    std::vector<char> bytes = read_file(kXdpCounter);
    ASSERT_GT(bytes.size(), sizeof(Elf64_Ehdr));
    Elf64_Ehdr header;
    std::memcpy(&header, bytes.data(), sizeof header);
    bool corrupted = false;
    for (unsigned i = 0; i < header.e_shnum; ++i) {
        Elf64_Shdr section, names;
        std::memcpy(&section, bytes.data() + header.e_shoff + i * sizeof section, sizeof section);
        std::memcpy(&names, bytes.data() + header.e_shoff + header.e_shstrndx * sizeof names, sizeof names);
        if (std::strcmp(bytes.data() + names.sh_offset + section.sh_name, ".BTF") == 0) {
            std::memset(bytes.data() + section.sh_offset + 8, 0xff, 16);  // type and string offsets out of range
            corrupted = true;
        }
    }
    ASSERT_TRUE(corrupted);
    messages.clear();
    libbpf_print_fn_t previous = libbpf_set_print(collect);
    testing::internal::CaptureStderr();
    EXPECT_EQ(bpf_object__open_mem(bytes.data(), bytes.size(), nullptr), nullptr);
    const std::string printed = testing::internal::GetCapturedStderr();
    EXPECT_EQ(printed, "") << "the system libbpf printed";
    ASSERT_FALSE(messages.empty());
    EXPECT_NE(messages.back().find("invalid BTF"), std::string::npos) << messages.back();
    EXPECT_EQ(libbpf_set_print(previous), collect) << "the host's print function was replaced";
}

TEST(LibbpfObject, IterationOpenMemAndHookPrograms) {
    std::vector<char> bytes = read_file(test_program("hook_buffer"));
    bpf_object* obj = bpf_object__open_mem(bytes.data(), bytes.size(), nullptr);
    ASSERT_NE(obj, nullptr) << std::strerror(errno);
    ASSERT_EQ(bpf_object__load(obj), 0);
    std::vector<std::string> names;
    bpf_program* prog;
    bpf_object__for_each_program(prog, obj) names.push_back(bpf_program__name(prog));
    EXPECT_EQ(names, (std::vector<std::string>{"checksum", "header_version"}));
    prog = bpf_object__find_program_by_name(obj, "header_version");
    EXPECT_STREQ(bpf_program__section_name(prog), "hook/header");
    const uint8_t header[8] = {0x01, 0x00, 0x9f, 0xeb, 7, 0, 0, 0};
    LIBBPF_OPTS(bpf_test_run_opts, opts, .data_in = header, .data_size_in = sizeof header);
    ASSERT_EQ(bpf_prog_test_run_opts(bpf_program__fd(prog), &opts), 0);
    EXPECT_EQ(opts.retval, 7u);
    bpf_object__close(obj);
    bpf_object__close(nullptr);
}

}  // namespace

namespace {

void count_sample(void* ctx, int, void*, __u32) { ++*static_cast<int*>(ctx); }

// The redirect and sample maps through the fd calls: Linux's errors, and
// perf buffers refusing what libbpf refuses.
TEST(LibbpfRedirectMaps, FdCallsAndPerfBuffers) {
    Object object(test_program("redirect_maps"));
    const int devmap = object.map_fd("ports"), xsks = object.map_fd("xsks"), events = object.map_fd("events");
    const __u32 key = 0, missing_device[2] = {4000000000u, 0}, lo[2] = {1, 0};
    EXPECT_EQ(bpf_map_update_elem(devmap, &key, missing_device, BPF_ANY), -EINVAL);
    EXPECT_EQ(errno, EINVAL);
    EXPECT_EQ(bpf_map_update_elem(devmap, &key, lo, BPF_NOEXIST), -EEXIST);
    __u32 socket = 0;
    EXPECT_EQ(bpf_map_lookup_elem(xsks, &key, &socket), -EOPNOTSUPP);
    int samples = 0;
    EXPECT_EQ(perf_buffer__new(devmap, 8, count_sample, nullptr, &samples, nullptr), nullptr);
    EXPECT_EQ(errno, EINVAL);
    EXPECT_EQ(perf_buffer__new(events, 3, count_sample, nullptr, &samples, nullptr), nullptr);
    EXPECT_EQ(errno, EINVAL);
    EXPECT_EQ(perf_buffer__new(events, 8, nullptr, nullptr, &samples, nullptr), nullptr);
    perf_buffer* pb = perf_buffer__new(events, 8, count_sample, nullptr, &samples, nullptr);
    ASSERT_NE(pb, nullptr);
    EXPECT_GE(perf_buffer__buffer_cnt(pb), 1u);
    __u32 pages = 0;
    EXPECT_EQ(bpf_map_lookup_elem(events, &key, &pages), 0);  // the buffer perf_buffer__new opened
    EXPECT_EQ(pages, 8u);
    EXPECT_EQ(perf_buffer__poll(pb, 0), 0);
    EXPECT_EQ(perf_buffer__consume_buffer(pb, 1000), -EINVAL);
    perf_buffer__free(pb);
    EXPECT_EQ(bpf_map_lookup_elem(events, &key, &pages), -ENOENT);  // closed with it
    EXPECT_EQ(samples, 0);
}

}  // namespace
