// One program selected from the middle of a tail-call chain (issue 14 item
// 7): stage_a -> stage_b -> stage_c -> stage_bad, each through its own prog
// array; stage_bad cannot load (an extern). Selecting stage_b must load
// stage_c with it (not stage_a), fill the slots, leave stage_bad's slot empty
// with a warning — in every mode, from the object and from a module.
#include "core_test_support.hpp"

namespace ebpf::core_test {
namespace {

uint64_t ran(const LoadedObject& object, uint32_t stage) {
    auto value = object.map("ran").lookup({reinterpret_cast<const uint8_t*>(&stage), 4});
    uint64_t n = 0;
    if (value) std::memcpy(&n, value->data(), sizeof n);
    return n;
}

void expect_middle_selection(const LoadedObject& object) {
    EXPECT_FALSE(object.find_program("stage_a"));
    EXPECT_TRUE(object.find_program("stage_b"));
    EXPECT_TRUE(object.find_program("stage_c"));
    EXPECT_FALSE(object.find_program("stage_bad"));
    bool warned = false;
    for (const auto& warning : object.warnings()) warned |= warning.find("to_bad': slot 0 stays empty") != std::string::npos;
    EXPECT_TRUE(warned) << "no warning about stage_bad's slot";
    std::vector<uint8_t> buf(16, 0);
    EXPECT_EQ(test_run(object.program("stage_b"), {.data = buf}).retval, 30u);  // b, then c, whose tail call falls through
    EXPECT_EQ(ran(object, 0), 0u);
    EXPECT_EQ(ran(object, 1), 1u);
    EXPECT_EQ(ran(object, 2), 1u);
    EXPECT_EQ(ran(object, 3), 0u);
}

TEST(TailSelection, MiddleOfAChainInEveryMode) {
    const std::string path = program_path("core_tail_select");
    Object object = open_object(path);
    EXPECT_NE(object.find_program("stage_bad")->load_error.find("bpf_no_such_kernel_symbol"), std::string::npos);
    LoadOptions options;
    options.programs = {"stage_b"};
    for (ExecMode mode : all_modes()) {
        SCOPED_TRACE(exec_mode_name(mode));
        PrivateDirectory dir("ebpf-core-test");
        // Native: the module of the whole object (bpf2c leaves stage_bad
        // out), loaded with one program selected, as `ebpf run x.so --prog`.
        auto loaded = load_in_mode(path, mode, options, dir);
        expect_middle_selection(*loaded);
    }
}

TEST(TailSelection, ModuleBuiltForOneProgramHoldsItsTargets) {
    // ebpf build --section stage_b: stage_b and stage_c, stage_bad left out.
    Bpf2cOptions bpf2c_options;
    bpf2c_options.section = "stage_b";
    const auto unit = prepare_translation_unit(open_object(program_path("core_tail_select")), bpf2c_options);
    std::vector<std::string> names;
    for (const auto& program : unit.programs) names.push_back(program.name);
    EXPECT_EQ(names, (std::vector<std::string>{"stage_b", "stage_c"}));
    ASSERT_EQ(unit.warnings.size(), 1u);
    EXPECT_NE(unit.warnings[0].find("stage_bad"), std::string::npos) << unit.warnings[0];

    PrivateDirectory dir("ebpf-core-test");
    const auto result = bpf2c(open_object(program_path("core_tail_select")), bpf2c_options);
    write_file_atomically(dir.file("prog.c"), result.c_source);
    compile_c_to_module(dir.file("prog.c"), dir.file("prog.so"));
    LoadOptions options;
    options.mode = ExecMode::native;
    auto whole = load_object(dir.file("prog.so"), options);  // the whole module: b and c
    std::vector<uint8_t> buf(16, 0);
    EXPECT_EQ(test_run(whole->program("stage_b"), {.data = buf}).retval, 30u);
    EXPECT_EQ(ran(*whole, 2), 1u);
}

TEST(TailSelection, WholeObjectLeavesOutWhatCannotLoad) {
    auto loaded = load_object(program_path("core_tail_select"));
    EXPECT_TRUE(loaded->find_program("stage_a"));
    EXPECT_FALSE(loaded->find_program("stage_bad"));
    std::vector<uint8_t> buf(16, 0);
    EXPECT_EQ(test_run(loaded->program("stage_a"), {.data = buf}).retval, 30u);
    EXPECT_EQ(ran(*loaded, 0), 1u);
    EXPECT_EQ(ran(*loaded, 1), 1u);
    EXPECT_EQ(ran(*loaded, 2), 1u);
}

}  // namespace
}  // namespace ebpf::core_test
