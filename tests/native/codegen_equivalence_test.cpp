// bpf2c's translation checked against the interpreter, instruction by
// instruction: random straight-line and branching ALU programs (every ALU and
// jump operation, both widths, K and X forms, edge values such as INT64_MIN,
// -1 and 0 divisors), and hand-written programs for memory, atomics, local
// calls, callbacks and the tail-call contract. All programs go into one
// module so the C compiler runs once.
#include <gtest/gtest.h>

#include <cstring>
#include <random>

#include "ebpf/error.hpp"
#include "ebpf/exec.hpp"
#include "native_test_support.hpp"

namespace {

using ebpf::Instruction;
using native_test::insn;
namespace op = ebpf::op;

constexpr int32_t kTestHelperAdd = 1000;     // r1 + 2*r2
constexpr int32_t kTestHelperCallback = 1001;// calls callback r1 with (r2, 7)

uint64_t helper_add(uint64_t a, uint64_t b, uint64_t, uint64_t, uint64_t) { return a + 2 * b; }
uint64_t helper_callback(uint64_t fn, uint64_t a, uint64_t, uint64_t, uint64_t) {
    return ebpf::run_state().engine->call_function(fn, a, 7, 0, 0, 0) + 1;
}
uint64_t helper_tail_call(uint64_t, uint64_t, uint64_t, uint64_t, uint64_t) {
    static const int target = 0;
    ebpf::run_state().tail_call_target = &target;
    return 0;
}

ebpf::HelperTable test_helpers() {
    ebpf::HelperTable table;
    table.set(kTestHelperAdd, &helper_add);
    table.set(kTestHelperCallback, &helper_callback);
    table.set(ebpf::helper_id::tail_call, &helper_tail_call);
    return table;
}

void lddw(std::vector<Instruction>& out, int dst, uint64_t value) {
    out.push_back(insn(op::kLddw, dst, 0, 0, static_cast<int32_t>(static_cast<uint32_t>(value))));
    out.push_back(insn(0, 0, 0, 0, static_cast<int32_t>(static_cast<uint32_t>(value >> 32))));
}

const uint64_t kEdgeValues[] = {0, 1, 2, 3, 7, 31, 32, 63, 64, 0x7f, 0x80, 0xff, 0xffff, 0x8000,
                                0x7fffffff, 0x80000000, 0xffffffff, 0x100000000, 0x7fffffffffffffff,
                                0x8000000000000000, 0xffffffffffffffff, 0xfffffffffffffffe,
                                0xffffffff80000000, 0x123456789abcdef0};

class RandomProgram {
public:
    explicit RandomProgram(uint32_t seed) : rng_(seed) {}

    uint64_t value() {
        if (rng_() % 2) return kEdgeValues[rng_() % std::size(kEdgeValues)];
        return (static_cast<uint64_t>(rng_()) << 32) | rng_();
    }
    int32_t imm() { return static_cast<int32_t>(static_cast<uint32_t>(value())); }
    int reg() { return static_cast<int>(rng_() % 10); }

    std::vector<Instruction> make(int body_length) {
        std::vector<Instruction> out;
        for (int r = 0; r <= 9; ++r) lddw(out, r, value());
        for (int i = 0; i < body_length; ++i) {
            int remaining = body_length - i;
            out.push_back(rng_() % 5 == 0 ? jump(remaining) : alu());
        }
        // Fold every register into r0 so any difference shows.
        for (int r = 1; r <= 9; ++r) {
            out.push_back(insn(op::kClassAlu64 | op::kMul, 0, 0, 0, 31));
            out.push_back(insn(op::kClassAlu64 | op::kXor | op::kSrcX, 0, r, 0, 0));
        }
        out.push_back(insn(op::kClassJmp | op::kExit, 0, 0, 0, 0));
        return out;
    }

private:
    Instruction jump(int remaining) {
        static const uint8_t ops[] = {op::kJeq, op::kJne, op::kJgt, op::kJge, op::kJlt, op::kJle, op::kJset,
                                      op::kJsgt, op::kJsge, op::kJslt, op::kJsle, op::kJa};
        uint8_t jop = ops[rng_() % std::size(ops)];
        uint8_t cls = rng_() % 2 ? op::kClassJmp : op::kClassJmp32;
        int16_t offset = static_cast<int16_t>(rng_() % std::min(remaining, 4));
        if (jop == op::kJa && cls == op::kClassJmp32)  // gotol: offset in imm
            return insn(cls | op::kJa, 0, 0, 0, offset);
        if (jop == op::kJa) return insn(cls | op::kJa, 0, 0, offset, 0);
        bool x = rng_() % 2;
        return insn(cls | jop | (x ? op::kSrcX : op::kSrcK), reg(), x ? reg() : 0, offset, x ? 0 : imm());
    }

    Instruction alu() {
        static const uint8_t ops[] = {op::kAdd, op::kSub, op::kMul, op::kDiv, op::kOr, op::kAnd, op::kLsh, op::kRsh,
                                      op::kNeg, op::kMod, op::kXor, op::kMov, op::kArsh, op::kEnd};
        uint8_t aop = ops[rng_() % std::size(ops)];
        bool is64 = rng_() % 2;
        uint8_t cls = is64 ? op::kClassAlu64 : op::kClassAlu;
        int dst = reg();
        bool x = rng_() % 2;
        int16_t offset = 0;
        int32_t k = imm();
        if (aop == op::kNeg) return insn(cls | aop, dst, 0, 0, 0);
        if (aop == op::kEnd) {
            static const int32_t widths[] = {16, 32, 64};
            // ALU64 END is bswap (src bit 0); ALU END is to-le / to-be.
            return insn(cls | aop | (!is64 && x ? op::kSrcX : 0), dst, 0, 0, widths[rng_() % 3]);
        }
        if (aop == op::kDiv || aop == op::kMod) offset = static_cast<int16_t>(rng_() % 2);  // sdiv/smod
        if (aop == op::kMov && rng_() % 2) {
            static const int16_t sx64[] = {8, 16, 32};
            static const int16_t sx32[] = {8, 16};
            x = true;
            offset = is64 ? sx64[rng_() % 3] : sx32[rng_() % 2];
        }
        if ((aop == op::kLsh || aop == op::kRsh || aop == op::kArsh) && !x)
            k = static_cast<int32_t>(rng_() % (is64 ? 64 : 32));
        return insn(cls | aop | (x ? op::kSrcX : op::kSrcK), dst, x ? reg() : 0, offset, x ? 0 : k);
    }

    std::mt19937 rng_;
};

// Hand-written programs over a 64-byte memory buffer in r1 (r2 = its length).
std::vector<Instruction> memory_program() {
    std::vector<Instruction> p;
    auto st = [&](uint8_t size, int16_t off, int32_t imm) { p.push_back(insn(op::kClassSt | op::kModeMem | size, 1, 0, off, imm)); };
    auto stx = [&](uint8_t size, int16_t off, int src) { p.push_back(insn(op::kClassStx | op::kModeMem | size, 1, src, off, 0)); };
    auto ldx = [&](uint8_t mode, uint8_t size, int dst, int16_t off) { p.push_back(insn(op::kClassLdx | mode | size, dst, 1, off, 0)); };
    auto atomic = [&](uint8_t size, int16_t off, int src, int32_t imm) { p.push_back(insn(op::kClassStx | op::kModeAtomic | size, 1, src, off, imm)); };
    auto add_r0 = [&](int r) {
        p.push_back(insn(op::kClassAlu64 | op::kMul, 0, 0, 0, 33));
        p.push_back(insn(op::kClassAlu64 | op::kAdd | op::kSrcX, 0, r, 0, 0));
    };
    p.push_back(insn(op::kClassAlu64 | op::kMov, 0, 0, 0, 5));
    st(op::kSizeB, 1, -3);
    st(op::kSizeH, 3, -300);   // unaligned
    st(op::kSizeW, 5, -70000);
    st(op::kSizeDW, 9, -2);
    lddw(p, 3, 0x8081828384858687);
    stx(op::kSizeDW, 17, 3);
    stx(op::kSizeW, 25, 3);
    stx(op::kSizeH, 29, 3);
    stx(op::kSizeB, 31, 3);
    for (uint8_t size : {op::kSizeB, op::kSizeH, op::kSizeW, op::kSizeDW}) {
        ldx(op::kModeMem, size, 4, 17);
        add_r0(4);
        if (size != op::kSizeDW) {
            ldx(op::kModeMemSx, size, 4, 17);
            add_r0(4);
        }
    }
    // Atomics on aligned slots at 32 (u64) and 40 (u32).
    lddw(p, 5, 0x1111111111111111);
    stx(op::kSizeDW, 32, 5);
    stx(op::kSizeW, 40, 5);
    for (int32_t aop : {int32_t(op::kAdd), int32_t(op::kOr), int32_t(op::kAnd), int32_t(op::kXor)}) {
        for (uint8_t size : {op::kSizeDW, op::kSizeW}) {
            p.push_back(insn(op::kClassAlu64 | op::kMov, 6, 0, 0, 0x0f0f0f0f));
            atomic(size, size == op::kSizeDW ? 32 : 40, 6, aop);
            p.push_back(insn(op::kClassAlu64 | op::kMov, 6, 0, 0, 0x30303));
            atomic(size, size == op::kSizeDW ? 32 : 40, 6, aop | op::kAtomicFetch);
            add_r0(6);
        }
    }
    for (uint8_t size : {op::kSizeDW, op::kSizeW}) {
        int16_t off = size == op::kSizeDW ? 32 : 40;
        p.push_back(insn(op::kClassAlu64 | op::kMov, 7, 0, 0, -5));
        atomic(size, off, 7, op::kAtomicXchg);
        add_r0(7);
        // cmpxchg that fails (r0 is not the value) and one that succeeds.
        p.push_back(insn(op::kClassAlu64 | op::kMov | op::kSrcX, 8, 0, 0, 0));
        p.push_back(insn(op::kClassAlu64 | op::kMov, 0, 0, 0, 1));
        atomic(size, off, 7, op::kAtomicCmpXchg);
        p.push_back(insn(op::kClassAlu64 | op::kMov, 7, 0, 0, 77));
        atomic(size, off, 7, op::kAtomicCmpXchg);
        add_r0(8);
    }
    // Stack: store and reload through r10.
    stx(op::kSizeDW, 0, 0);
    p.push_back(insn(op::kClassStx | op::kModeMem | op::kSizeDW, 10, 3, -8, 0));
    p.push_back(insn(op::kClassLdx | op::kModeMem | op::kSizeW, 9, 10, -4, 0));
    add_r0(9);
    add_r0(2);  // the length argument
    p.push_back(insn(op::kClassJmp | op::kExit, 0, 0, 0, 0));
    return p;
}

// Local calls: each frame has its own stack; a helper; a callback through a
// helper (call_function); r6-r9 survive calls.
std::vector<Instruction> call_program() {
    std::vector<Instruction> p;
    p.push_back(insn(op::kClassAlu64 | op::kMov, 6, 0, 0, 1234));
    p.push_back(insn(op::kClassSt | op::kModeMem | op::kSizeDW, 10, 0, -8, 111));
    p.push_back(insn(op::kClassAlu64 | op::kMov, 1, 0, 0, 10));
    p.push_back(insn(op::kClassJmp | op::kCall, 0, op::kCallLocal, 0, 0));  // → sub at +? patched below
    size_t call_at = p.size() - 1;
    p.push_back(insn(op::kClassAlu64 | op::kAdd | op::kSrcX, 0, 6, 0, 0));
    p.push_back(insn(op::kClassLdx | op::kModeMem | op::kSizeDW, 7, 10, -8, 0));
    p.push_back(insn(op::kClassAlu64 | op::kAdd | op::kSrcX, 0, 7, 0, 0));
    p.push_back(insn(op::kClassAlu64 | op::kMov | op::kSrcX, 6, 0, 0, 0));
    // helper_add(r0, 3)
    p.push_back(insn(op::kClassAlu64 | op::kMov | op::kSrcX, 1, 6, 0, 0));
    p.push_back(insn(op::kClassAlu64 | op::kMov, 2, 0, 0, 3));
    p.push_back(insn(op::kClassJmp | op::kCall, 0, op::kCallHelper, 0, kTestHelperAdd));
    p.push_back(insn(op::kClassAlu64 | op::kMov | op::kSrcX, 6, 0, 0, 0));
    // helper_callback(&callback, 5)
    lddw(p, 1, 0);
    size_t func_at = p.size() - 2;
    p[func_at].src = op::kPseudoFunc;
    p.push_back(insn(op::kClassAlu64 | op::kMov, 2, 0, 0, 5));
    p.push_back(insn(op::kClassJmp | op::kCall, 0, op::kCallHelper, 0, kTestHelperCallback));
    p.push_back(insn(op::kClassAlu64 | op::kMul, 0, 0, 0, 1000));
    p.push_back(insn(op::kClassAlu64 | op::kAdd | op::kSrcX, 0, 6, 0, 0));
    p.push_back(insn(op::kClassJmp | op::kExit, 0, 0, 0, 0));
    // sub(r1): its own stack slot at r10-8, returns r1*3 + slot
    size_t sub = p.size();
    p.push_back(insn(op::kClassSt | op::kModeMem | op::kSizeDW, 10, 0, -8, 9));
    p.push_back(insn(op::kClassAlu64 | op::kMov | op::kSrcX, 0, 1, 0, 0));
    p.push_back(insn(op::kClassAlu64 | op::kMul, 0, 0, 0, 3));
    p.push_back(insn(op::kClassLdx | op::kModeMem | op::kSizeDW, 2, 10, -8, 0));
    p.push_back(insn(op::kClassAlu64 | op::kAdd | op::kSrcX, 0, 2, 0, 0));
    p.push_back(insn(op::kClassAlu64 | op::kMov, 6, 0, 0, -1));  // callee-saved in the caller's view
    p.push_back(insn(op::kClassJmp | op::kExit, 0, 0, 0, 0));
    // callback(a, b): a * 100 + b
    size_t callback = p.size();
    p.push_back(insn(op::kClassAlu64 | op::kMov | op::kSrcX, 0, 1, 0, 0));
    p.push_back(insn(op::kClassAlu64 | op::kMul, 0, 0, 0, 100));
    p.push_back(insn(op::kClassAlu64 | op::kAdd | op::kSrcX, 0, 2, 0, 0));
    p.push_back(insn(op::kClassJmp | op::kExit, 0, 0, 0, 0));
    p[call_at].imm = static_cast<int32_t>(sub - call_at - 1);
    p[func_at].imm = static_cast<int32_t>(callback - func_at - 1);
    return p;
}

// tail_call: after helper 12 sets the target, nothing else of the program runs.
std::vector<Instruction> tail_call_program() {
    std::vector<Instruction> p;
    p.push_back(insn(op::kClassSt | op::kModeMem | op::kSizeB, 1, 0, 0, 1));
    p.push_back(insn(op::kClassJmp | op::kCall, 0, op::kCallHelper, 0, ebpf::helper_id::tail_call));
    p.push_back(insn(op::kClassSt | op::kModeMem | op::kSizeB, 1, 0, 0, 2));  // must not run
    p.push_back(insn(op::kClassAlu64 | op::kMov, 0, 0, 0, 99));
    p.push_back(insn(op::kClassJmp | op::kExit, 0, 0, 0, 0));
    return p;
}

struct Case {
    std::string name;
    std::vector<Instruction> insns;
};

class CodegenEquivalence : public ::testing::Test {
protected:
    static void SetUpTestSuite() {
        cases_ = new std::vector<Case>();
        for (uint32_t seed = 1; seed <= 300; ++seed)
            cases_->push_back({"random_" + std::to_string(seed), RandomProgram(seed).make(40)});
        cases_->push_back({"memory", memory_program()});
        cases_->push_back({"calls", call_program()});
        cases_->push_back({"tail_call", tail_call_program()});
        ebpf::TranslationUnit unit;
        unit.source_name = "equivalence";
        for (const auto& c : *cases_) {
            ebpf::TranslationProgram program;
            program.name = c.name;
            program.section = "raw";
            program.type = ebpf::ProgramType::raw_memory;
            program.insns = c.insns;
            program.verified_instruction_count = static_cast<uint32_t>(c.insns.size());
            program.bytecode_sha256 = ebpf::sha256_of_instructions(c.insns);
            unit.programs.push_back(std::move(program));
        }
        helpers_ = new ebpf::HelperTable(test_helpers());
        native_test::TempDir dir;
        module_ = new std::shared_ptr<ebpf::NativeModule>(
            native_test::load(native_test::compile_module_bytes(ebpf::generate_c(unit), dir), *helpers_));
    }
    static void TearDownTestSuite() {
        delete module_;
        delete helpers_;
        delete cases_;
    }

    // Runs case `index` in both engines on equal memory and compares.
    static void compare(size_t index) {
        const Case& c = (*cases_)[index];
        SCOPED_TRACE(c.name);
        std::vector<uint8_t> memory_interp(64), memory_native(64);
        for (size_t i = 0; i < 64; ++i) memory_interp[i] = memory_native[i] = static_cast<uint8_t>(i * 7 + 1);

        ebpf::ExecutableProgram executable{c.insns, helpers_};
        auto interpreter = ebpf::make_interpreter(executable);
        ebpf::run_state().tail_call_target = nullptr;
        uint64_t expected = interpreter->run(reinterpret_cast<uint64_t>(memory_interp.data()), memory_interp.size());
        bool expected_tail = ebpf::run_state().tail_call_target != nullptr;
        ebpf::run_state().tail_call_target = nullptr;

        auto engine = (*module_)->make_engine(index);
        EXPECT_EQ(engine->mode(), ebpf::ExecMode::native);
        uint64_t actual = engine->run(reinterpret_cast<uint64_t>(memory_native.data()), memory_native.size());
        bool actual_tail = ebpf::run_state().tail_call_target != nullptr;
        ebpf::run_state().tail_call_target = nullptr;

        if (!expected_tail) {
            EXPECT_EQ(actual, expected) << ebpf::disassemble_program(c.insns);
        }
        EXPECT_EQ(actual_tail, expected_tail);
        EXPECT_EQ(memory_native, memory_interp);
    }

    static std::vector<Case>* cases_;
    static ebpf::HelperTable* helpers_;
    static std::shared_ptr<ebpf::NativeModule>* module_;
};
std::vector<Case>* CodegenEquivalence::cases_ = nullptr;
ebpf::HelperTable* CodegenEquivalence::helpers_ = nullptr;
std::shared_ptr<ebpf::NativeModule>* CodegenEquivalence::module_ = nullptr;

TEST_F(CodegenEquivalence, RandomAluAndJumpProgramsMatchTheInterpreter) {
    for (size_t i = 0; i < 300; ++i) compare(i);
}

TEST_F(CodegenEquivalence, MemoryAndAtomicsMatchTheInterpreter) { compare(300); }

TEST_F(CodegenEquivalence, LocalCallsHelpersAndCallbacksMatchTheInterpreter) {
    compare(301);
    // And the value itself, so a bug shared by both engines still shows:
    // sub(10) = 39, +1234 +111 = 1384; add(1384, 3) = 1390;
    // callback(5, 7) = 507, +1 = 508; 508 * 1000 + 1390.
    std::vector<uint8_t> memory(64);
    EXPECT_EQ((*module_)->make_engine(301)->run(reinterpret_cast<uint64_t>(memory.data()), 64), 508u * 1000 + 1390);
}

TEST_F(CodegenEquivalence, TailCallLeavesTheProgramAtOnce) {
    compare(302);
    std::vector<uint8_t> memory(64);
    (*module_)->make_engine(302)->run(reinterpret_cast<uint64_t>(memory.data()), 64);
    EXPECT_NE(ebpf::run_state().tail_call_target, nullptr);
    ebpf::run_state().tail_call_target = nullptr;
    EXPECT_EQ(memory[0], 1);
}

TEST_F(CodegenEquivalence, ModuleDescribesItsPrograms) {
    const auto& programs = (*module_)->programs();
    ASSERT_EQ(programs.size(), cases_->size());
    EXPECT_EQ(programs[300].name, "memory");
    EXPECT_EQ(programs[300].type, ebpf::ProgramType::raw_memory);
    EXPECT_EQ(programs[300].instruction_count, (*cases_)[300].insns.size());
    EXPECT_EQ(programs[300].bytecode_sha256, ebpf::sha256_of_instructions((*cases_)[300].insns));
    EXPECT_EQ((*module_)->find_program("calls"), std::optional<size_t>(301));
    auto helpers = (*module_)->imported_helpers();
    EXPECT_EQ(helpers, (std::vector<int32_t>{ebpf::helper_id::tail_call, kTestHelperAdd, kTestHelperCallback}));
}

TEST(Codegen, OutputIsDeterministic) {
    ebpf::TranslationUnit unit;
    unit.source_name = "det";
    ebpf::TranslationProgram program;
    program.name = "p";
    program.section = "raw";
    program.insns = RandomProgram(7).make(30);
    unit.programs.push_back(program);
    EXPECT_EQ(ebpf::generate_c(unit), ebpf::generate_c(unit));
}

TEST(Codegen, MalformedBytecodeIsAnErrorNotACrash) {
    ebpf::TranslationUnit unit;
    unit.source_name = "bad";
    ebpf::TranslationProgram program;
    program.name = "p";
    auto expect_error = [&](std::vector<Instruction> insns, const std::string& fragment) {
        unit.programs = {program};
        unit.programs[0].insns = std::move(insns);
        try {
            ebpf::generate_c(unit);
            ADD_FAILURE() << "no error for " << fragment;
        } catch (const ebpf::Error& e) {
            EXPECT_NE(std::string(e.what()).find(fragment), std::string::npos) << e.what();
        }
    };
    expect_error({}, "no instructions");
    expect_error({insn(op::kLddw, 0, 0, 0, 1)}, "LDDW is truncated");
    expect_error({insn(op::kClassJmp | op::kJa, 0, 0, 5, 0), insn(op::kClassJmp | op::kExit, 0, 0, 0, 0)},
                 "jump target");
    expect_error({insn(op::kClassJmp | op::kCall, 0, op::kCallLocal, 0, 40)}, "call target outside");
    expect_error({insn(op::kClassJmp | op::kJa, 0, 0, 1, 0), insn(op::kLddw, 0, 0, 0, 1), insn(0, 0, 0, 0, 0),
                  insn(op::kClassJmp | op::kExit, 0, 0, 0, 0)},
                 "second slot of an LDDW");
    expect_error({insn(op::kLddw, 0, op::kPseudoMapIdx, 0, 3), insn(0, 0, 0, 0, 0),
                  insn(op::kClassJmp | op::kExit, 0, 0, 0, 0)},
                 "map index 3 out of range");
    expect_error({insn(op::kClassLd | op::kModeAbs | op::kSizeW, 0, 0, 0, 0),
                  insn(op::kClassJmp | op::kExit, 0, 0, 0, 0)},
                 "not supported");
    expect_error({insn(op::kClassJmp | op::kCall, 0, op::kCallBtf, 0, 1), insn(op::kClassJmp | op::kExit, 0, 0, 0, 0)},
                 "kfunc");
}

}  // namespace
