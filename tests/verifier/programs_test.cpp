// Every program of every object in tests/programs (and our own verifier_*.c)
// must verify; programs meant to be rejected carry "reject" in their name and
// state the expected key phrase in their section name's object as a comment
// table below.
#include <gtest/gtest.h>

#include <filesystem>
#include <map>

#include "ebpf/error.hpp"

#include "ebpf/object.hpp"
#include "ebpf/verifier.hpp"

namespace ebpf::testing {
namespace {

// Programs built to be rejected, and the key phrase each must produce.
const std::map<std::string, std::string> kExpectedRejections = {
    {"reject_unchecked_lookup", "may be NULL when dereferenced"},
    {"xdp_uses_sockmap", "cannot be used with map 'socks' of type sockmap"},  // unprovided_map.c
    {"reject_leaked_record", "unreleased reference"},
    {"reject_unbounded_packet", "bytes are proven to be inside"},
    {"reject_infinite_loop", "infinite loop detected"},
    {"reject_map_overflow", "outside its size"},
    {"reject_tail_call_holding_record", "tail_call would lead to reference leak"},
    {"reject_update_read_only_map", "write into map forbidden"},
    {"reject_store_into_read_only_map", "write into read-only map 'settings'"},
};

std::vector<std::string> objects() {
    std::vector<std::string> out;
    for (const auto& entry : std::filesystem::directory_iterator(EBPF_TEST_PROGRAMS_DIR))
        if (entry.path().extension() == ".o") out.push_back(entry.path().string());
    std::sort(out.begin(), out.end());
    return out;
}

TEST(VerifierPrograms, EveryTestProgramVerifies) {
    size_t verified = 0;
    for (const std::string& path : objects()) {
        Object object;
        try {
            object = open_object(path);
        } catch (const Error&) {
            // Objects the loader refuses on purpose are the loader's tests.
            continue;
        }
        for (const Program& program : object.programs) {
            if (program.type == ProgramType::unspec) continue;  // e.g. tracing programs: no runtime type
            if (!program.load_error.empty()) continue;  // cannot load (core_reloc.o): the loader's tests
            const VerifyResult result = verify_program(program, object.maps);
            auto expected = kExpectedRejections.find(program.name);
            if (expected != kExpectedRejections.end()) {
                ASSERT_FALSE(result.ok) << path << ": " << program.name << " was accepted";
                EXPECT_NE(result.errors[0].message.find(expected->second), std::string::npos)
                    << path << ": " << program.name << ": " << result.errors[0].message;
                EXPECT_TRUE(result.errors[0].where.has_value()) << "no source line for " << program.name;
                continue;
            }
            EXPECT_TRUE(result.ok) << (result.errors.empty() ? "" : format_diagnostic(result.errors[0], path));
            ++verified;
        }
    }
    EXPECT_GE(verified, 10u);
}

TEST(VerifierPrograms, ContextAccessesAreReportedAndRewritten) {
    const Object object = open_object(std::string(EBPF_TEST_PROGRAMS_DIR) + "/xdp_parse.o");
    const Program* program = object.find_program("xdp_parse");
    ASSERT_NE(program, nullptr);
    const VerifyResult result = verify_program(*program, object.maps);
    ASSERT_TRUE(result.ok);
    ASSERT_EQ(result.ctx_accesses.size(), 2u);  // data and data_end
    auto rewritten = rewrite_context_accesses(program->insns, program->type, result.ctx_accesses);
    for (const CtxAccess& a : result.ctx_accesses) {
        const Instruction& insn = rewritten[a.insn];
        EXPECT_EQ(op::size(insn.opcode), op::kSizeDW);  // pointers are 8 bytes at run time
        EXPECT_EQ(insn.offset, a.ctx_offset == 0 ? 0 : 8);
    }
}

}  // namespace
}  // namespace ebpf::testing
