// The module loader against modules that are wrong in one way each (built
// from generated C patched by hand): a clear error, and nothing loaded.
#include <gtest/gtest.h>

#include <cstring>
#include <fstream>
#include <sstream>

#include "ebpf/error.hpp"
#include "native_test_support.hpp"

namespace {

using native_test::insn;
namespace op = ebpf::op;

constexpr int32_t kTestHelper = 1000;
uint64_t helper_xor(uint64_t a, uint64_t b, uint64_t, uint64_t, uint64_t) { return a ^ b; }

// r0 = *(u32 *)(global value + 4) + helper(r0, 0) ; r6 = map 1 address
ebpf::TranslationUnit map_unit() {
    ebpf::TranslationUnit unit;
    unit.source_name = "maps.o";
    ebpf::MapDefinition data;
    data.name = ".data";
    data.type = ebpf::MapType::array;
    data.key_size = 4;
    data.value_size = 8;
    data.max_entries = 1;
    data.is_global_data = true;
    data.initial_data = {1, 2, 3, 4, 5, 6, 7, 8};
    ebpf::MapDefinition hash;
    hash.name = "counts";
    hash.type = ebpf::MapType::hash;
    hash.key_size = 4;
    hash.value_size = 8;
    hash.max_entries = 16;
    unit.maps = {data, hash};
    ebpf::TranslationProgram program;
    program.name = "reader";
    program.section = "hook/reader";
    program.type = ebpf::ProgramType::hook;
    program.insns = {
        insn(op::kLddw, 1, op::kPseudoMapIdxValue, 0, 0), insn(0, 0, 0, 0, 4),
        insn(op::kClassLdx | op::kModeMem | op::kSizeW, 0, 1, 0, 0),
        insn(op::kLddw, 6, op::kPseudoMapIdx, 0, 1), insn(0, 0, 0, 0, 0),
        insn(op::kClassAlu64 | op::kMov | op::kSrcX, 1, 0, 0, 0),
        insn(op::kClassAlu64 | op::kMov, 2, 0, 0, 0),
        insn(op::kClassJmp | op::kCall, 0, op::kCallHelper, 0, kTestHelper),
        insn(op::kClassStx | op::kModeMem | op::kSizeDW, 10, 6, -8, 0),
        insn(op::kClassJmp | op::kExit, 0, 0, 0, 0),
    };
    program.verified_instruction_count = static_cast<uint32_t>(program.insns.size());
    unit.programs.push_back(program);
    return unit;
}

std::string replace_once(std::string text, const std::string& from, const std::string& to) {
    auto at = text.find(from);
    EXPECT_NE(at, std::string::npos) << "generated C no longer contains: " << from;
    if (at != std::string::npos) text.replace(at, from.size(), to);
    return text;
}

size_t loaded_module_mappings() {
    std::ifstream maps("/proc/self/maps");
    std::string line;
    size_t count = 0;
    while (std::getline(maps, line)) count += line.find("memfd:ebpf-native-module") != std::string::npos;
    return count;
}

class ModuleLoader : public ::testing::Test {
protected:
    ModuleLoader() {
        helpers.set(kTestHelper, &helper_xor);
        generated = ebpf::generate_c(map_unit());
    }

    ebpf::ModuleLoadOptions options() {
        ebpf::ModuleLoadOptions options;
        options.helpers = &helpers;
        options.name = "bad.so";
        options.create_map = [this](std::span<const ebpf::MapDefinition> definitions, uint32_t index) {
            created.push_back(definitions[index]);
            ebpf::MapBinding binding;
            binding.address = reinterpret_cast<uint64_t>(&map_objects[index]);
            if (definitions[index].is_global_data) {
                std::memcpy(global_value, definitions[index].initial_data.data(), 8);
                binding.value_address = reinterpret_cast<uint64_t>(global_value);
            }
            return binding;
        };
        return options;
    }

    // Compiles `c_source`, loads it, and expects an error containing `fragment`
    // with no map created and no module left mapped.
    void expect_refused(const std::string& c_source, const std::string& fragment) {
        auto bytes = native_test::compile_module_bytes(c_source, dir);
        size_t before = loaded_module_mappings();
        try {
            ebpf::load_module_from_memory(bytes, options());
            ADD_FAILURE() << "module loaded; expected an error with: " << fragment;
        } catch (const ebpf::Error& e) {
            EXPECT_NE(std::string(e.what()).find(fragment), std::string::npos) << e.what();
            EXPECT_EQ(std::string(e.what()).rfind("bad.so: ", 0), 0u) << e.what();
        }
        EXPECT_TRUE(created.empty());
        EXPECT_EQ(loaded_module_mappings(), before);
    }

    ebpf::HelperTable helpers;
    std::string generated;
    native_test::TempDir dir;
    std::vector<ebpf::MapDefinition> created;
    uint64_t map_objects[2] = {};
    uint8_t global_value[8] = {};
};

TEST_F(ModuleLoader, LoadsMapsAndHelpersIntoTheModuleTables) {
    auto module = ebpf::load_module_from_memory(native_test::compile_module_bytes(generated, dir), options());
    ASSERT_EQ(created.size(), 2u);
    EXPECT_EQ(created[0].name, ".data");
    EXPECT_TRUE(created[0].is_global_data);
    EXPECT_EQ(created[0].initial_data, (std::vector<uint8_t>{1, 2, 3, 4, 5, 6, 7, 8}));
    EXPECT_EQ(created[1].name, "counts");
    EXPECT_EQ(created[1].type, ebpf::MapType::hash);
    EXPECT_EQ(created[1].max_entries, 16u);
    auto engine = module->make_engine(0);
    // *(u32*)(value + 4) = 0x08070605, xor 0 by the helper.
    EXPECT_EQ(engine->run(0, 0), 0x08070605u);
    global_value[4] = 0xff;
    EXPECT_EQ(engine->run(0, 0), 0x080706ffu);
    EXPECT_EQ(module->programs()[0].section, "hook/reader");
    EXPECT_EQ(module->find_program("hook/reader"), std::optional<size_t>(0));
    EXPECT_THROW(module->make_engine(1), ebpf::Error);
}

TEST_F(ModuleLoader, ModuleStaysLoadedWhileAnEngineLives) {
    std::unique_ptr<ebpf::Engine> engine;
    size_t before = loaded_module_mappings();
    {
        auto module = ebpf::load_module_from_memory(native_test::compile_module_bytes(generated, dir), options());
        engine = module->make_engine(0);
    }
    EXPECT_GT(loaded_module_mappings(), before);
    EXPECT_EQ(engine->run(0, 0), 0x08070605u);
    engine.reset();
    EXPECT_EQ(loaded_module_mappings(), before);
}

TEST_F(ModuleLoader, RefusesWrongAbiVersion) {
    expect_refused(replace_once(generated, "EBPF_NATIVE_MAGIC, EBPF_NATIVE_ABI_VERSION,", "EBPF_NATIVE_MAGIC, 99u,"),
                   "module ABI version 99");
}

TEST_F(ModuleLoader, RefusesWrongMagic) {
    expect_refused(replace_once(generated, "EBPF_NATIVE_MAGIC, EBPF_NATIVE_ABI_VERSION,", "1, EBPF_NATIVE_ABI_VERSION,"),
                   "wrong magic");
}

TEST_F(ModuleLoader, RefusesMissingEntryPoint) {
    expect_refused(replace_once(generated, "ebpf_native_module_get(void)", "something_else(void)"),
                   "missing metadata: no exported ebpf_native_module_get");
}

TEST_F(ModuleLoader, RefusesNullMetadata) {
    expect_refused(replace_once(generated, "return &ebpf_module;", "return 0;"), "returned NULL");
}

TEST_F(ModuleLoader, RefusesMissingPrograms) {
    expect_refused(replace_once(generated, "    ebpf_programs, ebpf_helpers", "    0, ebpf_helpers"),
                   "the module has no programs");
}

TEST_F(ModuleLoader, RefusesUnknownHelper) {
    expect_refused(replace_once(generated, "{1000, 0, 0},", "{424242, 0, 0},"),
                   "imports helper 424242, which this runtime does not provide");
}

TEST_F(ModuleLoader, RefusesGlobalDataOfTheWrongSize) {
    // .data claims 8 value bytes; make the initial data 7.
    expect_refused(replace_once(generated, "ebpf_map_initial_data_0, 8,", "ebpf_map_initial_data_0, 7,"),
                   "map '.data': initial data has 7 bytes but the value size is 8");
}

TEST_F(ModuleLoader, RefusesUnsupportedMapType) {
    expect_refused(replace_once(generated, "{\"counts\", 1,", "{\"counts\", 999,"),
                   "map 'counts': unsupported map type 999");
}

// A Linux map type the runtime cannot provide may be in a module; a program
// that names one is refused.
TEST_F(ModuleLoader, RefusesProgramNamingAnUnprovidedMapType) {
    expect_refused(replace_once(generated, "{\"counts\", 1,", "{\"counts\", 15,"),
                   "of type sockmap, which the runtime cannot provide");
}

TEST_F(ModuleLoader, RefusesInnerMapOutOfRange) {
    expect_refused(replace_once(generated, "16, 0, 0, EBPF_NATIVE_NO_INNER_MAP", "16, 0, 0, 7u"),
                   "inner map index 7 out of range");
}

TEST_F(ModuleLoader, RefusesProgramWithoutEntry) {
    expect_refused(replace_once(generated, "prog_reader,\n", "0,\n"), "has no entry function");
}

TEST_F(ModuleLoader, RefusesBytesThatAreNotASharedObject) {
    std::vector<uint8_t> junk(4096, 0x41);
    try {
        ebpf::load_module_from_memory(junk, options());
        ADD_FAILURE() << "junk loaded";
    } catch (const ebpf::Error& e) {
        // Refused from the sealed bytes, before dlopen sees them.
        EXPECT_NE(std::string(e.what()).find("bad.so: not a shared object (no ELF magic)"), std::string::npos)
            << e.what();
    }
    EXPECT_THROW(ebpf::load_module_from_memory(std::vector<uint8_t>(3), options()), ebpf::Error);
    EXPECT_TRUE(created.empty());
}

TEST_F(ModuleLoader, SignaturePolicyHookSeesExactlyTheBytesAndCanRefuse) {
    auto bytes = native_test::compile_module_bytes(generated, dir);
    auto opts = options();
    std::vector<uint8_t> seen;
    opts.check_signature = [&](std::span<const uint8_t> module_bytes) {
        seen.assign(module_bytes.begin(), module_bytes.end());
        throw ebpf::Error("bad.so: not signed by a trusted key");
    };
    size_t before = loaded_module_mappings();
    try {
        ebpf::load_module_from_memory(bytes, opts);
        ADD_FAILURE() << "policy ignored";
    } catch (const ebpf::Error& e) {
        EXPECT_STREQ(e.what(), "bad.so: not signed by a trusted key");
    }
    EXPECT_EQ(seen, bytes);
    EXPECT_TRUE(created.empty());
    EXPECT_EQ(loaded_module_mappings(), before);
}

TEST_F(ModuleLoader, FailingMapCreationLoadsNothing) {
    auto bytes = native_test::compile_module_bytes(generated, dir);
    auto opts = options();
    opts.create_map = [](std::span<const ebpf::MapDefinition> definitions, uint32_t index) -> ebpf::MapBinding {
        throw ebpf::Error("map '" + definitions[index].name + "': out of memory");
    };
    size_t before = loaded_module_mappings();
    EXPECT_THROW(ebpf::load_module_from_memory(bytes, opts), ebpf::Error);
    EXPECT_EQ(loaded_module_mappings(), before);
}

TEST_F(ModuleLoader, LoadsFromFile) {
    std::string path = dir.file("ok.so");
    ebpf::write_file_atomically(dir.file("ok.c"), generated);
    ebpf::compile_c_to_module(dir.file("ok.c"), path);
    auto opts = options();
    opts.name = ebpf::ModuleLoadOptions{}.name;
    auto module = ebpf::load_module_from_file(path, opts);
    EXPECT_EQ(module->name(), path);
    EXPECT_THROW(ebpf::load_module_from_file(dir.file("missing.so"), opts), ebpf::Error);
}

TEST(CompileModule, CompilerErrorsAreReportedAndLeaveNoOutput) {
    native_test::TempDir dir;
    ebpf::write_file_atomically(dir.file("broken.c"), "this is not C;\n");
    try {
        ebpf::compile_c_to_module(dir.file("broken.c"), dir.file("broken.so"));
        ADD_FAILURE() << "compiled";
    } catch (const ebpf::Error& e) {
        EXPECT_NE(std::string(e.what()).find("failed"), std::string::npos) << e.what();
    }
    EXPECT_FALSE(std::filesystem::exists(dir.file("broken.so")));
}

}  // namespace
