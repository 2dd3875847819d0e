// The public API around verification: diagnostics formatting, the log,
// statistics, context rewriting and its errors.
#include <gtest/gtest.h>

#include "ebpf/error.hpp"
#include "ebpf/verifier.hpp"

namespace ebpf::testing {
namespace {

TEST(VerifierApi, DiagnosticWithSourceLine) {
    VerifyDiagnostic d;
    d.insn = 12;
    d.where = SourceLocation{"prog.c", 96, 5, "    return *value;"};
    d.message = "R1 may be NULL when dereferenced";
    d.insn_text = "r0 = *(u64 *)(r1 + 0)";
    d.state = "R1=map_value_or_null(off=0)";
    d.path = {"branch taken at insn 4 (prog.c:90)"};
    const std::string text = format_diagnostic(d, "prog.o");
    EXPECT_EQ(text.rfind("prog.c:96:5: error: R1 may be NULL when dereferenced\n", 0), 0u) << text;
    EXPECT_NE(text.find("insn 12: r0 = *(u64 *)(r1 + 0)"), std::string::npos);
    EXPECT_NE(text.find("state: R1=map_value_or_null"), std::string::npos);
    EXPECT_NE(text.find("branch taken at insn 4"), std::string::npos);
}

TEST(VerifierApi, DiagnosticWithoutLineInfoNamesTheInstruction) {
    VerifyDiagnostic d;
    d.insn = 3;
    d.message = "R0 is read before it is initialised";
    EXPECT_EQ(format_diagnostic(d, "prog.o").rfind("prog.o:insn 3: error: R0 is read", 0), 0u);
}

TEST(VerifierApi, ResultCarriesInstructionStatePathAndStats) {
    const auto insns = assemble(R"(
        call 7
        if r0 > 10 goto big
        r0 = 0
        exit
    big:
        r1 = *(u64 *)(r10 - 8)
        r0 = 0
        exit
    )");
    VerifyOptions options;
    options.log_level = 2;
    const VerifyResult r = verify_instructions(insns, ProgramType::hook, {}, options);
    ASSERT_FALSE(r.ok);
    const VerifyDiagnostic& d = r.errors.at(0);
    EXPECT_EQ(d.insn, 4u);
    EXPECT_EQ(d.insn_text, "r1 = *(u64 *)(r10 - 8)");
    EXPECT_NE(d.state.find("R0=scalar"), std::string::npos) << d.state;
    ASSERT_EQ(d.path.size(), 1u);
    EXPECT_NE(d.path[0].find("branch taken at insn 1"), std::string::npos);
    EXPECT_GT(r.stats.insns_processed, 2u);
    EXPECT_NE(r.log.find("1: if r0 > 0xa goto"), std::string::npos) << r.log;
}

TEST(VerifierApi, UnknownSectionSuggestsTheClosestKnownOne) {
    Program program;
    program.name = "prog";
    program.section = "xpd";
    program.insns = assemble("r0 = 0\nexit\n");
    VerifyResult r = verify_program(program, {});
    ASSERT_FALSE(r.ok);
    EXPECT_NE(r.errors[0].message.find("unknown program type of section 'xpd': did you mean 'xdp'?"), std::string::npos)
        << r.errors[0].message;
    program.section = "cgroup/bnd4";
    r = verify_program(program, {});
    EXPECT_NE(r.errors[0].message.find("did you mean 'cgroup/bind4'?"), std::string::npos) << r.errors[0].message;
    program.section = "hok/my_hook";
    r = verify_program(program, {});
    EXPECT_NE(r.errors[0].message.find("did you mean 'hook/'?"), std::string::npos) << r.errors[0].message;
    // Not a typo of anything: no guess.
    program.section = "kprobe/sys_open";
    r = verify_program(program, {});
    EXPECT_EQ(r.errors[0].message.find("did you mean"), std::string::npos) << r.errors[0].message;
    EXPECT_EQ(closest_section_name("tracepoint/x"), "");
    EXPECT_EQ(closest_section_name("tp/syscalls/sys_enter_write"), "");  // libbpf's, not a typo of "tc/"
    EXPECT_EQ(closest_section_name("sockt"), "socket");
}

TEST(VerifierApi, StatsOfAnAcceptedProgram) {
    const auto insns = assemble("r0 = 0\nr1 = 0\nloop:\nr0 += r1\nr1 += 1\nif r1 < 10 goto loop\nexit\n");
    const VerifyResult r = verify_instructions(insns, ProgramType::hook);
    ASSERT_TRUE(r.ok);
    EXPECT_EQ(r.stats.insns_processed, 2u + 10u * 3u + 1u);
    EXPECT_GE(r.stats.states_visited, 10u);
    EXPECT_GE(r.stats.peak_states, 1u);
    EXPECT_GT(r.stats.peak_memory_bytes, 0u);
    EXPECT_GE(r.stats.seconds, 0.0);
}

TEST(VerifierApi, RewriteRejectsBadAccesses) {
    const auto insns = assemble("r0 = *(u32 *)(r1 + 0)\nr0 = 2\nexit\n");
    std::vector<CtxAccess> outside{{7, 0}};
    EXPECT_THROW(rewrite_context_accesses(insns, ProgramType::xdp, outside), Error);
    std::vector<CtxAccess> not_memory{{1, 0}};
    EXPECT_THROW(rewrite_context_accesses(insns, ProgramType::xdp, not_memory), Error);
    std::vector<CtxAccess> no_field{{0, 100}};
    EXPECT_THROW(rewrite_context_accesses(insns, ProgramType::xdp, no_field), Error);
    std::vector<CtxAccess> data_end{{0, 4}};
    auto out = rewrite_context_accesses(insns, ProgramType::xdp, data_end);
    EXPECT_EQ(out[0].offset, 4);  // data_end lives at 8 at run time: 0 + (8 - 4)
    EXPECT_EQ(op::size(out[0].opcode), op::kSizeDW);
}

TEST(VerifierApi, ScalarContextFieldKeepsItsSize) {
    const auto insns = assemble("r0 = *(u32 *)(r1 + 16)\nr0 &= 3\nexit\n");
    const VerifyResult r = verify_instructions(insns, ProgramType::xdp);
    ASSERT_TRUE(r.ok);
    ASSERT_EQ(r.ctx_accesses.size(), 1u);
    auto out = rewrite_context_accesses(insns, ProgramType::xdp, r.ctx_accesses);
    EXPECT_EQ(out[0].offset, 28);  // rx_queue_index in XdpRuntimeContext
    EXPECT_EQ(op::size(out[0].opcode), op::kSizeW);
}

TEST(VerifierApi, MalformedBytecodeIsAnErrorNotACrash) {
    std::vector<Instruction> bad(3);
    bad[0].opcode = 0xff;
    const VerifyResult r = verify_instructions(bad, ProgramType::hook);
    ASSERT_FALSE(r.ok);
    EXPECT_NE(r.errors[0].message.find("instruction 0"), std::string::npos) << r.errors[0].message;
}

}  // namespace
}  // namespace ebpf::testing
