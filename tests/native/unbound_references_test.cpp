// Native modules never bind a map reference to nothing (issue 12, class 7).
// A program that names a map the runtime cannot bind — the direct value of a
// map that has none (per-CPU, hash, multi-entry arrays), an inner-map
// template — used to be accepted by the verifier; the interpreter and JIT
// then refused it at load, but a native module ran it with NULL (plus an
// offset) as the map or value address. Now the verifier rejects it in every
// engine, and the module loader refuses such a reference even in a module
// whose C was generated without the verifier (a broken or hostile bpf2c).
#include <gtest/gtest.h>

#include "ebpf/error.hpp"
#include "ebpf/runtime.hpp"
#include "native_test_support.hpp"

namespace {

using native_test::insn;
namespace op = ebpf::op;

ebpf::MapDefinition map(const std::string& name, ebpf::MapType type, uint32_t max_entries) {
    ebpf::MapDefinition d;
    d.name = name;
    d.type = type;
    d.key_size = 4;
    d.value_size = type == ebpf::MapType::array_of_maps ? 4 : 8;
    d.max_entries = max_entries;
    return d;
}

// r1 = <LDDW src> map 0 ; r0 = *(u64 *)(r1 + 0) when it is a value ; r0 = 0 ; exit
std::vector<ebpf::Instruction> naming_map_0(uint8_t src) {
    std::vector<ebpf::Instruction> insns = {insn(op::kLddw, 1, src, 0, 0), insn(0, 0, 0, 0, 0)};
    if (src == op::kPseudoMapIdxValue) insns.push_back(insn(op::kClassLdx | op::kModeMem | op::kSizeDW, 0, 1, 0, 0));
    insns.push_back(insn(op::kClassAlu64 | op::kMov, 0, 0, 0, 0));
    insns.push_back(insn(op::kClassJmp | op::kExit, 0, 0, 0, 0));
    return insns;
}

std::string thrown_by(const std::function<void()>& body) {
    try {
        body();
    } catch (const ebpf::Error& e) {
        return e.what();
    }
    return "(nothing thrown)";
}

struct Case {
    const char* name;
    std::vector<ebpf::MapDefinition> maps;
    uint8_t src;
    const char* verifier_says;
    const char* loader_says;
};

std::vector<Case> cases() {
    auto template_maps = std::vector{map("outer.inner", ebpf::MapType::array, 1), map("outer", ebpf::MapType::array_of_maps, 1)};
    template_maps[0].inner_template = true;
    template_maps[1].inner_map = 0;
    return {
        {"per_cpu_value", {map("per_cpu", ebpf::MapType::percpu_array, 1)}, op::kPseudoMapIdxValue,
         "direct value access into map 'per_cpu' of type percpu_array", "uses the direct value of map 'per_cpu', which has none"},
        {"hash_value", {map("table", ebpf::MapType::hash, 8)}, op::kPseudoMapIdxValue,
         "direct value access into map 'table' of type hash", "uses the direct value of map 'table', which has none"},
        {"multi_entry_array_value", {map("rows", ebpf::MapType::array, 4)}, op::kPseudoMapIdxValue,
         "with 4 entries prohibited", "uses the direct value of map 'rows', which has none"},
        {"inner_template_as_map", template_maps, op::kPseudoMapIdx, "map 'outer.inner' is an inner map template",
         "refers to map #0, an inner map template"},
        {"inner_template_value", template_maps, op::kPseudoMapIdxValue, "map 'outer.inner' is an inner map template",
         "refers to map #0, an inner map template"},
    };
}

class UnboundReferences : public ::testing::TestWithParam<Case> {};

// Interpreter and JIT: the verifier refuses the program at load.
TEST_P(UnboundReferences, VerifierRejectsInTheInterpreterAndJit) {
    const Case& c = GetParam();
    ebpf::Object object;
    object.path = std::string(c.name) + ".o";
    object.maps = c.maps;
    ebpf::Program program;
    program.name = c.name;
    program.section = "hook/test";
    program.type = ebpf::ProgramType::hook;
    program.insns = naming_map_0(c.src);
    object.programs.push_back(program);
    for (ebpf::ExecMode mode : {ebpf::ExecMode::interpret, ebpf::ExecMode::jit}) {
        ebpf::LoadOptions options;
        options.mode = mode;
        std::string error = thrown_by([&] { ebpf::load_object(object, options); });
        EXPECT_NE(error.find("verification failed"), std::string::npos) << error;
        EXPECT_NE(error.find(c.verifier_says), std::string::npos) << error;
    }
    // Native: bpf2c verifies before it translates.
    std::string error = thrown_by([&] { ebpf::bpf2c(object); });
    EXPECT_NE(error.find(c.verifier_says), std::string::npos) << error;
}

// Native: C generated without the verifier still does not load.
TEST_P(UnboundReferences, ModuleLoaderRefusesTheUnverifiedModule) {
    const Case& c = GetParam();
    ebpf::TranslationUnit unit;
    unit.source_name = std::string(c.name) + ".o";
    unit.maps = c.maps;
    ebpf::TranslationProgram program;
    program.name = c.name;
    program.section = "hook/test";
    program.type = ebpf::ProgramType::hook;
    program.insns = naming_map_0(c.src);
    program.verified_instruction_count = static_cast<uint32_t>(program.insns.size());
    unit.programs.push_back(program);
    native_test::TempDir dir;
    ebpf::write_file_atomically(dir.file("unbound.c"), ebpf::generate_c(unit));
    ebpf::compile_c_to_module(dir.file("unbound.c"), dir.file("unbound.so"));
    ebpf::LoadOptions options;
    options.mode = ebpf::ExecMode::native;
    std::string error = thrown_by([&] { ebpf::load_object(dir.file("unbound.so"), options); });
    EXPECT_NE(error.find(c.loader_says), std::string::npos) << error;
}

INSTANTIATE_TEST_SUITE_P(Cases, UnboundReferences, ::testing::ValuesIn(cases()),
                         [](const auto& info) { return std::string(info.param.name); });

TEST(UnboundReferences, ReferenceOutsideTheMapTableIsRefused) {
    ebpf::TranslationUnit unit;
    unit.source_name = "outside.o";
    unit.maps = {map("table", ebpf::MapType::hash, 8)};
    ebpf::TranslationProgram program;
    program.name = "outside";
    program.section = "hook/test";
    program.type = ebpf::ProgramType::hook;
    program.insns = naming_map_0(op::kPseudoMapIdx);
    program.verified_instruction_count = static_cast<uint32_t>(program.insns.size());
    unit.programs.push_back(program);
    std::string c_source = ebpf::generate_c(unit);
    const std::string table = "ebpf_map_references_0[1] = {UINT32_C(0x0)}";
    ASSERT_NE(c_source.find(table), std::string::npos) << "generated C no longer contains: " << table;
    c_source.replace(c_source.find(table), table.size(), "ebpf_map_references_0[1] = {UINT32_C(0x5)}");
    native_test::TempDir dir;
    ebpf::write_file_atomically(dir.file("outside.c"), c_source);
    ebpf::compile_c_to_module(dir.file("outside.c"), dir.file("outside.so"));
    ebpf::LoadOptions options;
    options.mode = ebpf::ExecMode::native;
    std::string error = thrown_by([&] { ebpf::load_object(dir.file("outside.so"), options); });
    EXPECT_NE(error.find("program 'outside': refers to map #5, but the module has 1 maps"), std::string::npos) << error;
}

}  // namespace
