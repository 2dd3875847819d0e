// Strings from the ELF file are untrusted: names and source lines that carry
// C (comment ends, newlines, quotes, backslashes, trigraphs, # directives)
// must reach the generated C only as identifiers or escaped literals. If any
// of it became code, the #error lines below would stop the compiler; the
// loaded module must also give back every string byte for byte.
#include <gtest/gtest.h>

#include <sstream>

#include "../../src/native/codegen_strings.hpp"
#include "ebpf/error.hpp"
#include "native_test_support.hpp"

namespace {

using native_test::insn;
namespace op = ebpf::op;

const std::string kInjections[] = {
    "x*/\n#error injected via comment end\n/*",
    "\"; #error injected via quote\n",
    "a\\\n#error injected via line splice",
    "?" "?/\n#error injected via trigraph",
    "\n#include \"/etc/passwd\"\n",
    "name\r\n#define uint64_t char\n",
    std::string("nul\0byte", 8),
    "\x7f\xff\x01 high and control bytes",
    "*/ } int injected(void) { return 1; } /*",
};

TEST(UntrustedStrings, IdentifiersAreSanitizedAndCollisionFree) {
    ebpf::codegen::IdentifierSet names;
    EXPECT_EQ(names.make("prog", "xdp_pass"), "prog_xdp_pass");
    EXPECT_EQ(names.make("prog", "a.b"), "prog_a_b");
    EXPECT_EQ(names.make("prog", "a-b"), "prog_a_b_2");
    EXPECT_EQ(names.make("prog", "a*/\n#"), "prog_a____");
    for (const auto& text : kInjections) {
        std::string id = names.make("sub", text);
        for (char c : id) EXPECT_TRUE(std::isalnum(static_cast<unsigned char>(c)) || c == '_') << id;
    }
}

TEST(UntrustedStrings, LiteralsEscapeEverythingDangerous) {
    EXPECT_EQ(ebpf::codegen::c_string_literal("plain.c"), "\"plain.c\"");
    EXPECT_EQ(ebpf::codegen::c_string_literal("a\"b\\c\nd?" "?/"), "\"a\\042b\\134c\\012d\\077\\077/\"");
    for (const auto& text : kInjections) {
        std::string literal = ebpf::codegen::c_string_literal(text);
        EXPECT_EQ(literal.find('\n'), std::string::npos);
        EXPECT_EQ(literal.find('?'), std::string::npos);
        EXPECT_EQ(literal.find('"', 1), literal.size() - 1) << literal;
    }
}

TEST(UntrustedStrings, CommentTextCannotEndTheComment) {
    for (const auto& text : kInjections) {
        std::string comment = ebpf::codegen::comment_text(text);
        EXPECT_EQ(comment.find("*/"), std::string::npos);
        EXPECT_EQ(comment.find('\n'), std::string::npos);
        EXPECT_EQ(comment.find('\\'), std::string::npos);
    }
}

TEST(UntrustedStrings, NothingFromTheObjectReachesTheCompilerAsCode) {
    ebpf::TranslationUnit unit;
    unit.source_name = kInjections[0];
    for (size_t i = 0; i < std::size(kInjections); ++i) {
        const std::string& evil = kInjections[i];
        ebpf::MapDefinition map;
        map.name = evil;
        map.type = ebpf::MapType::array;
        map.key_size = 4;
        map.value_size = 4;
        map.max_entries = 1;
        unit.maps.push_back(map);

        ebpf::TranslationProgram program;
        program.name = evil;       // function name
        program.section = evil;    // section name
        program.type = ebpf::ProgramType::hook;
        // main: call sub; exit. sub: r0 = i; exit.
        program.insns = {insn(op::kClassJmp | op::kCall, 0, op::kCallLocal, 0, 1),
                         insn(op::kClassJmp | op::kExit, 0, 0, 0, 0),
                         insn(op::kClassAlu64 | op::kMov, 0, 0, 0, static_cast<int32_t>(i)),
                         insn(op::kClassJmp | op::kExit, 0, 0, 0, 0)};
        program.functions = {{0, evil}, {2, evil + "sub"}};
        ebpf::SourceLocation where;
        where.file = evil;        // BTF file name
        where.line = 7;
        where.text = evil;        // BTF source line
        program.lines = {{0, where}, {2, where}};
        program.verified_instruction_count = 4;
        unit.programs.push_back(program);
    }
    std::string c = ebpf::generate_c(unit);

    // Every preprocessor line is one bpf2c wrote itself.
    std::istringstream lines(c);
    std::string line;
    while (std::getline(lines, line)) {
        if (line.empty() || line[0] != '#') continue;
        bool ours = line.rfind("#line ", 0) == 0 || line.rfind("#include <stdint.h>", 0) == 0 ||
                    line.rfind("#define EBPF_", 0) == 0 || line.rfind("#ifndef EBPF_", 0) == 0 ||
                    line.rfind("#ifdef __cplusplus", 0) == 0 || line.rfind("#endif", 0) == 0 ||
                    // the prelude's byte-order guard (codegen_prelude.hpp)
                    line == "#if !defined(__BYTE_ORDER__) || __BYTE_ORDER__ != __ORDER_LITTLE_ENDIAN__" ||
                    line.rfind("#error \"ebpf-native modules need a little-endian target", 0) == 0;
        EXPECT_TRUE(ours) << "unexpected directive: " << line;
    }

    // It compiles (an injected #error would stop it) and the metadata gives
    // back every string exactly.
    native_test::TempDir dir;
    ebpf::HelperTable helpers;
    ebpf::ModuleLoadOptions options;
    options.helpers = &helpers;
    std::vector<uint64_t> fake_maps(unit.maps.size());
    std::vector<std::string> map_names;
    options.create_map = [&](std::span<const ebpf::MapDefinition> definitions, uint32_t index) {
        map_names.push_back(definitions[index].name);
        return ebpf::MapBinding{reinterpret_cast<uint64_t>(&fake_maps[index]), 0};
    };
    auto module = ebpf::load_module_from_memory(native_test::compile_module_bytes(c, dir), options);
    ASSERT_EQ(module->programs().size(), std::size(kInjections));
    for (size_t i = 0; i < std::size(kInjections); ++i) {
        EXPECT_EQ(module->programs()[i].name, kInjections[i].substr(0, kInjections[i].find('\0')));
        EXPECT_EQ(module->programs()[i].section, kInjections[i].substr(0, kInjections[i].find('\0')));
        EXPECT_EQ(map_names[i], kInjections[i].substr(0, kInjections[i].find('\0')));
        EXPECT_EQ(module->make_engine(i)->run(0, 0), i);
    }
}

}  // namespace
