// The interpreter: a switch over the opcode byte in one tight loop. Verified
// programs need no run-time checks, so the fast loop has none; bounds checking
// and the instruction budget (for programs that were not verified) live in a
// second instantiation of the same loop (template parameter kChecked).
#include <bit>
#include <cinttypes>
#include <cstdio>
#include <cstring>
#include <limits>
#include <string>
#include <unordered_set>

#include "ebpf/abi.hpp"
#include "ebpf/error.hpp"
#include "ebpf/exec.hpp"

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

uint64_t sign_extend(int32_t imm) { return static_cast<uint64_t>(static_cast<int64_t>(imm)); }

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

// MOVSX: sign-extend the low `bits` of a value.
template <typename U>
U sign_extend_bits(U value, int16_t bits) {
    using S = std::make_signed_t<U>;
    switch (bits) {
    case 8: return static_cast<U>(static_cast<S>(static_cast<int8_t>(value)));
    case 16: return static_cast<U>(static_cast<S>(static_cast<int16_t>(value)));
    case 32: return static_cast<U>(static_cast<S>(static_cast<int32_t>(value)));
    default: return value;
    }
}

uint64_t byte_swap(uint64_t value, int32_t width) {
    switch (width) {
    case 16: return __builtin_bswap16(static_cast<uint16_t>(value));
    case 32: return __builtin_bswap32(static_cast<uint32_t>(value));
    default: return __builtin_bswap64(value);
    }
}
uint64_t truncate(uint64_t value, int32_t width) {
    switch (width) {
    case 16: return static_cast<uint16_t>(value);
    case 32: return static_cast<uint32_t>(value);
    default: return value;
    }
}

// Atomic read-modify-write on real memory (programs may share maps between
// threads). T is uint32_t or uint64_t; 32-bit fetched values zero-extend.
template <typename T>
void atomic_operation(const Instruction& insn, uint64_t* reg, uint64_t address) {
    T* target = reinterpret_cast<T*>(address);
    const T operand_value = static_cast<T>(reg[insn.src]);
    T old = 0;
    switch (insn.imm & ~kAtomicFetch) {
    case kAdd: old = __atomic_fetch_add(target, operand_value, __ATOMIC_SEQ_CST); break;
    case kOr: old = __atomic_fetch_or(target, operand_value, __ATOMIC_SEQ_CST); break;
    case kAnd: old = __atomic_fetch_and(target, operand_value, __ATOMIC_SEQ_CST); break;
    case kXor: old = __atomic_fetch_xor(target, operand_value, __ATOMIC_SEQ_CST); break;
    case kAtomicXchg & ~kAtomicFetch:
        reg[insn.src] = __atomic_exchange_n(target, operand_value, __ATOMIC_SEQ_CST);
        return;
    case kAtomicCmpXchg & ~kAtomicFetch: {
        T expected = static_cast<T>(reg[0]);
        __atomic_compare_exchange_n(target, &expected, operand_value, false, __ATOMIC_SEQ_CST,
                                    __ATOMIC_SEQ_CST);
        reg[0] = expected;  // the old value, whether or not it was replaced
        return;
    }
    default: throw Error("atomic operation " + hex(static_cast<uint32_t>(insn.imm)) + " is not supported");
    }
    if (insn.imm & kAtomicFetch) reg[insn.src] = old;
}

struct Frame {
    size_t return_pc = 0;
    uint64_t saved[4] = {};  // r6..r9
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
        // Our own copy, ending in a sentinel (opcode 0 is not an instruction) so
        // that running off the end is an error rather than a read past the array.
        code_.assign(program.insns.begin(), program.insns.end());
        code_.push_back(Instruction{});
        prepare();
    }

    ExecMode mode() const override { return ExecMode::interpret; }

    uint64_t run(uint64_t arg1, uint64_t arg2) override {
        ScopedEngine scope(this);
        return start(0, {arg1, arg2, 0, 0, 0}, arg1, arg2);
    }

    uint64_t call_function(uint64_t function, uint64_t r1, uint64_t r2, uint64_t r3, uint64_t r4,
                           uint64_t r5) override {
        const auto base = reinterpret_cast<uint64_t>(code_.data());
        const uint64_t index = (function - base) / sizeof(Instruction);
        if (function < base || (function - base) % sizeof(Instruction) != 0 ||
            !function_entries_.contains(index)) {
            throw Error("call_function: " + hex(function) + " is not a function of this program");
        }
        ScopedEngine scope(this);
        // A callback reaches the same memory as the run that called the helper.
        const Activation* current = innermost_of(this);
        const uint64_t context = current ? current->context : 0;
        const uint64_t context_size = current ? current->context_size : 0;
        return start(index, {r1, r2, r3, r4, r5}, context, context_size);
    }

private:
    // Rejects what the runtime should have resolved and what we do not run,
    // and turns LDDW pseudo-func into a plain LDDW of the callee's address.
    void prepare() {
        const size_t count = code_.size() - 1;
        function_entries_.insert(0);
        for (size_t pc = 0; pc < count; ++pc) {
            Instruction& insn = code_[pc];
            if (insn.opcode == kLddw) {
                if (insn.src == kPseudoFunc) {
                    const int64_t target = static_cast<int64_t>(pc) + 1 + insn.imm;
                    if (target < 0 || static_cast<size_t>(target) >= count) {
                        throw Error(where(pc) + ": function reference to instruction " +
                                    std::to_string(target) + " is outside the program");
                    }
                    function_entries_.insert(static_cast<size_t>(target));
                    const auto address = reinterpret_cast<uint64_t>(&code_[static_cast<size_t>(target)]);
                    insn.src = kPseudoImm64;
                    insn.imm = static_cast<int32_t>(static_cast<uint32_t>(address));
                    code_[pc + 1].imm = static_cast<int32_t>(static_cast<uint32_t>(address >> 32));
                } else if (insn.src != kPseudoImm64) {
                    throw Error(where(pc) + ": LDDW with src " + std::to_string(insn.src) +
                                " (a map or BTF reference) must be resolved by the runtime before it runs");
                }
                ++pc;  // skip the second slot
                continue;
            }
            const uint8_t cls_bits = cls(insn.opcode);
            if (cls_bits == kClassLd) {
                throw Error(where(pc) +
                            ": legacy packet access (LD ABS/IND) is not supported; use direct packet access");
            }
            if (insn.opcode == (kClassJmp | kCall)) {
                if (insn.src == kCallLocal) {
                    function_entries_.insert(static_cast<size_t>(static_cast<int64_t>(pc) + 1 + insn.imm));
                } else if (insn.src != kCallHelper) {
                    throw Error(where(pc) + ": kfunc calls (call src 2) are not supported");
                }
            }
        }
    }

    uint64_t start(size_t entry, const std::array<uint64_t, 5>& args, uint64_t context,
                   uint64_t context_size) {
        const Activation* outer = innermost_of(this);
        if (outer && outer->nesting >= kMaxCallDepth) {
            throw Error("call_function: callbacks nested deeper than " + std::to_string(kMaxCallDepth));
        }
        const bool checked = options_.bounds_check || options_.instruction_budget != 0;
        return checked ? execute<true>(entry, args, context, context_size, outer)
                       : execute<false>(entry, args, context, context_size, outer);
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
    [[noreturn, gnu::cold, gnu::noinline]] void fail_unknown_opcode(size_t pc, uint8_t opcode) const {
        if (pc == code_.size() - 1) fail_at(pc, "execution ran past the end of the program");
        fail_at(pc, "opcode " + hex(opcode) + " is not supported by the interpreter");
    }

    template <bool kChecked>
    uint64_t execute(size_t entry, const std::array<uint64_t, 5>& args, uint64_t context,
                     uint64_t context_size, const Activation* outer);

    const HelperTable* helpers_;
    ExecOptions options_;
    std::vector<Instruction> code_;
    std::unordered_set<size_t> function_entries_;
    // No per-run state here: run() and call_function() are called from many
    // threads at once (exec.hpp); runs keep theirs on their own stack.
};

template <bool kChecked>
uint64_t Interpreter::execute(size_t entry, const std::array<uint64_t, 5>& args, uint64_t context,
                              uint64_t context_size, const Activation* outer) {
    // Every frame gets its own 512 bytes; frame 0 sits at the top so that
    // deeper frames grow down, and a callee may use pointers into its
    // callers' stacks.
    alignas(16) uint8_t stack[kMaxCallDepth * kStackSize];
    const uint64_t stack_top = reinterpret_cast<uint64_t>(stack) + sizeof stack;
    Frame frames[kMaxCallDepth];
    int depth = 0;

    Activation activation{context,   context_size, stack_top - kStackSize, stack_top, outer,
                          this,      t_innermost,  outer ? outer->nesting + 1 : 1};
    struct Restore {
        const Activation* saved;
        ~Restore() { t_innermost = saved; }
    } restore{t_innermost};
    t_innermost = &activation;

    uint64_t reg[kRegisterCount] = {};
    for (int i = 0; i < 5; ++i) reg[i + 1] = args[static_cast<size_t>(i)];
    reg[kFramePointer] = stack_top;

    const Instruction* const code = code_.data();
    size_t pc = entry;
    uint64_t executed = 0;
    const uint64_t budget = options_.instruction_budget;
    const bool bounds = options_.bounds_check;

    auto check = [&](Access access, uint64_t address, int size, int base, int16_t offset) {
        if constexpr (kChecked) {
            if (bounds) check_access(pc - 1, access, address, size, base, offset, activation);
        }
    };

    for (;;) {
        if constexpr (kChecked) {
            if (budget != 0 && ++executed > budget) {
                fail_budget(budget, pc);
            }
        }
        const Instruction insn = code[pc++];
        uint64_t& dst = reg[insn.dst];

// ALU: one expression over `d` (destination) and `s` (source), for both the
// immediate (K) and register (X) forms; 32-bit results zero-extend.
#define EBPF_ALU64(OP, EXPR)                                                    \
    case kClassAlu64 | kSrcK | OP: {                                            \
        uint64_t d = dst;                                                       \
        const uint64_t s = sign_extend(insn.imm);                               \
        EXPR;                                                                   \
        dst = d;                                                                \
        break;                                                                  \
    }                                                                           \
    case kClassAlu64 | kSrcX | OP: {                                            \
        uint64_t d = dst;                                                       \
        const uint64_t s = reg[insn.src];                                       \
        EXPR;                                                                   \
        dst = d;                                                                \
        break;                                                                  \
    }
#define EBPF_ALU32(OP, EXPR)                                                    \
    case kClassAlu | kSrcK | OP: {                                              \
        uint32_t d = static_cast<uint32_t>(dst);                                \
        const uint32_t s = static_cast<uint32_t>(insn.imm);                     \
        EXPR;                                                                   \
        dst = d;                                                                \
        break;                                                                  \
    }                                                                           \
    case kClassAlu | kSrcX | OP: {                                              \
        uint32_t d = static_cast<uint32_t>(dst);                                \
        const uint32_t s = static_cast<uint32_t>(reg[insn.src]);                \
        EXPR;                                                                   \
        dst = d;                                                                \
        break;                                                                  \
    }
#define EBPF_ALU(OP, EXPR) EBPF_ALU64(OP, EXPR) EBPF_ALU32(OP, EXPR)

// Conditional jumps: 64-bit compare (JMP) and 32-bit compare (JMP32).
#define EBPF_JMP(OP, COND)                                                      \
    case kClassJmp | kSrcK | OP: {                                              \
        const uint64_t d = dst, s = sign_extend(insn.imm);                      \
        if (COND) pc += static_cast<size_t>(static_cast<int64_t>(insn.offset)); \
        break;                                                                  \
    }                                                                           \
    case kClassJmp | kSrcX | OP: {                                              \
        const uint64_t d = dst, s = reg[insn.src];                              \
        if (COND) pc += static_cast<size_t>(static_cast<int64_t>(insn.offset)); \
        break;                                                                  \
    }                                                                           \
    case kClassJmp32 | kSrcK | OP: {                                            \
        const uint32_t d = static_cast<uint32_t>(dst);                          \
        const uint32_t s = static_cast<uint32_t>(insn.imm);                     \
        if (COND) pc += static_cast<size_t>(static_cast<int64_t>(insn.offset)); \
        break;                                                                  \
    }                                                                           \
    case kClassJmp32 | kSrcX | OP: {                                            \
        const uint32_t d = static_cast<uint32_t>(dst);                          \
        const uint32_t s = static_cast<uint32_t>(reg[insn.src]);                \
        if (COND) pc += static_cast<size_t>(static_cast<int64_t>(insn.offset)); \
        break;                                                                  \
    }

// Loads and stores. LDX reads [src + off]; ST/STX write [dst + off].
#define EBPF_LDX(SIZE, T, R)                                                    \
    case kClassLdx | kModeMem | SIZE: {                                         \
        const uint64_t address = reg[insn.src] + sign_extend(insn.offset);      \
        check(Access::read, address, sizeof(T), insn.src, insn.offset);         \
        dst = static_cast<R>(load<T>(address));                                 \
        break;                                                                  \
    }
#define EBPF_LDXSX(SIZE, T)                                                     \
    case kClassLdx | kModeMemSx | SIZE: {                                       \
        const uint64_t address = reg[insn.src] + sign_extend(insn.offset);      \
        check(Access::read, address, sizeof(T), insn.src, insn.offset);         \
        dst = static_cast<uint64_t>(static_cast<int64_t>(load<T>(address)));    \
        break;                                                                  \
    }
#define EBPF_STORE(SIZE, T)                                                     \
    case kClassSt | kModeMem | SIZE: {                                          \
        const uint64_t address = dst + sign_extend(insn.offset);                \
        check(Access::write, address, sizeof(T), insn.dst, insn.offset);        \
        store<T>(address, static_cast<T>(insn.imm));                            \
        break;                                                                  \
    }                                                                           \
    case kClassStx | kModeMem | SIZE: {                                         \
        const uint64_t address = dst + sign_extend(insn.offset);                \
        check(Access::write, address, sizeof(T), insn.dst, insn.offset);        \
        store<T>(address, static_cast<T>(reg[insn.src]));                       \
        break;                                                                  \
    }

        switch (insn.opcode) {
            EBPF_ALU(kAdd, d += s)
            EBPF_ALU(kSub, d -= s)
            EBPF_ALU(kMul, d *= s)
            EBPF_ALU(kDiv, d = insn.offset == 0 ? unsigned_div(d, s) : signed_div(d, s))
            EBPF_ALU(kMod, d = insn.offset == 0 ? unsigned_mod(d, s) : signed_mod(d, s))
            EBPF_ALU(kOr, d |= s)
            EBPF_ALU(kAnd, d &= s)
            EBPF_ALU(kXor, d ^= s)
            EBPF_ALU64(kLsh, d <<= (s & 63))
            EBPF_ALU32(kLsh, d <<= (s & 31))
            EBPF_ALU64(kRsh, d >>= (s & 63))
            EBPF_ALU32(kRsh, d >>= (s & 31))
            EBPF_ALU64(kArsh, d = static_cast<uint64_t>(static_cast<int64_t>(d) >> (s & 63)))
            EBPF_ALU32(kArsh, d = static_cast<uint32_t>(static_cast<int32_t>(d) >> (s & 31)))
            EBPF_ALU(kMov, d = sign_extend_bits(s, insn.offset))

        case kClassAlu64 | kNeg: dst = 0 - dst; break;
        case kClassAlu | kNeg: dst = static_cast<uint32_t>(0 - static_cast<uint32_t>(dst)); break;
        // Byte order: to-LE is a truncation on this little-endian host, to-BE
        // and the unconditional ALU64 form swap.
        case kClassAlu | kSrcK | kEnd: dst = truncate(dst, insn.imm); break;
        case kClassAlu | kSrcX | kEnd: dst = byte_swap(dst, insn.imm); break;
        case kClassAlu64 | kSrcK | kEnd: dst = byte_swap(dst, insn.imm); break;

        case kLddw:
            // Pseudo forms were resolved or rejected in prepare().
            dst = static_cast<uint32_t>(insn.imm) |
                  (static_cast<uint64_t>(static_cast<uint32_t>(code[pc].imm)) << 32);
            ++pc;
            break;

            EBPF_LDX(kSizeB, uint8_t, uint64_t)
            EBPF_LDX(kSizeH, uint16_t, uint64_t)
            EBPF_LDX(kSizeW, uint32_t, uint64_t)
            EBPF_LDX(kSizeDW, uint64_t, uint64_t)
            EBPF_LDXSX(kSizeB, int8_t)
            EBPF_LDXSX(kSizeH, int16_t)
            EBPF_LDXSX(kSizeW, int32_t)
            EBPF_STORE(kSizeB, uint8_t)
            EBPF_STORE(kSizeH, uint16_t)
            EBPF_STORE(kSizeW, uint32_t)
            EBPF_STORE(kSizeDW, uint64_t)

        case kClassStx | kModeAtomic | kSizeW: {
            const uint64_t address = dst + sign_extend(insn.offset);
            check(Access::atomic, address, 4, insn.dst, insn.offset);
            if constexpr (kChecked) {
                if (address % 4 != 0) fail_at(pc - 1, "misaligned 4-byte atomic access at " + hex(address));
            }
            atomic_operation<uint32_t>(insn, reg, address);
            break;
        }
        case kClassStx | kModeAtomic | kSizeDW: {
            const uint64_t address = dst + sign_extend(insn.offset);
            check(Access::atomic, address, 8, insn.dst, insn.offset);
            if constexpr (kChecked) {
                if (address % 8 != 0) fail_at(pc - 1, "misaligned 8-byte atomic access at " + hex(address));
            }
            atomic_operation<uint64_t>(insn, reg, address);
            break;
        }

        case kClassJmp | kJa: pc += static_cast<size_t>(static_cast<int64_t>(insn.offset)); break;
        case kClassJmp32 | kJa: pc += static_cast<size_t>(static_cast<int64_t>(insn.imm)); break;  // gotol
            EBPF_JMP(kJeq, d == s)
            EBPF_JMP(kJne, d != s)
            EBPF_JMP(kJgt, d > s)
            EBPF_JMP(kJge, d >= s)
            EBPF_JMP(kJlt, d < s)
            EBPF_JMP(kJle, d <= s)
            EBPF_JMP(kJset, (d & s) != 0)
            EBPF_JMP(kJsgt, as_signed(d) > as_signed(s))
            EBPF_JMP(kJsge, as_signed(d) >= as_signed(s))
            EBPF_JMP(kJslt, as_signed(d) < as_signed(s))
            EBPF_JMP(kJsle, as_signed(d) <= as_signed(s))

        case kClassJmp | kCall:
            if (insn.src == kCallLocal) {
                if (depth + 1 >= kMaxCallDepth) {
                    fail_at(pc - 1, "call depth exceeds " + std::to_string(kMaxCallDepth) + " frames");
                }
                Frame& frame = frames[depth++];
                frame.return_pc = pc;
                std::memcpy(frame.saved, &reg[6], sizeof frame.saved);
                reg[kFramePointer] = stack_top - static_cast<uint64_t>(depth) * kStackSize;
                activation.stack_low = reg[kFramePointer] - kStackSize;
                pc += static_cast<size_t>(static_cast<int64_t>(insn.imm));
            } else {
                const HelperFunction helper = helpers_ ? helpers_->find(insn.imm) : nullptr;
                if (!helper) fail_missing_helper(pc - 1, insn.imm);
                reg[0] = helper(reg[1], reg[2], reg[3], reg[4], reg[5]);
                // The tail-call contract (exec.hpp): leave every frame at once.
                if (insn.imm == helper_id::tail_call && run_state().tail_call_target) return reg[0];
            }
            break;

        case kClassJmp | kExit:
            if (depth == 0) return reg[0];
            {
                const Frame& frame = frames[--depth];
                std::memcpy(&reg[6], frame.saved, sizeof frame.saved);
                pc = frame.return_pc;
                reg[kFramePointer] = stack_top - static_cast<uint64_t>(depth) * kStackSize;
                activation.stack_low = reg[kFramePointer] - kStackSize;
            }
            break;

        default:
            fail_unknown_opcode(pc - 1, insn.opcode);
        }
#undef EBPF_ALU64
#undef EBPF_ALU32
#undef EBPF_ALU
#undef EBPF_JMP
#undef EBPF_LDX
#undef EBPF_LDXSX
#undef EBPF_STORE
    }
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
