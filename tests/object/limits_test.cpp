// Resource limits (ebpf/limits.hpp) and hostile inputs a few hundred bytes
// long: every limit gives an error naming the map/section and the limit,
// before the loader allocates what the object asks for; input files are read
// once and only when regular.
#include <gtest/gtest.h>

#include <elf.h>
#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <chrono>
#include <cstring>
#include <filesystem>

#include "ebpf/error.hpp"
#include "ebpf/input_file.hpp"
#include "ebpf/limits.hpp"
#include "ebpf/object.hpp"
#include "elf_builder.hpp"
#include "test_objects.hpp"

namespace ebpf {
namespace {

using test::ElfBuilder;

std::string load_error(const std::vector<uint8_t>& bytes, const ResourceLimits& limits = {}) {
    try {
        open_object_from_memory(bytes, "hostile.o", limits);
        return "";
    } catch (const Error& e) {
        return e.what();
    }
}

#define EXPECT_ERROR_HAS(message, fragment)                                            \
    do {                                                                               \
        const std::string m_ = (message);                                              \
        EXPECT_NE(m_, "") << "no error";                                               \
        EXPECT_NE(m_.find(fragment), std::string::npos) << m_;                         \
    } while (0)

// struct bpf_map_def { type, key_size, value_size, max_entries, map_flags }.
std::vector<uint8_t> map_def(uint32_t type, uint32_t key, uint32_t value, uint32_t max_entries) {
    uint32_t fields[5] = {type, key, value, max_entries, 0};
    std::vector<uint8_t> bytes(sizeof fields);
    std::memcpy(bytes.data(), fields, sizeof fields);
    return bytes;
}

// A hook program and legacy maps named m0, m1, ... with the given definitions.
std::vector<uint8_t> object_with_maps(const std::vector<std::vector<uint8_t>>& defs) {
    ElfBuilder b;
    size_t code = b.add_code("hook/test", {test::mov64_imm(0, 0), test::exit_insn()});
    std::vector<uint8_t> all;
    for (const auto& d : defs) all.insert(all.end(), d.begin(), d.end());
    size_t maps = b.add({"maps", SHT_PROGBITS, SHF_ALLOC | SHF_WRITE, all});
    std::vector<ElfBuilder::Sym> symbols{{"test", static_cast<uint16_t>(code), 0, 16, STT_FUNC, STB_GLOBAL}};
    for (size_t i = 0; i < defs.size(); ++i)
        symbols.push_back({"m" + std::to_string(i), static_cast<uint16_t>(maps), i * 20, 20, STT_OBJECT, STB_GLOBAL});
    b.add_symbols(symbols);
    return b.build();
}

constexpr uint32_t kHash = 1, kArray = 2, kPercpuArray = 6;

TEST(ResourceLimits, TinyObjectWithHugeHashMapIsRefused) {
    auto bytes = object_with_maps({map_def(kHash, 4, 8, 0xffffffff)});
    EXPECT_LT(bytes.size(), 1024u) << "the point is a tiny object";
    const std::string message = load_error(bytes);
    EXPECT_ERROR_HAS(message, "map 'm0': needs 240518168520 bytes (4294967295 entries × (key 8 + value 8 + 40 per entry))");
    EXPECT_ERROR_HAS(message, "more than the limit of 536870912 bytes (max_map_bytes)");
}

TEST(ResourceLimits, HugeArrayMapIsRefusedAndLimitsAreConfigurable) {
    auto bytes = object_with_maps({map_def(kArray, 4, 4096, 1u << 20)});  // 4 GiB of values
    EXPECT_ERROR_HAS(load_error(bytes), "map 'm0': needs 4294967296 bytes (1048576 entries × (value 4096))");
    ResourceLimits generous;
    generous.max_map_bytes = generous.max_total_map_bytes = uint64_t{8} << 30;
    EXPECT_EQ(load_error(bytes, generous), "");  // only declared: nothing was allocated
}

TEST(ResourceLimits, TotalOfAllMapsIsBounded) {
    // Three maps of 400 MiB each: each under the per-map limit, 1.2 GiB together.
    auto def = map_def(kArray, 4, 4092, 100u << 10);
    EXPECT_ERROR_HAS(load_error(object_with_maps({def, def, def})), "map 'm2': the maps up to this one need");
    EXPECT_ERROR_HAS(load_error(object_with_maps({def, def, def})), "(max_total_map_bytes)");
    EXPECT_EQ(load_error(object_with_maps({def, def})), "");
}

TEST(ResourceLimits, NumberOfMapsAndPrograms) {
    auto def = map_def(kArray, 4, 4, 1);
    ResourceLimits limits;
    limits.max_maps = 2;
    EXPECT_ERROR_HAS(load_error(object_with_maps({def, def, def}), limits), "3 maps, more than the limit of 2 (max_maps)");
    EXPECT_EQ(load_error(object_with_maps({def, def}), limits), "");

    ElfBuilder b;
    size_t code = b.add_code("hook/test", {test::mov64_imm(0, 0), test::exit_insn(), test::mov64_imm(0, 1),
                                           test::exit_insn()});
    b.add_symbols({{"a", static_cast<uint16_t>(code), 0, 16, STT_FUNC, STB_GLOBAL},
                   {"b", static_cast<uint16_t>(code), 16, 16, STT_FUNC, STB_GLOBAL}});
    limits.max_programs = 1;
    EXPECT_ERROR_HAS(load_error(b.build(), limits), "more than 1 programs (max_programs)");
    limits.max_programs = 2;
    EXPECT_EQ(load_error(b.build(), limits), "");
}

TEST(ResourceLimits, InstructionsPerProgramAndObject) {
    ElfBuilder b;
    std::vector<Instruction> insns(100, test::mov64_imm(0, 0));
    insns.back() = test::exit_insn();
    size_t code = b.add_code("hook/test", insns);
    b.add_symbols({{"test", static_cast<uint16_t>(code), 0, 800, STT_FUNC, STB_GLOBAL}});
    ResourceLimits limits;
    limits.max_program_instructions = 99;
    EXPECT_ERROR_HAS(load_error(b.build(), limits), "100 instructions, more than the limit of 99 (max_program_instructions)");
    limits.max_program_instructions = 100;
    limits.max_object_instructions = 50;
    EXPECT_ERROR_HAS(load_error(b.build(), limits), "more than 50 instructions in all programs");
}

TEST(ResourceLimits, HugeBssIsRefusedBeforeItsZerosAreAllocated) {
    // SHT_NOBITS: 2 GiB - 64 KiB of .bss costs nothing in the file.
    ElfBuilder b;
    size_t code = b.add_code("hook/test", {test::mov64_imm(0, 0), test::exit_insn()});
    b.add({".bss", SHT_NOBITS, SHF_ALLOC | SHF_WRITE, {}});
    b.add_symbols({{"test", static_cast<uint16_t>(code), 0, 16, STT_FUNC, STB_GLOBAL}});
    auto bytes = b.build();
    // Patch .bss's sh_size: the builder writes the data size (0).
    auto* eh = reinterpret_cast<Elf64_Ehdr*>(bytes.data());
    auto* headers = reinterpret_cast<Elf64_Shdr*>(bytes.data() + eh->e_shoff);
    headers[2].sh_size = 0x7fff0000;
    ASSERT_EQ(headers[2].sh_type, static_cast<uint32_t>(SHT_NOBITS));
    EXPECT_ERROR_HAS(load_error(bytes), "map '.bss': needs 2147418112 bytes");
}

TEST(ResourceLimits, ManyBssSectionsAreRefusedBeforeTheirZerosAreAllocated) {
    // Five .bss.N of 400 MiB each: every one under the per-map limit, but the
    // total is checked before each one's zeros are allocated.
    ElfBuilder b;
    size_t code = b.add_code("hook/test", {test::mov64_imm(0, 0), test::exit_insn()});
    for (int i = 0; i < 5; ++i) b.add({".bss." + std::to_string(i), SHT_NOBITS, SHF_ALLOC | SHF_WRITE, {}});
    b.add_symbols({{"test", static_cast<uint16_t>(code), 0, 16, STT_FUNC, STB_GLOBAL}});
    auto bytes = b.build();
    auto* eh = reinterpret_cast<Elf64_Ehdr*>(bytes.data());
    auto* headers = reinterpret_cast<Elf64_Shdr*>(bytes.data() + eh->e_shoff);
    for (int i = 0; i < 5; ++i) headers[2 + i].sh_size = 400u << 20;
    EXPECT_ERROR_HAS(load_error(bytes), "map '.bss.2': the maps up to this one need 1258291200 bytes together");
}

TEST(ResourceLimits, PerCpuMapsCountEveryCpu) {
    MapDefinition map;
    map.name = "counters";
    map.type = MapType::percpu_array;
    map.key_size = 4;
    map.value_size = 1024;
    map.max_entries = 1024;
    EXPECT_EQ(map_memory_bytes(map, 1), 1024u * 1024);
    EXPECT_EQ(map_memory_bytes(map, 64), 1024u * 1024 * 64);
    ResourceLimits limits;
    limits.max_map_bytes = 16 << 20;
    EXPECT_NO_THROW(check_map_limits(std::span(&map, 1), limits, 8));
    try {
        check_map_limits(std::span(&map, 1), limits, 64);
        ADD_FAILURE() << "no error";
    } catch (const Error& e) {
        EXPECT_NE(std::string(e.what()).find("1024 entries × (value 1024 × 64 CPUs)"), std::string::npos) << e.what();
    }
    // A per-CPU hash table: keys once, values per CPU, and the table overhead.
    map.type = MapType::percpu_hash;
    map.key_size = 5;
    EXPECT_EQ(map_memory_bytes(map, 4), 1024u * (8 + 1024 * 4 + 40));
    // Saturating, never wrapping: 2^32 entries × (2^32 + 2^32 × 2^16 CPUs).
    map.key_size = map.value_size = map.max_entries = 0xffffffff;
    EXPECT_EQ(map_memory_bytes(map, 65536), UINT64_MAX);
    (void)kPercpuArray;
}

TEST(ResourceLimits, BtfAndFileSize) {
    auto bytes = test::read_bytes(test::program_path("global_data"));
    ResourceLimits limits;
    limits.max_btf_bytes = 64;
    EXPECT_ERROR_HAS(load_error(bytes, limits), "section '.BTF'");
    EXPECT_ERROR_HAS(load_error(bytes, limits), "(max_btf_bytes)");
    limits = {};
    limits.max_object_bytes = 100;
    EXPECT_ERROR_HAS(load_error(bytes, limits), "bytes, more than the limit of 100 (max_object_bytes)");
}

TEST(HostileRelocations, RelocationOnTheSecondSlotOfAnLddwIsRefused) {
    ElfBuilder b;
    Instruction lddw{op::kLddw, 1, 0, 0, 0};
    size_t code = b.add_code("hook/test", {lddw, {}, test::mov64_imm(0, 0), test::exit_insn()});
    size_t maps = b.add({"maps", SHT_PROGBITS, SHF_ALLOC | SHF_WRITE, map_def(kArray, 4, 4, 1)});
    size_t symtab = b.add_symbols({{"test", static_cast<uint16_t>(code), 0, 32, STT_FUNC, STB_GLOBAL},
                                   {"m", static_cast<uint16_t>(maps), 0, 20, STT_OBJECT, STB_GLOBAL}});
    // R_BPF_64_64 at offset 8: the upper half of the LDDW, not an instruction.
    b.add_relocations(code, symtab, {{8, ELF64_R_INFO(2, 1)}});
    EXPECT_ERROR_HAS(load_error(b.build()),
                     "relocation at offset 8 of section 'hook/test' targets the second slot of the LDDW at instruction 0");
}

TEST(HostileRelocations, TwoRelocationsOnOneInstructionAreRefused) {
    ElfBuilder b;
    Instruction lddw{op::kLddw, 1, 0, 0, 0};
    size_t code = b.add_code("hook/test", {lddw, {}, test::mov64_imm(0, 0), test::exit_insn()});
    size_t maps = b.add({"maps", SHT_PROGBITS, SHF_ALLOC | SHF_WRITE, map_def(kArray, 4, 4, 1)});
    size_t symtab = b.add_symbols({{"test", static_cast<uint16_t>(code), 0, 32, STT_FUNC, STB_GLOBAL},
                                   {"m", static_cast<uint16_t>(maps), 0, 20, STT_OBJECT, STB_GLOBAL}});
    b.add_relocations(code, symtab, {{0, ELF64_R_INFO(2, 1)}, {0, ELF64_R_INFO(2, 1)}});
    EXPECT_ERROR_HAS(load_error(b.build()), "two relocations at offset 0");
}

class InputFiles : public ::testing::Test {
protected:
    void SetUp() override {
        dir_ = std::filesystem::temp_directory_path() /
               ("ebpf-input-" + std::to_string(::getpid()) + "-" +
                ::testing::UnitTest::GetInstance()->current_test_info()->name());
        std::filesystem::create_directories(dir_);
    }
    void TearDown() override { std::filesystem::remove_all(dir_); }
    std::filesystem::path dir_;
};

std::string open_error(const std::string& path, const ResourceLimits& limits = {}) {
    try {
        open_object(path, limits);
        return "";
    } catch (const Error& e) {
        return e.what();
    }
}

TEST_F(InputFiles, FifoIsRefusedWithoutHanging) {
    const auto fifo = dir_ / "object.o";
    ASSERT_EQ(::mkfifo(fifo.c_str(), 0600), 0);
    const auto start = std::chrono::steady_clock::now();
    EXPECT_ERROR_HAS(open_error(fifo), "a FIFO, not a regular file");
    EXPECT_LT(std::chrono::steady_clock::now() - start, std::chrono::seconds(2));
}

TEST_F(InputFiles, DevicesAndDirectoriesAreRefused) {
    EXPECT_ERROR_HAS(open_error("/dev/zero"), "/dev/zero: a character device, not a regular file");
    EXPECT_ERROR_HAS(open_error(dir_), "a directory, not a regular file");
    EXPECT_ERROR_HAS(open_error(dir_ / "missing.o"), "cannot open");
}

TEST_F(InputFiles, HugeFileIsRefusedBeforeReading) {
    // A sparse 1 TiB file: refused from its size, nothing is read.
    const auto huge = dir_ / "huge.o";
    int fd = ::open(huge.c_str(), O_CREAT | O_WRONLY | O_TRUNC, 0600);
    ASSERT_GE(fd, 0);
    ASSERT_EQ(::ftruncate(fd, off_t{1} << 40), 0);
    ::close(fd);
    EXPECT_ERROR_HAS(open_error(huge), "1099511627776 bytes, too large (the limit is 268435456 bytes)");
    ResourceLimits limits;
    limits.max_object_bytes = 1000;
    const auto real = test::program_path("global_data");
    EXPECT_ERROR_HAS(open_error(real, limits), "too large (the limit is 1000 bytes)");
    EXPECT_EQ(open_error(real), "");
}

TEST_F(InputFiles, ReadInputFileReadsExactlyTheBoundAtMost) {
    const auto path = dir_ / "ten";
    int fd = ::open(path.c_str(), O_CREAT | O_WRONLY | O_TRUNC, 0600);
    ASSERT_EQ(::write(fd, "0123456789", 10), 10);
    ::close(fd);
    EXPECT_EQ(read_input_file(path, 10).size(), 10u);
    EXPECT_THROW(read_input_file(path, 9), Error);
}

}  // namespace
}  // namespace ebpf
