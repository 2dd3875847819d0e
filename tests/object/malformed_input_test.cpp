// Malformed objects: every one must give an ebpf::Error naming what is wrong,
// never a crash, hang or out-of-bounds read (run under ASan in CI).
#include <gtest/gtest.h>

#include <elf.h>

#include <array>
#include <cstring>

#include "ebpf/error.hpp"
#include "ebpf/object.hpp"
#include "elf_builder.hpp"
#include "test_objects.hpp"

namespace ebpf {
namespace {

using test::ElfBuilder;
using test::read_bytes;

// The message of the ebpf::Error that loading `bytes` throws ("" when it loads).
std::string load_error(const std::vector<uint8_t>& bytes, const std::string& name = "crafted.o") {
    try {
        open_object_from_memory(bytes, name);
        return "";
    } catch (const Error& e) {
        return e.what();
    }
}

#define EXPECT_LOAD_ERROR(bytes, fragment)                                  \
    do {                                                                    \
        std::string message_ = load_error(bytes);                           \
        EXPECT_NE(message_, "") << "loaded without error";                  \
        EXPECT_NE(message_.find(fragment), std::string::npos) << message_;  \
    } while (0)

Elf64_Shdr* section_header(std::vector<uint8_t>& bytes, const std::string& name) {
    auto* eh = reinterpret_cast<Elf64_Ehdr*>(bytes.data());
    auto* headers = reinterpret_cast<Elf64_Shdr*>(bytes.data() + eh->e_shoff);
    const char* names = reinterpret_cast<const char*>(bytes.data() + headers[eh->e_shstrndx].sh_offset);
    for (size_t i = 0; i < eh->e_shnum; ++i) {
        if (name == names + headers[i].sh_name) return &headers[i];
    }
    ADD_FAILURE() << "no section " << name;
    return nullptr;
}

// A valid crafted object: one hook program of `insns` with its symbol.
std::vector<uint8_t> crafted_program(const std::vector<Instruction>& insns) {
    ElfBuilder b;
    size_t code = b.add_code("hook/test", insns);
    b.add_symbols({{"test", static_cast<uint16_t>(code), 0, insns.size() * 8, STT_FUNC, STB_GLOBAL}});
    return b.build();
}

TEST(MalformedObject, CraftedObjectLoads) {
    auto bytes = crafted_program({test::mov64_imm(0, 7), test::exit_insn()});
    Object object = open_object_from_memory(bytes, "crafted.o");
    ASSERT_EQ(object.programs.size(), 1u);
    EXPECT_EQ(object.programs[0].name, "test");
    EXPECT_EQ(object.programs[0].insns.size(), 2u);
    EXPECT_EQ(object.programs[0].type, ProgramType::hook);
}

TEST(MalformedObject, TruncatedAtEveryOffset) {
    for (const char* name : {"sock_addr", "subprograms", "global_data"}) {
        auto bytes = read_bytes(test::program_path(name));
        ASSERT_FALSE(bytes.empty()) << name;
        for (size_t size = 0; size < bytes.size(); ++size) {
            std::vector<uint8_t> cut(bytes.begin(), bytes.begin() + static_cast<std::ptrdiff_t>(size));
            std::string message = load_error(cut);
            ASSERT_NE(message, "") << name << " truncated to " << size << " bytes loaded";
            ASSERT_EQ(message.rfind("crafted.o: ", 0), 0u) << message;
        }
    }
}

TEST(MalformedObject, FlippedBitsGiveErrorsOrLoad) {
    for (const char* name : {"sock_addr", "tail_call", "subprograms"}) {
        auto original = read_bytes(test::program_path(name));
        ASSERT_FALSE(original.empty());
        // DWARF is never read by the loader: flipping its bytes would only
        // repeat successful loads, so those ranges are skipped.
        std::vector<bool> skip(original.size(), false);
        {
            auto copy = original;
            auto* eh = reinterpret_cast<Elf64_Ehdr*>(copy.data());
            auto* headers = reinterpret_cast<Elf64_Shdr*>(copy.data() + eh->e_shoff);
            const char* names = reinterpret_cast<const char*>(copy.data() + headers[eh->e_shstrndx].sh_offset);
            for (size_t k = 0; k < eh->e_shnum; ++k) {
                std::string section = names + headers[k].sh_name;
                if (section.starts_with(".debug") || section.starts_with(".rel.debug")) {
                    for (size_t b = 0; b < headers[k].sh_size; ++b) skip[headers[k].sh_offset + b] = true;
                }
            }
        }
        for (size_t i = 0; i < original.size(); ++i) {
            if (skip[i]) continue;
            auto bytes = original;
            bytes[i] ^= static_cast<uint8_t>(1u << (i % 8));
            try {
                open_object_from_memory(bytes, name);
            } catch (const Error&) {
                // a clear error is fine; anything else fails the test
            }
            if (i % 5 != 0) continue;  // fewer all-ones bytes keep the test fast
            bytes[i] = 0xff;
            try {
                open_object_from_memory(bytes, name);
            } catch (const Error&) {
            }
        }
    }
}

TEST(MalformedObject, NotElfAtAll) {
    EXPECT_LOAD_ERROR(std::vector<uint8_t>{}, "not an ELF file");
    EXPECT_LOAD_ERROR(std::vector<uint8_t>(100, 'x'), "not an ELF file");
}

TEST(MalformedObject, WrongClassEndiannessMachineAndType) {
    auto good = crafted_program({test::mov64_imm(0, 0), test::exit_insn()});
    auto bytes = good;
    bytes[EI_CLASS] = ELFCLASS32;
    EXPECT_LOAD_ERROR(bytes, "not a 64-bit ELF");
    bytes = good;
    bytes[EI_DATA] = ELFDATA2MSB;
    EXPECT_LOAD_ERROR(bytes, "big-endian");
    EXPECT_LOAD_ERROR(ElfBuilder().build(EM_X86_64), "not EM_BPF");
    bytes = good;
    reinterpret_cast<Elf64_Ehdr*>(bytes.data())->e_type = ET_EXEC;
    EXPECT_LOAD_ERROR(bytes, "not a relocatable object");
}

// Old toolchains wrote e_machine 0 (EM_NONE): taken as eBPF when the code
// says so (whole 8-byte instructions), refused when there is no code or a code
// section that cannot be eBPF.
TEST(MalformedObject, MachineNoneWithEbpfCodeLoads) {
    auto bytes = crafted_program({test::mov64_imm(0, 7), test::exit_insn()});
    reinterpret_cast<Elf64_Ehdr*>(bytes.data())->e_machine = EM_NONE;
    Object object = open_object_from_memory(bytes, "old.o");
    ASSERT_EQ(object.programs.size(), 1u);
    EXPECT_EQ(object.programs[0].insns.size(), 2u);
}

TEST(MalformedObject, MachineNoneWithoutEbpfCodeIsRefused) {
    EXPECT_LOAD_ERROR(ElfBuilder().build(EM_NONE), "ELF machine is 0, not EM_BPF");
    ElfBuilder b;
    size_t code = b.add({"hook/test", SHT_PROGBITS, SHF_ALLOC | SHF_EXECINSTR, std::vector<uint8_t>(12, 0)});
    b.add_symbols({{"test", static_cast<uint16_t>(code), 0, 12, STT_FUNC, STB_GLOBAL}});
    EXPECT_LOAD_ERROR(b.build(EM_NONE), "ELF machine is 0, not EM_BPF");
}

TEST(MalformedObject, SectionOutsideFile) {
    auto bytes = read_bytes(test::program_path("xdp_parse"));
    section_header(bytes, "xdp")->sh_offset = bytes.size() - 4;
    EXPECT_LOAD_ERROR(bytes, "lie outside the file");
    bytes = read_bytes(test::program_path("xdp_parse"));
    section_header(bytes, ".BTF")->sh_size = uint64_t{1} << 62;
    EXPECT_LOAD_ERROR(bytes, "lie outside the file");
}

TEST(MalformedObject, BadSectionNameOffset) {
    auto bytes = read_bytes(test::program_path("xdp_parse"));
    section_header(bytes, "license")->sh_name = 0x7fffffff;
    EXPECT_LOAD_ERROR(bytes, "outside the string table");
}

TEST(MalformedObject, BadBtf) {
    auto bytes = read_bytes(test::program_path("xdp_parse"));
    Elf64_Shdr* btf = section_header(bytes, ".BTF");
    bytes[btf->sh_offset] ^= 0xff;  // magic
    EXPECT_LOAD_ERROR(bytes, "section '.BTF': invalid BTF");
}

TEST(MalformedObject, BadBtfExt) {
    auto bytes = read_bytes(test::program_path("xdp_parse"));
    Elf64_Shdr* ext = section_header(bytes, ".BTF.ext");
    uint32_t huge = 0x7ffffff0;
    std::memcpy(bytes.data() + ext->sh_offset + 20, &huge, 4);  // line_info_len
    EXPECT_LOAD_ERROR(bytes, "section '.BTF.ext': line_info");
}

TEST(MalformedObject, UnknownLegacyMapType) {
    auto bytes = read_bytes(test::program_path("legacy_maps"));
    Elf64_Shdr* maps = section_header(bytes, "maps");
    uint32_t type = 99;
    std::memcpy(bytes.data() + maps->sh_offset, &type, 4);
    EXPECT_LOAD_ERROR(bytes, "section 'maps': map 'packet_count': unsupported map type 99");
}

TEST(MalformedObject, RelocationAgainstMissingSymbol) {
    ElfBuilder b;
    Instruction lddw{op::kLddw, 1, 0, 0, 0};
    size_t code = b.add_code("hook/test", {lddw, {}, test::mov64_imm(0, 0), test::exit_insn()});
    size_t symtab = b.add_symbols({{"test", static_cast<uint16_t>(code), 0, 32, STT_FUNC, STB_GLOBAL}});
    b.add_relocations(code, symtab, {{0, ELF64_R_INFO(42, 1)}});
    EXPECT_LOAD_ERROR(b.build(), "names symbol 42");
}

TEST(MalformedObject, RelocationOutsideSection) {
    ElfBuilder b;
    size_t code = b.add_code("hook/test", {test::mov64_imm(0, 0), test::exit_insn()});
    size_t symtab = b.add_symbols({{"test", static_cast<uint16_t>(code), 0, 16, STT_FUNC, STB_GLOBAL}});
    b.add_relocations(code, symtab, {{4096, ELF64_R_INFO(1, 1)}});
    EXPECT_LOAD_ERROR(b.build(), "lies outside section 'hook/test'");
}

TEST(MalformedObject, RelocationAgainstUndefinedSymbol) {
    ElfBuilder b;
    Instruction lddw{op::kLddw, 1, 0, 0, 0};
    size_t code = b.add_code("hook/test", {lddw, {}, test::mov64_imm(0, 0), test::exit_insn()});
    size_t symtab = b.add_symbols({{"test", static_cast<uint16_t>(code), 0, 32, STT_FUNC, STB_GLOBAL},
                                   {"some_extern", SHN_UNDEF, 0, 0, STT_NOTYPE, STB_GLOBAL}});
    b.add_relocations(code, symtab, {{0, ELF64_R_INFO(2, 1)}});
    // An extern fails its program only (docs/object-loader.md): the object opens.
    Object object = open_object_from_memory(b.build(), "prog.o");
    ASSERT_EQ(object.programs.size(), 1u);
    EXPECT_NE(object.programs[0].load_error.find("extern variable 'some_extern' (__ksym or __kconfig) cannot be resolved"),
              std::string::npos)
        << object.programs[0].load_error;
}

// SHT_RELA (old LLVM, OVS's datapath.o): applied like SHT_REL, the addend
// taken from the entry; R_BPF_NONE on an LDDW is what those toolchains wrote.
// A program with two LDDWs (map, global data) and a call into .text.
struct RelaObject {
    ElfBuilder b;
    size_t code = 0, symtab = 0;
    static constexpr uint32_t kMapsSym = 2, kDataSym = 3, kTextSym = 4;
};

RelaObject rela_object() {
    RelaObject o;
    Instruction lddw_map{op::kLddw, 1, 0, 0, 0};
    Instruction lddw_data{op::kLddw, 2, 0, 0, 0};
    o.code = o.b.add_code("socket1", {lddw_map, {}, lddw_data, {}, test::call_local(-1), test::exit_insn()});
    std::vector<uint8_t> maps(40, 0);
    uint32_t def[5] = {2, 4, 8, 1, 0};  // array, key 4, value 8, 1 entry
    std::memcpy(maps.data(), def, 20);
    std::memcpy(maps.data() + 20, def, 20);
    size_t maps_index = o.b.add({"maps", SHT_PROGBITS, SHF_ALLOC | SHF_WRITE, maps});
    size_t data_index = o.b.add({".data", SHT_PROGBITS, SHF_ALLOC | SHF_WRITE, std::vector<uint8_t>(16, 0)});
    size_t text_index = o.b.add_code(".text", {test::mov64_imm(0, 1), test::exit_insn(), test::mov64_imm(0, 2),
                                               test::exit_insn()});
    o.symtab = o.b.add_symbols({{"prog", static_cast<uint16_t>(o.code), 0, 48, STT_FUNC, STB_GLOBAL},
                                {"maps", static_cast<uint16_t>(maps_index), 0, 0, STT_SECTION, STB_LOCAL},
                                {".data", static_cast<uint16_t>(data_index), 0, 0, STT_SECTION, STB_LOCAL},
                                {".text", static_cast<uint16_t>(text_index), 0, 0, STT_SECTION, STB_LOCAL},
                                {"first", static_cast<uint16_t>(maps_index), 0, 20, STT_OBJECT, STB_GLOBAL},
                                {"second", static_cast<uint16_t>(maps_index), 20, 20, STT_OBJECT, STB_GLOBAL},
                                {"one", static_cast<uint16_t>(text_index), 0, 16, STT_FUNC, STB_LOCAL},
                                {"two", static_cast<uint16_t>(text_index), 16, 16, STT_FUNC, STB_LOCAL}});
    return o;
}

TEST(MalformedObject, RelaRelocationsApplyTheirAddends) {
    RelaObject o = rela_object();
    o.b.add_rela(o.code, o.symtab,
                 {{0, ELF64_R_INFO(RelaObject::kMapsSym, 0), 20},   // maps + 20: 'second' (R_BPF_NONE)
                  {16, ELF64_R_INFO(RelaObject::kDataSym, 1), 12},  // .data + 12
                  {32, ELF64_R_INFO(RelaObject::kTextSym, 10), 16}});  // .text + 16: 'two'
    Object object = open_object_from_memory(o.b.build(), "rela.o");
    ASSERT_EQ(object.programs.size(), 1u);
    const Program& p = object.programs[0];
    ASSERT_EQ(p.insns.size(), 8u);  // the program, then 'two'
    EXPECT_EQ(p.insns[0].src, op::kPseudoMapIdx);
    EXPECT_EQ(object.maps.at(static_cast<size_t>(p.insns[0].imm)).name, "second");
    EXPECT_EQ(p.insns[2].src, op::kPseudoMapIdxValue);
    EXPECT_EQ(object.maps.at(static_cast<size_t>(p.insns[2].imm)).name, ".data");
    EXPECT_EQ(p.insns[3].imm, 12);
    ASSERT_EQ(p.functions.size(), 2u);
    EXPECT_EQ(p.functions[1].name, "two");
    EXPECT_EQ(4 + p.insns[4].imm + 1, static_cast<int>(p.functions[1].insn));
    EXPECT_EQ(p.insns[6].imm, 2);  // r0 = 2: 'two' was linked
}

TEST(MalformedObject, HostileRelaSymbolOutOfRange) {
    RelaObject o = rela_object();
    o.b.add_rela(o.code, o.symtab, {{0, ELF64_R_INFO(4242, 1), 0}});
    EXPECT_LOAD_ERROR(o.b.build(), "section '.relasocket1': relocation 0 names symbol 4242");
}

TEST(MalformedObject, HostileRelaOffsetOutOfRange) {
    RelaObject o = rela_object();
    o.b.add_rela(o.code, o.symtab, {{1ull << 40, ELF64_R_INFO(RelaObject::kMapsSym, 1), 0}});
    EXPECT_LOAD_ERROR(o.b.build(), "section '.relasocket1': relocation 0 at offset 1099511627776 lies outside");
}

TEST(MalformedObject, HostileRelaWrongEntrySize) {
    RelaObject o = rela_object();
    o.b.add_rela(o.code, o.symtab, {{0, ELF64_R_INFO(RelaObject::kMapsSym, 1), 0}}, sizeof(Elf64_Rel));
    EXPECT_LOAD_ERROR(o.b.build(), "section '.relasocket1': entry size 16 is not that of RELA relocations (24 bytes)");
}

TEST(MalformedObject, HostileRelaTruncatedEntry) {
    RelaObject o = rela_object();
    size_t rela = o.b.add_rela(o.code, o.symtab, {{0, ELF64_R_INFO(RelaObject::kMapsSym, 1), 0}}, 0);
    auto bytes = o.b.build();
    section_header(bytes, ".relasocket1")->sh_size = 20;
    (void)rela;
    EXPECT_LOAD_ERROR(bytes, "section '.relasocket1': size 20 is not a multiple of the relocation size (24 bytes, RELA)");
}

TEST(MalformedObject, HostileRelaHugeCount) {
    // 7 entries for a 6-instruction section: more than one per instruction.
    RelaObject o = rela_object();
    std::vector<ElfBuilder::Rela> many(7, {0, ELF64_R_INFO(RelaObject::kMapsSym, 1), 0});
    o.b.add_rela(o.code, o.symtab, many);
    EXPECT_LOAD_ERROR(o.b.build(), "section '.relasocket1': 7 relocations for section 'socket1' of 48 bytes");
}

TEST(MalformedObject, HostileRelaAddends) {
    {
        RelaObject o = rela_object();
        o.b.add_rela(o.code, o.symtab, {{0, ELF64_R_INFO(RelaObject::kMapsSym, 1), int64_t{1} << 40}});
        EXPECT_LOAD_ERROR(o.b.build(), "relocation 0 has addend 1099511627776, outside the 32 bits");
    }
    {
        RelaObject o = rela_object();
        o.b.add_rela(o.code, o.symtab, {{0, ELF64_R_INFO(RelaObject::kMapsSym, 1), -8}});
        EXPECT_LOAD_ERROR(o.b.build(), "addend -8 points before the symbol's section");
    }
    {
        RelaObject o = rela_object();  // between two map definitions
        o.b.add_rela(o.code, o.symtab, {{0, ELF64_R_INFO(RelaObject::kMapsSym, 1), 4}});
        EXPECT_LOAD_ERROR(o.b.build(), "symbol is in section 'maps', which is neither a map");
    }
    {
        RelaObject o = rela_object();
        o.b.add_rela(o.code, o.symtab, {{16, ELF64_R_INFO(RelaObject::kDataSym, 1), 4096}});
        EXPECT_LOAD_ERROR(o.b.build(), "offset 4096 lies outside '.data'");
    }
    {
        RelaObject o = rela_object();
        o.b.add_rela(o.code, o.symtab, {{32, ELF64_R_INFO(RelaObject::kTextSym, 10), 12}});
        EXPECT_LOAD_ERROR(o.b.build(), "addend 12 is not a multiple of 8");
    }
    {
        RelaObject o = rela_object();
        o.b.add_rela(o.code, o.symtab, {{32, ELF64_R_INFO(RelaObject::kTextSym, 10), 1 << 20}});
        EXPECT_LOAD_ERROR(o.b.build(), "outside section '.text'");
    }
    {
        RelaObject o = rela_object();  // R_BPF_NONE on a call is not what old LLVM wrote
        o.b.add_rela(o.code, o.symtab, {{32, ELF64_R_INFO(RelaObject::kTextSym, 0), 16}});
        EXPECT_LOAD_ERROR(o.b.build(), "unexpected relocation type 0 for a call");
    }
}

TEST(MalformedObject, HostileSecondRelocationSection) {
    RelaObject o = rela_object();
    o.b.add_rela(o.code, o.symtab, {{0, ELF64_R_INFO(RelaObject::kMapsSym, 1), 0}});
    o.b.add_relocations(o.code, o.symtab, {{16, ELF64_R_INFO(RelaObject::kDataSym, 1)}});
    EXPECT_LOAD_ERROR(o.b.build(), "section 'socket1' has a second relocation section");
}

// The kernel samples' legacy map-in-map: 28-byte struct bpf_map_def whose
// sixth field, inner_map_idx, names the map (by position) giving the shape
// of the outer map's values.
std::vector<uint8_t> samples_maps_object(const std::vector<std::array<uint32_t, 7>>& defs) {
    ElfBuilder b;
    size_t code = b.add_code("kprobe/sys_connect", {test::mov64_imm(0, 0), test::exit_insn()});
    std::vector<uint8_t> maps(defs.size() * 28);
    std::memcpy(maps.data(), defs.data(), maps.size());
    size_t maps_index = b.add({"maps", SHT_PROGBITS, SHF_ALLOC | SHF_WRITE, maps});
    std::vector<ElfBuilder::Sym> symbols{{"prog", static_cast<uint16_t>(code), 0, 16, STT_FUNC, STB_GLOBAL}};
    for (size_t i = 0; i < defs.size(); ++i)
        symbols.push_back({"m" + std::to_string(i), static_cast<uint16_t>(maps_index), i * 28, 0, STT_OBJECT,
                           STB_GLOBAL});
    b.add_symbols(symbols);
    return b.build();
}

TEST(MalformedObject, LegacyInnerMapIdxGivesTheTemplate) {
    Object object = open_object_from_memory(
        samples_maps_object({{1, 4, 8, 16, 0, 0, 0}, {13, 4, 0, 4, 0, 0, 0}, {2, 4, 4, 1, 0, 0, 0}}), "mim.o");
    ASSERT_EQ(object.maps.size(), 4u);
    EXPECT_EQ(object.maps[1].name, "m1");
    ASSERT_TRUE(object.maps[1].inner_map.has_value());
    const MapDefinition& inner = object.maps.at(*object.maps[1].inner_map);
    EXPECT_EQ(inner.name, "m1.inner");
    EXPECT_TRUE(inner.inner_template);
    EXPECT_EQ(inner.type, MapType::hash);
    EXPECT_EQ(inner.value_size, 8u);
    EXPECT_EQ(object.maps[1].value_size, 4u);
    EXPECT_EQ(object.maps[3].name, "m2");
}

TEST(MalformedObject, HostileLegacyInnerMapIdx) {
    EXPECT_LOAD_ERROR(samples_maps_object({{2, 4, 4, 1, 0, 0, 0}, {12, 4, 0, 4, 0, 9, 0}}),
                      "section 'maps': map 'm1': inner_map_idx 9 names no map (the section has 2)");
    EXPECT_LOAD_ERROR(samples_maps_object({{2, 4, 4, 1, 0, 0, 0}, {12, 4, 0, 4, 0, 1, 0}}),
                      "map 'm1': inner_map_idx 1 names map-in-map 'm1'");
    EXPECT_LOAD_ERROR(samples_maps_object({{3, 4, 4, 1, 0, 0, 0}, {12, 4, 0, 4, 0, 0, 0}}),
                      "map 'm1': inner_map_idx 0 names prog_array 'm0'");
    EXPECT_LOAD_ERROR(samples_maps_object({{2, 4, 4, 1, 0, 0, 0}, {12, 4, 0, 4, 0, 0xffffffffu, 0}}),
                      "inner_map_idx 4294967295 names no map");
}

TEST(MalformedObject, CallIntoTheMiddleOfAFunction) {
    ElfBuilder b;
    size_t code = b.add_code("hook/test", {test::call_local(0), test::exit_insn()});
    std::vector<Instruction> text{test::mov64_imm(0, 1), test::mov64_imm(0, 2), test::exit_insn()};
    size_t text_index = b.add_code(".text", text);
    size_t symtab = b.add_symbols({{"test", static_cast<uint16_t>(code), 0, 16, STT_FUNC, STB_GLOBAL},
                                   {".text", static_cast<uint16_t>(text_index), 0, 0, STT_SECTION, STB_LOCAL},
                                   {"helper", static_cast<uint16_t>(text_index), 0, 24, STT_FUNC, STB_GLOBAL}});
    // .text section symbol + imm 0 → instruction 1 of .text: inside 'helper'.
    b.add_relocations(code, symtab, {{0, ELF64_R_INFO(2, 10)}});
    EXPECT_LOAD_ERROR(b.build(), "which does not start a function");
}

TEST(MalformedObject, PcRelativeCallWithinSectionIsLinked) {
    // Hand-written: the program calls a static function in its own section.
    ElfBuilder b;
    size_t code = b.add_code("hook/test", {test::call_local(1), test::exit_insn(),
                                           test::mov64_imm(0, 5), test::exit_insn()});
    b.add_symbols({{"test", static_cast<uint16_t>(code), 0, 16, STT_FUNC, STB_GLOBAL},
                   {"five", static_cast<uint16_t>(code), 16, 16, STT_FUNC, STB_LOCAL}});
    Object object = open_object_from_memory(b.build(), "crafted.o");
    ASSERT_EQ(object.programs.size(), 1u);
    const Program& p = object.programs[0];
    ASSERT_EQ(p.functions.size(), 2u);
    EXPECT_EQ(p.functions[1].name, "five");
    EXPECT_EQ(0 + p.insns[0].imm + 1, static_cast<int>(p.functions[1].insn));
}

TEST(MalformedObject, TruncatedLddwAtFunctionEnd) {
    Instruction lddw{op::kLddw, 1, 0, 0, 0};
    EXPECT_LOAD_ERROR(crafted_program({test::mov64_imm(0, 0), lddw}), "LDDW at instruction 1");
}

TEST(MalformedObject, CodeSizeNotMultipleOfEight) {
    ElfBuilder b;
    b.add({"hook/test", SHT_PROGBITS, SHF_ALLOC | SHF_EXECINSTR, std::vector<uint8_t>(12, 0)});
    EXPECT_LOAD_ERROR(b.build(), "section 'hook/test': size 12 is not a multiple of 8");
}

TEST(MalformedObject, TooManyInstructions) {
    std::vector<Instruction> huge(1'000'001, test::mov64_imm(0, 0));
    EXPECT_LOAD_ERROR(crafted_program(huge), "more than the limit of 1000000");
}

TEST(MalformedObject, SharedSubprogramCannotMultiplyPastTheObjectLimit) {
    // Nine programs each link the same 999,990-instruction .text function.
    ElfBuilder b;
    std::vector<Instruction> big(999'990, test::mov64_imm(0, 0));
    big.back() = test::exit_insn();
    size_t text = b.add_code(".text", big);
    std::vector<ElfBuilder::Sym> symbols{
        {"big", static_cast<uint16_t>(text), 0, big.size() * 8, STT_FUNC, STB_GLOBAL}};
    for (int i = 0; i < 9; ++i) {
        size_t code = b.add_code("hook/p" + std::to_string(i), {test::call_local(-1), test::exit_insn()});
        symbols.push_back({"p" + std::to_string(i), static_cast<uint16_t>(code), 0, 16, STT_FUNC, STB_GLOBAL});
    }
    size_t symtab = b.add_symbols(symbols);
    for (int i = 0; i < 9; ++i) b.add_relocations(2 + i, symtab, {{0, ELF64_R_INFO(1, 10)}});
    EXPECT_LOAD_ERROR(b.build(), "crafted.o: more than 8000000 instructions in all programs");
}

TEST(MalformedObject, FunctionSymbolOutsideSection) {
    ElfBuilder b;
    size_t code = b.add_code("hook/test", {test::mov64_imm(0, 0), test::exit_insn()});
    b.add_symbols({{"test", static_cast<uint16_t>(code), 8, 64, STT_FUNC, STB_GLOBAL}});
    EXPECT_LOAD_ERROR(b.build(), "function 'test' (offset 8, size 64) does not fit the section");
}

TEST(MalformedObject, NoPrograms) {
    ElfBuilder b;
    b.add({"license", SHT_PROGBITS, SHF_ALLOC, {'G', 'P', 'L', 0}});
    EXPECT_LOAD_ERROR(b.build(), "no programs");
}

}  // namespace
}  // namespace ebpf
