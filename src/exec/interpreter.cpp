// The interpreter. The program is decoded once, when the engine is built, into
// a compact internal form (interpreter_decode.hpp): one fixed-size record per
// instruction with its operation resolved to a handler, immediates widened,
// jump and call targets as instruction indices and helpers as addresses. The
// run loop dispatches by threaded code (computed goto: every handler ends in
// its own indirect jump, which the branch predictor learns per handler).
// Verified programs need no run-time checks, so the fast loop has none;
// bounds checking and the instruction budget (for programs that were not
// verified) live in a second instantiation of the same loop (template
// parameter kChecked), which runs the unfused form of every instruction.
#include <bit>
#include <cinttypes>
#include <cstdio>
#include <cstring>
#include <limits>
#include <memory>
#include <string>
#include <unordered_set>

#include "ebpf/abi.hpp"
#include "ebpf/error.hpp"
#include "ebpf/exec.hpp"
#include "interpreter_decode.hpp"

namespace ebpf {

#if EBPF_WITH_INTERPRETER

namespace {

using namespace op;

std::string where(size_t pc) { return "instruction " + std::to_string(pc); }

// Run-time failures leave the dispatch loop through this cold function, so the
// string building stays out of the hot loop's code.
[[noreturn, gnu::cold, gnu::noinline]] void fail_at(size_t pc, const std::string& what) {
    throw Error(where(pc) + ": " + what);
}

std::string hex(uint64_t value) {
    char text[24];
    std::snprintf(text, sizeof text, "0x%" PRIx64, value);
    return text;
}

// "r1 + 8" / "r10 - 8": how the program named an address, for messages.
std::string operand(int base, int16_t offset) {
    std::string text = "r" + std::to_string(base);
    if (offset < 0) return text + " - " + std::to_string(-static_cast<int>(offset));
    return text + " + " + std::to_string(offset);
}

// Memory is reached through memcpy so that unaligned accesses (legal in eBPF)
// are not undefined behaviour in the interpreter.
template <typename T>
T load(uint64_t address) {
    T value;
    std::memcpy(&value, reinterpret_cast<const void*>(address), sizeof value);
    return value;
}
template <typename T>
void store(uint64_t address, T value) {
    std::memcpy(reinterpret_cast<void*>(address), &value, sizeof value);
}

template <typename U>
std::make_signed_t<U> as_signed(U value) { return static_cast<std::make_signed_t<U>>(value); }

// Division and modulo as RFC 9669 defines them: by zero gives 0 (div) or
// leaves the dividend (mod); INT_MIN / -1 wraps instead of trapping.
template <typename U>
U unsigned_div(U dst, U src) { return src == 0 ? 0 : dst / src; }
template <typename U>
U unsigned_mod(U dst, U src) { return src == 0 ? dst : dst % src; }
template <typename U>
U signed_div(U dst, U src) {
    using S = std::make_signed_t<U>;
    if (src == 0) return 0;
    if (static_cast<S>(src) == -1) return U{0} - dst;  // negation that wraps for INT_MIN
    return static_cast<U>(static_cast<S>(dst) / static_cast<S>(src));
}
template <typename U>
U signed_mod(U dst, U src) {
    using S = std::make_signed_t<U>;
    if (src == 0) return dst;
    if (static_cast<S>(src) == -1) return 0;
    return static_cast<U>(static_cast<S>(dst) % static_cast<S>(src));
}

// Atomic read-modify-write on real memory (programs may share maps between
// threads). T is uint32_t or uint64_t; 32-bit fetched values zero-extend.
template <typename T>
void atomic_operation(int32_t operation, uint8_t src, uint64_t* reg, uint64_t address) {
    T* target = reinterpret_cast<T*>(address);
    const T operand_value = static_cast<T>(reg[src]);
    T old = 0;
    switch (operation & ~kAtomicFetch) {
    case kAdd: old = __atomic_fetch_add(target, operand_value, __ATOMIC_SEQ_CST); break;
    case kOr: old = __atomic_fetch_or(target, operand_value, __ATOMIC_SEQ_CST); break;
    case kAnd: old = __atomic_fetch_and(target, operand_value, __ATOMIC_SEQ_CST); break;
    case kXor: old = __atomic_fetch_xor(target, operand_value, __ATOMIC_SEQ_CST); break;
    case kAtomicXchg & ~kAtomicFetch:
        reg[src] = __atomic_exchange_n(target, operand_value, __ATOMIC_SEQ_CST);
        return;
    case kAtomicCmpXchg & ~kAtomicFetch: {
        T expected = static_cast<T>(reg[0]);
        __atomic_compare_exchange_n(target, &expected, operand_value, false, __ATOMIC_SEQ_CST,
                                    __ATOMIC_SEQ_CST);
        reg[0] = expected;  // the old value, whether or not it was replaced
        return;
    }
    default: throw Error("atomic operation " + hex(static_cast<uint32_t>(operation)) + " is not supported");
    }
    if (operation & kAtomicFetch) reg[src] = old;
}

using interp::Decoded;
using interp::Op;

// No initialisers: a run sets a frame before it uses it, and zeroing all
// eight on every run() would be most of the cost of a short program.
struct Frame {
    const Decoded* return_to;
    uint64_t saved[4];  // r6..r9
};

// One run (or call_function) of an engine: what bounds checking allows.
// Activations nest when a helper calls back into the same program. They live
// on the C++ stack of the thread running them and are chained per thread, so
// that any number of threads can run the same engine at once.
struct Activation {
    uint64_t context = 0, context_size = 0;
    uint64_t stack_low = 0, stack_high = 0;  // stacks of the frames live right now
    const Activation* outer = nullptr;       // this engine's enclosing activation on this thread
    const void* engine = nullptr;            // the engine running it
    const Activation* thread_outer = nullptr;  // the enclosing activation on this thread, any engine
    int nesting = 1;                         // activations of this engine on this thread, this one included
};

// The innermost activation of any interpreter on this thread.
thread_local const Activation* t_innermost = nullptr;

// The innermost activation of `engine` on this thread (helpers may nest other
// engines in between), or null outside a run.
const Activation* innermost_of(const void* engine) {
    for (const Activation* a = t_innermost; a; a = a->thread_outer)
        if (a->engine == engine) return a;
    return nullptr;
}

enum class Access { read, write, atomic };

class Interpreter final : public Engine {
public:
    Interpreter(const ExecutableProgram& program, const ExecOptions& options)
        : helpers_(program.helpers), options_(options) {
        if (program.insns.empty()) throw Error("interpreter: the program has no instructions");
        validate(program.insns);
        // One record per instruction plus the sentinel that ends a run which
        // falls off the end. The records never move after decoding: LDDW
        // pseudo-func loads their addresses.
        size_ = program.insns.size();
        code_ = std::make_unique<Decoded[]>(size_ + 1);
        interp::decode_program(program.insns, {code_.get(), size_ + 1});
        for (const uint32_t start : function_starts(program.insns)) function_entries_.insert(start);
    }

    ExecMode mode() const override { return ExecMode::interpret; }

    uint64_t run(uint64_t arg1, uint64_t arg2) override {
        ScopedEngine scope(this);
        return start(0, arg1, arg2, nullptr, arg1, arg2);
    }

    uint64_t call_function(uint64_t function, uint64_t r1, uint64_t r2, uint64_t r3, uint64_t r4,
                           uint64_t r5) override {
        const auto base = reinterpret_cast<uint64_t>(code_.get());
        const uint64_t index = (function - base) / sizeof(Decoded);
        if (function < base || (function - base) % sizeof(Decoded) != 0 || !function_entries_.contains(index)) {
            throw Error("call_function: " + hex(function) + " is not a function of this program");
        }
        ScopedEngine scope(this);
        // A callback reaches the same memory as the run that called the helper.
        const Activation* current = innermost_of(this);
        const uint64_t context = current ? current->context : 0;
        const uint64_t context_size = current ? current->context_size : 0;
        const uint64_t more[3] = {r3, r4, r5};
        return start(index, r1, r2, more, context, context_size);
    }

private:
    // r1 and r2 by value; `more`: r3..r5, or NULL for zeros (run()). Not one
    // array of five: the copy into the registers would read it 16 bytes at
    // a time, which the store buffer cannot forward from the caller's 8-byte
    // stores (a stall on every run).
    uint64_t start(size_t entry, uint64_t r1, uint64_t r2, const uint64_t* more, uint64_t context,
                   uint64_t context_size) {
        const Activation* outer = t_innermost ? innermost_of(this) : nullptr;
        if (outer && outer->nesting >= kMaxCallDepth) {
            throw Error("call_function: callbacks nested deeper than " + std::to_string(kMaxCallDepth));
        }
        const bool checked = options_.bounds_check || options_.instruction_budget != 0;
        return checked ? execute<true>(entry, r1, r2, more, context, context_size, outer)
                       : execute<false>(entry, r1, r2, more, context, context_size, outer);
    }

    [[noreturn]] void fail_access(size_t pc, Access access, uint64_t address, int size, int base,
                                  int16_t offset, bool read_only) const {
        static const char* const names[] = {"read", "write", "atomic access"};
        std::string what = read_only ? "write to read-only memory" : "out-of-bounds";
        if (read_only) {
            throw Error(where(pc) + ": " + std::to_string(size) + "-byte " + what + " at " + hex(address) +
                        " (" + operand(base, offset) + ")");
        }
        throw Error(where(pc) + ": out-of-bounds " + std::to_string(size) + "-byte " +
                    names[static_cast<int>(access)] + " at " + hex(address) + " (" + operand(base, offset) + ")");
    }

    static bool inside(uint64_t address, uint64_t size, uint64_t start, uint64_t length) {
        return address >= start && address - start <= length && size <= length - (address - start);
    }

    void check_access(size_t pc, Access access, uint64_t address, int size, int base, int16_t offset,
                      const Activation& activation) const {
        for (const Activation* a = &activation; a; a = a->outer) {
            if (inside(address, size, a->context, a->context_size)) return;
            if (inside(address, size, a->stack_low, a->stack_high - a->stack_low)) return;
        }
        for (const MemoryRegion& region : options_.regions) {
            if (inside(address, size, region.start, region.size)) {
                if (access != Access::read && !region.writable) {
                    fail_access(pc, access, address, size, base, offset, true);
                }
                return;
            }
        }
        fail_access(pc, access, address, size, base, offset, false);
    }

    [[noreturn, gnu::cold, gnu::noinline]] static void fail_budget(uint64_t budget, size_t pc) {
        throw Error("instruction budget of " + std::to_string(budget) + " exceeded at " + where(pc));
    }
    [[noreturn, gnu::cold, gnu::noinline]] static void fail_missing_helper(size_t pc, int32_t id) {
        const HelperPrototype* prototype = helper_prototype(id);
        fail_at(pc, "helper " + std::to_string(id) +
                        (prototype ? " (" + std::string(prototype->name) + ")" : std::string()) + " is not available");
    }
    [[noreturn, gnu::cold, gnu::noinline]] static void fail_record(size_t pc, const Decoded& d) {
        if (d.plain == Op::past_end) fail_at(pc, "execution ran past the end of the program");
        if (d.plain == Op::lddw_second_slot) fail_at(pc, "jump into the second slot of an LDDW");
        fail_at(pc, "opcode " + hex(d.imm) + " is not supported by the interpreter");
    }

    template <bool kChecked>
    uint64_t execute(size_t entry, uint64_t r1, uint64_t r2, const uint64_t* more, uint64_t context,
                     uint64_t context_size, const Activation* outer);

    const HelperTable* helpers_;
    ExecOptions options_;
    size_t size_ = 0;
    std::unique_ptr<Decoded[]> code_;
    std::unordered_set<size_t> function_entries_;
    // No per-run state here: run() and call_function() are called from many
    // threads at once (exec.hpp); runs keep theirs on their own stack.
};

template <bool kChecked>
uint64_t Interpreter::execute(size_t entry, uint64_t r1, uint64_t r2, const uint64_t* more, uint64_t context,
                              uint64_t context_size, const Activation* outer) {
    // Every frame gets its own 512 bytes; frame 0 sits at the top so that
    // deeper frames grow down, and a callee may use pointers into its
    // callers' stacks.
    alignas(16) uint8_t stack[kMaxCallDepth * kStackSize];
    const uint64_t stack_top = reinterpret_cast<uint64_t>(stack) + sizeof stack;
    Frame frames[kMaxCallDepth];  // uninitialised (see Frame)
    int depth = 0;

    Activation activation{context,   context_size, stack_top - kStackSize, stack_top, outer,
                          this,      t_innermost,  outer ? outer->nesting + 1 : 1};
    struct Restore {
        const Activation* saved;
        ~Restore() { t_innermost = saved; }
    } restore{t_innermost};
    t_innermost = &activation;

    uint64_t reg[kRegisterCount];
    reg[0] = 0;
    reg[1] = r1;
    reg[2] = r2;
    for (int i = 0; i < 3; ++i) reg[i + 3] = more ? more[i] : 0;
    reg[6] = reg[7] = reg[8] = reg[9] = 0;
    reg[kFramePointer] = stack_top;

    const Decoded* const code = code_.get();
    const Decoded* ip = code + entry;
    [[maybe_unused]] uint64_t executed = 0;
    [[maybe_unused]] const uint64_t budget = options_.instruction_budget;
    [[maybe_unused]] const bool bounds = options_.bounds_check;

    // One label per operation, in Op order (the fast loop dispatches on the
    // possibly fused `op`, the checked loop on `plain`).
    static const void* const labels[] = {
#define EBPF_INTERP_LABEL(name) &&L_##name,
        EBPF_INTERP_OPS(EBPF_INTERP_LABEL)
#undef EBPF_INTERP_LABEL
    };
    static_assert(sizeof labels / sizeof labels[0] == static_cast<size_t>(Op::count));

#define PC static_cast<size_t>(ip - code)
#define DISPATCH()                                                                          \
    do {                                                                                    \
        if constexpr (kChecked) {                                                           \
            if (budget != 0 && ++executed > budget) fail_budget(budget, PC);                \
            goto* labels[static_cast<uint8_t>(ip->plain)];                                  \
        } else {                                                                            \
            goto* labels[static_cast<uint8_t>(ip->op)];                                     \
        }                                                                                   \
    } while (0)
#define NEXT() \
    do {       \
        ++ip;  \
        DISPATCH(); \
    } while (0)
#define DST reg[ip->dst]
#define SRC reg[ip->src]
#define CHECK(ACCESS, ADDRESS, SIZE, BASE)                                                   \
    do {                                                                                     \
        if constexpr (kChecked) {                                                            \
            if (bounds)                                                                      \
                check_access(PC, ACCESS, ADDRESS, SIZE, BASE, static_cast<int16_t>(ip->off), \
                             activation);                                                    \
        }                                                                                    \
    } while (0)

// ALU: one expression over `d` (destination) and `s` (source), for both the
// immediate (K, pre-widened) and register (X) forms; 32-bit results zero-extend.
#define ALU64(NAME, EXPR)                    \
    L_##NAME##64k : {                        \
        uint64_t d = DST;                    \
        const uint64_t s = ip->imm;          \
        EXPR;                                \
        DST = d;                             \
        NEXT();                              \
    }                                        \
    L_##NAME##64x : {                        \
        uint64_t d = DST;                    \
        const uint64_t s = SRC;              \
        EXPR;                                \
        DST = d;                             \
        NEXT();                              \
    }
#define ALU32(NAME, EXPR)                                 \
    L_##NAME##32k : {                                     \
        uint32_t d = static_cast<uint32_t>(DST);          \
        const uint32_t s = static_cast<uint32_t>(ip->imm); \
        EXPR;                                             \
        DST = d;                                          \
        NEXT();                                           \
    }                                                     \
    L_##NAME##32x : {                                     \
        uint32_t d = static_cast<uint32_t>(DST);          \
        const uint32_t s = static_cast<uint32_t>(SRC);    \
        EXPR;                                             \
        DST = d;                                          \
        NEXT();                                           \
    }
#define ALU(NAME, EXPR) ALU64(NAME, EXPR) ALU32(NAME, EXPR)

#define JUMP_IF(COND)                                  \
    do {                                               \
        if (COND) ip = code + ip->off;                 \
        else ++ip;                                     \
        DISPATCH();                                    \
    } while (0)
#define JMP(NAME, COND)                                                           \
    L_##NAME##64k : {                                                             \
        const uint64_t d = DST, s = ip->imm;                                      \
        JUMP_IF(COND);                                                            \
    }                                                                             \
    L_##NAME##64x : {                                                             \
        const uint64_t d = DST, s = SRC;                                          \
        JUMP_IF(COND);                                                            \
    }                                                                             \
    L_##NAME##32k : {                                                             \
        const uint32_t d = static_cast<uint32_t>(DST), s = static_cast<uint32_t>(ip->imm); \
        JUMP_IF(COND);                                                            \
    }                                                                             \
    L_##NAME##32x : {                                                             \
        const uint32_t d = static_cast<uint32_t>(DST), s = static_cast<uint32_t>(SRC); \
        JUMP_IF(COND);                                                            \
    }

// Loads and stores. LDX reads [src + off]; ST/STX write [dst + off].
#define LDX(NAME, T, CONVERT)                                            \
    L_##NAME : {                                                         \
        const uint64_t address = SRC + static_cast<uint64_t>(static_cast<int64_t>(ip->off)); \
        CHECK(Access::read, address, sizeof(T), ip->src);               \
        DST = CONVERT(load<T>(address));                                 \
        NEXT();                                                          \
    }
#define STORE(NAME, T, VALUE)                                            \
    L_##NAME : {                                                         \
        const uint64_t address = DST + static_cast<uint64_t>(static_cast<int64_t>(ip->off)); \
        CHECK(Access::write, address, sizeof(T), ip->dst);              \
        store<T>(address, static_cast<T>(VALUE));                        \
        NEXT();                                                          \
    }
#define ZX(x) static_cast<uint64_t>(x)
#define SX(x) static_cast<uint64_t>(static_cast<int64_t>(x))

// Fused add-immediate + conditional jump on an immediate (64-bit): the second
// record (ip[1]) supplies the jump's operands.
#define ADD_JMP(NAME, COND)                                      \
    L_add64k_##NAME##64k : {                                     \
        DST += ip->imm;                                          \
        const Decoded& j = ip[1];                                \
        const uint64_t d = reg[j.dst], s = j.imm;                \
        if (COND) ip = code + j.off;                             \
        else ip += 2;                                            \
        DISPATCH();                                              \
    }

    DISPATCH();

    ALU(add, d += s)
    ALU(sub, d -= s)
    ALU(mul, d *= s)
    ALU(div, d = unsigned_div(d, s))
    ALU(sdiv, d = signed_div(d, s))
    ALU(mod, d = unsigned_mod(d, s))
    ALU(smod, d = signed_mod(d, s))
    ALU(or, d |= s)
    ALU(and, d &= s)
    ALU(xor, d ^= s)
    ALU64(lsh, d <<= (s & 63))
    ALU32(lsh, d <<= (s & 31))
    ALU64(rsh, d >>= (s & 63))
    ALU32(rsh, d >>= (s & 31))
    ALU64(arsh, d = static_cast<uint64_t>(static_cast<int64_t>(d) >> (s & 63)))
    ALU32(arsh, d = static_cast<uint32_t>(static_cast<int32_t>(d) >> (s & 31)))
    ALU(mov, d = s)

L_neg64:
    DST = 0 - DST;
    NEXT();
L_neg32:
    DST = static_cast<uint32_t>(0 - static_cast<uint32_t>(DST));
    NEXT();
L_movsx8_64:
    DST = SX(static_cast<int8_t>(SRC));
    NEXT();
L_movsx16_64:
    DST = SX(static_cast<int16_t>(SRC));
    NEXT();
L_movsx32_64:
    DST = SX(static_cast<int32_t>(SRC));
    NEXT();
L_movsx8_32:
    DST = static_cast<uint32_t>(static_cast<int32_t>(static_cast<int8_t>(SRC)));
    NEXT();
L_movsx16_32:
    DST = static_cast<uint32_t>(static_cast<int32_t>(static_cast<int16_t>(SRC)));
    NEXT();
// Byte order: to-LE is a truncation on this little-endian host, to-BE and the
// unconditional ALU64 form swap.
L_le16:
    DST = static_cast<uint16_t>(DST);
    NEXT();
L_le32:
    DST = static_cast<uint32_t>(DST);
    NEXT();
L_nop:
    NEXT();
L_bswap16:
    DST = __builtin_bswap16(static_cast<uint16_t>(DST));
    NEXT();
L_bswap32:
    DST = __builtin_bswap32(static_cast<uint32_t>(DST));
    NEXT();
L_bswap64:
    DST = __builtin_bswap64(DST);
    NEXT();

L_lddw:
    DST = ip->imm;
    ip += 2;
    DISPATCH();

    LDX(ldxb, uint8_t, ZX)
    LDX(ldxh, uint16_t, ZX)
    LDX(ldxw, uint32_t, ZX)
    LDX(ldxdw, uint64_t, ZX)
    LDX(ldxsb, int8_t, SX)
    LDX(ldxsh, int16_t, SX)
    LDX(ldxsw, int32_t, SX)
    STORE(stb, uint8_t, ip->imm)
    STORE(sth, uint16_t, ip->imm)
    STORE(stw, uint32_t, ip->imm)
    STORE(stdw, uint64_t, ip->imm)
    STORE(stxb, uint8_t, SRC)
    STORE(stxh, uint16_t, SRC)
    STORE(stxw, uint32_t, SRC)
    STORE(stxdw, uint64_t, SRC)

L_atomic32: {
    const uint64_t address = DST + static_cast<uint64_t>(static_cast<int64_t>(ip->off));
    CHECK(Access::atomic, address, 4, ip->dst);
    if constexpr (kChecked) {
        if (address % 4 != 0) fail_at(PC, "misaligned 4-byte atomic access at " + hex(address));
    }
    atomic_operation<uint32_t>(static_cast<int32_t>(ip->imm), ip->src, reg, address);
    NEXT();
}
L_atomic64: {
    const uint64_t address = DST + static_cast<uint64_t>(static_cast<int64_t>(ip->off));
    CHECK(Access::atomic, address, 8, ip->dst);
    if constexpr (kChecked) {
        if (address % 8 != 0) fail_at(PC, "misaligned 8-byte atomic access at " + hex(address));
    }
    atomic_operation<uint64_t>(static_cast<int32_t>(ip->imm), ip->src, reg, address);
    NEXT();
}

L_ja:
    ip = code + ip->off;
    DISPATCH();
    JMP(jeq, d == s)
    JMP(jne, d != s)
    JMP(jgt, d > s)
    JMP(jge, d >= s)
    JMP(jlt, d < s)
    JMP(jle, d <= s)
    JMP(jset, (d & s) != 0)
    JMP(jsgt, as_signed(d) > as_signed(s))
    JMP(jsge, as_signed(d) >= as_signed(s))
    JMP(jslt, as_signed(d) < as_signed(s))
    JMP(jsle, as_signed(d) <= as_signed(s))

    ADD_JMP(jne, d != s)
    ADD_JMP(jlt, d < s)
    ADD_JMP(jgt, d > s)
    ADD_JMP(jslt, as_signed(d) < as_signed(s))
    ADD_JMP(jsgt, as_signed(d) > as_signed(s))
    ADD_JMP(jeq, d == s)

L_zext32_pair:  // r <<= 32; r >>= 32
    DST = static_cast<uint32_t>(DST);
    ip += 2;
    DISPATCH();

L_call_helper:
L_call_tail: {
    const HelperFunction helper = helpers_ ? helpers_->find(ip->off) : nullptr;
    if (!helper) fail_missing_helper(PC, ip->off);
    reg[0] = helper(reg[1], reg[2], reg[3], reg[4], reg[5]);
    // The tail-call contract (exec.hpp): leave every frame at once.
    if (ip->op == Op::call_tail && run_state().tail_call_target) return reg[0];
    NEXT();
}
L_call_local: {
    if (depth + 1 >= kMaxCallDepth) fail_at(PC, "call depth exceeds " + std::to_string(kMaxCallDepth) + " frames");
    Frame& frame = frames[depth++];
    frame.return_to = ip + 1;
    std::memcpy(frame.saved, &reg[6], sizeof frame.saved);
    reg[kFramePointer] = stack_top - static_cast<uint64_t>(depth) * kStackSize;
    activation.stack_low = reg[kFramePointer] - kStackSize;
    ip = code + ip->off;
    DISPATCH();
}
L_exit:
    if (depth == 0) return reg[0];
    {
        const Frame& frame = frames[--depth];
        std::memcpy(&reg[6], frame.saved, sizeof frame.saved);
        ip = frame.return_to;
        reg[kFramePointer] = stack_top - static_cast<uint64_t>(depth) * kStackSize;
        activation.stack_low = reg[kFramePointer] - kStackSize;
    }
    DISPATCH();

L_unsupported:
L_past_end:
L_lddw_second_slot:
    fail_record(PC, *ip);

#undef PC
#undef DISPATCH
#undef NEXT
#undef DST
#undef SRC
#undef CHECK
#undef ALU64
#undef ALU32
#undef ALU
#undef JUMP_IF
#undef JMP
#undef LDX
#undef STORE
#undef ZX
#undef SX
#undef ADD_JMP
}

}  // namespace

std::unique_ptr<Engine> make_interpreter(const ExecutableProgram& program, const ExecOptions& options) {
    return std::make_unique<Interpreter>(program, options);
}

#else  // EBPF_WITH_INTERPRETER

std::unique_ptr<Engine> make_interpreter(const ExecutableProgram&, const ExecOptions&) {
    throw Error("the interpreter is not compiled into this build; use --mode jit or native");
}

#endif  // EBPF_WITH_INTERPRETER

}  // namespace ebpf
