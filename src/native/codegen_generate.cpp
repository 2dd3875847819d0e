// bpf2c's C generator: a TranslationUnit (verified, rewritten programs and
// the object's maps) → one C file, in named steps:
//   collect functions → generate labels → build helper table →
//   translate instructions (with #line from BTF line info) → emit metadata.
#include <algorithm>
#include <cinttypes>
#include <cstdio>
#include <map>
#include <set>
#include <sstream>

#include "codegen_prelude.hpp"
#include "codegen_strings.hpp"
#include "ebpf/error.hpp"
#include "ebpf/native.hpp"
#include "ebpf/native_module.h"

namespace ebpf {
namespace {

using codegen::c_string_literal;
using codegen::comment_text;

std::string hex64(uint64_t value) {
    char text[32];
    std::snprintf(text, sizeof text, "UINT64_C(0x%" PRIx64 ")", value);
    return text;
}
std::string hex32(uint32_t value) {
    char text[32];
    std::snprintf(text, sizeof text, "UINT32_C(0x%" PRIx32 ")", value);
    return text;
}
uint64_t sext_imm(int32_t imm) { return static_cast<uint64_t>(static_cast<int64_t>(imm)); }

// One C function: an entry function or a subprogram, [start, end) of the insns.
struct FunctionPlan {
    uint32_t start = 0;
    uint32_t end = 0;
    std::string c_name;
    std::set<uint32_t> labels;  // instructions that are jump targets
};

struct ProgramPlan {
    const TranslationProgram* program = nullptr;
    std::vector<FunctionPlan> functions;  // sorted by start; [0] is the entry
    bool tail_calls = false;              // calls helper 12 somewhere
    std::set<uint32_t> map_references;    // map index | EBPF_NATIVE_MAP_REF_VALUE, per LDDW of a map
};

class Generator {
public:
    Generator(const TranslationUnit& unit, const CodegenOptions& options)
        : unit_(unit), options_(options) {}

    std::string run() {
        for (const auto& program : unit_.programs) plans_.push_back(collect_functions(program));
        for (auto& plan : plans_) generate_labels(plan);
        build_helper_table();
        emit_header();
        emit_map_table();
        for (const auto& plan : plans_) emit_declarations(plan);
        for (const auto& plan : plans_) translate_program(plan);
        emit_metadata();
        return out_.str();
    }

private:
    [[noreturn]] void fail(const TranslationProgram& program, uint32_t insn,
                           const std::string& why) const {
        throw Error("bpf2c: program " + program.name + ": instruction " + std::to_string(insn) +
                    ": " + why);
    }

    // --- step: collect functions ------------------------------------------------
    // Function starts are those of function_starts (isa.hpp), the cuts the
    // verifier checked: the entry, every local-call target and every
    // pseudo-func (callback) target. Names come from BTF func info when present.
    ProgramPlan collect_functions(const TranslationProgram& program) {
        ProgramPlan plan;
        plan.program = &program;
        const auto& insns = program.insns;
        if (insns.empty()) throw Error("bpf2c: program " + program.name + ": no instructions");
        const auto count = static_cast<int64_t>(insns.size());
        for (int64_t pc = 0; pc < count; ++pc) {
            const Instruction& insn = insns[pc];
            if (insn.opcode == op::kLddw) {
                if (pc + 1 >= count) fail(program, pc, "LDDW is truncated");
                if (insn.src == op::kPseudoFunc && (pc + 1 + insn.imm < 0 || pc + 1 + insn.imm >= count))
                    fail(program, pc, "callback target outside the program");
                if ((insn.src == op::kPseudoMapIdx || insn.src == op::kPseudoMapIdxValue) && insn.imm >= 0 &&
                    static_cast<uint32_t>(insn.imm) < EBPF_NATIVE_MAP_REF_VALUE)
                    plan.map_references.insert(static_cast<uint32_t>(insn.imm) |
                                               (insn.src == op::kPseudoMapIdxValue ? EBPF_NATIVE_MAP_REF_VALUE : 0u));
                ++pc;
                continue;
            }
            if (insn.opcode == (op::kClassJmp | op::kCall) && insn.src == op::kCallLocal &&
                (pc + 1 + insn.imm < 0 || pc + 1 + insn.imm >= count))
                fail(program, pc, "call target outside the program");
            if (insn.opcode == (op::kClassJmp | op::kCall) && insn.src == op::kCallHelper &&
                insn.imm == helper_id::tail_call)
                plan.tail_calls = true;
        }
        const std::vector<uint32_t> ordered = function_starts(insns);
        for (size_t i = 0; i < ordered.size(); ++i) {
            FunctionPlan function;
            function.start = ordered[i];
            function.end = i + 1 < ordered.size() ? ordered[i + 1] : static_cast<uint32_t>(insns.size());
            std::string raw_name;
            for (const auto& info : program.functions)
                if (info.insn == function.start) raw_name = info.name;
            if (i == 0)
                function.c_name = identifiers_.make("prog", program.name);
            else
                function.c_name = identifiers_.make(
                    "sub", program.name + "_" + (raw_name.empty() ? std::to_string(function.start) : raw_name));
            plan.functions.push_back(std::move(function));
        }
        return plan;
    }

    // --- step: generate labels ---------------------------------------------------
    void generate_labels(ProgramPlan& plan) {
        const auto& program = *plan.program;
        // Second slots of LDDWs: never a jump target.
        std::vector<bool> second_slot(program.insns.size(), false);
        for (size_t pc = 0; pc + 1 < program.insns.size(); ++pc) {
            if (program.insns[pc].opcode == op::kLddw) second_slot[++pc] = true;
        }
        for (auto& function : plan.functions) {
            if (second_slot[function.start]) fail(program, function.start, "a function starts inside an LDDW");
            for (uint32_t pc = function.start; pc < function.end; ++pc) {
                const Instruction& insn = program.insns[pc];
                if (insn.opcode == op::kLddw) {
                    ++pc;
                    continue;
                }
                uint8_t cls = op::cls(insn.opcode);
                if (cls != op::kClassJmp && cls != op::kClassJmp32) continue;
                uint8_t jop = op::jmp_op(insn.opcode);
                if (jop == op::kCall || jop == op::kExit) continue;
                int64_t offset = (cls == op::kClassJmp32 && jop == op::kJa) ? insn.imm : insn.offset;
                int64_t target = static_cast<int64_t>(pc) + 1 + offset;
                if (target < function.start || target >= function.end)
                    fail(program, pc, "jump target " + std::to_string(target) +
                                          " leaves its function [" + std::to_string(function.start) +
                                          ", " + std::to_string(function.end) + ")");
                if (second_slot[target]) fail(program, pc, "jump into the second slot of an LDDW");
                function.labels.insert(static_cast<uint32_t>(target));
            }
        }
    }

    // --- step: build helper table ------------------------------------------------
    void build_helper_table() {
        // Only real CALL instructions: an LDDW second slot may look like one.
        std::set<int32_t> ids;
        for (const auto& plan : plans_) {
            const auto& insns = plan.program->insns;
            for (size_t pc = 0; pc < insns.size(); ++pc) {
                if (insns[pc].opcode == op::kLddw) {
                    ++pc;
                    continue;
                }
                if (insns[pc].opcode == (op::kClassJmp | op::kCall) && insns[pc].src == op::kCallHelper)
                    ids.insert(insns[pc].imm);
            }
        }
        for (int32_t id : ids) {
            size_t index = helper_ids_.size();
            helper_index_[id] = index;
            helper_ids_.push_back(id);
        }
    }

    // --- emitting ----------------------------------------------------------------
    void emit_header() {
        out_ << "/* Generated by bpf2c from " << comment_text(unit_.source_name)
             << ". Do not edit: regenerate instead. */\n";
        out_ << native_module_header_text() << "\n";
        out_ << codegen::kPrelude << "\n";
        out_ << "static struct ebpf_native_runtime ebpf_runtime;\n";
        if (!helper_ids_.empty()) {
            out_ << "static struct ebpf_native_helper ebpf_helpers[" << helper_ids_.size() << "] = {\n";
            for (int32_t id : helper_ids_) {
                const HelperPrototype* prototype = helper_prototype(id);
                out_ << "    {" << id << ", 0, 0},";
                if (prototype != nullptr) out_ << " /* " << comment_text(prototype->name) << " */";
                out_ << "\n";
            }
            out_ << "};\n";
        }
    }

    void emit_map_table() {
        if (unit_.maps.empty()) return;
        for (size_t i = 0; i < unit_.maps.size(); ++i) {
            const auto& map = unit_.maps[i];
            if (!map.is_global_data || map.initial_data.empty()) continue;
            out_ << "static const uint8_t ebpf_map_initial_data_" << i << "[" << map.initial_data.size()
                 << "] = {";
            for (size_t b = 0; b < map.initial_data.size(); ++b)
                out_ << (b % 16 == 0 ? "\n    " : " ") << static_cast<unsigned>(map.initial_data[b]) << ",";
            out_ << "\n};\n";
        }
        for (size_t i = 0; i < unit_.maps.size(); ++i) {
            const auto& slots = unit_.maps[i].initial_slots;
            if (slots.empty()) continue;
            out_ << "static const struct ebpf_native_map_slot ebpf_map_slots_" << i << "[" << slots.size() << "] = {\n";
            for (const auto& slot : slots) out_ << "    {" << slot.key << "u, 0, " << c_string_literal(slot.target) << "},\n";
            out_ << "};\n";
        }
        out_ << "static struct ebpf_native_map ebpf_maps[" << unit_.maps.size() << "] = {\n";
        for (size_t i = 0; i < unit_.maps.size(); ++i) {
            const auto& map = unit_.maps[i];
            uint32_t flags = (map.is_global_data ? EBPF_NATIVE_MAP_GLOBAL_DATA : 0) |
                             (map.read_only ? EBPF_NATIVE_MAP_READ_ONLY : 0) |
                             (map.inner_template ? EBPF_NATIVE_MAP_INNER_TEMPLATE : 0);
            bool has_data = map.is_global_data && !map.initial_data.empty();
            out_ << "    {" << c_string_literal(map.name) << ", " << static_cast<uint32_t>(map.type) << ", "
                 << map.key_size << ", " << map.value_size << ", " << map.max_entries << ", "
                 << map.map_flags << ", " << map.pinning << ", "
                 << (map.inner_map ? std::to_string(*map.inner_map) + "u" : "EBPF_NATIVE_NO_INNER_MAP")
                 << ", " << flags << ", "
                 << (has_data ? "ebpf_map_initial_data_" + std::to_string(i) : std::string("0")) << ", "
                 << (has_data ? map.initial_data.size() : 0) << ", " << map.initial_slots.size() << ", "
                 << (map.initial_slots.empty() ? std::string("0") : "ebpf_map_slots_" + std::to_string(i))
                 << ", 0, 0},\n";
        }
        out_ << "};\n";
    }

    // Every generated function has the ebpf_native_function_fn signature.
    static constexpr const char* kSignature =
        "(uint64_t r1, uint64_t r2, uint64_t r3, uint64_t r4, uint64_t r5, uint32_t depth)";

    void emit_declarations(const ProgramPlan& plan) {
        for (const auto& function : plan.functions)
            out_ << "static uint64_t " << function.c_name << kSignature << ";\n";
    }

    void translate_program(const ProgramPlan& plan) {
        const auto locations = locations_of(*plan.program);
        for (const auto& function : plan.functions) translate_function(plan, function, locations);
    }

    // The source location of every instruction (nearest preceding line info;
    // nullptr before the first), in one pass over the sorted line table.
    std::vector<const SourceLocation*> locations_of(const TranslationProgram& program) const {
        std::vector<const SourceLocation*> locations(program.insns.size(), nullptr);
        if (!options_.line_directives) return locations;
        const SourceLocation* where = nullptr;
        size_t next = 0;
        for (size_t pc = 0; pc < locations.size(); ++pc) {
            for (; next < program.lines.size() && program.lines[next].insn <= pc; ++next) {
                // Line 0 marks compiler-made code: it belongs with the line before.
                if (program.lines[next].where.line != 0) where = &program.lines[next].where;
            }
            locations[pc] = where;
        }
        return locations;
    }

    void emit_line_directive(const SourceLocation& where) {
        out_ << "#line " << where.line << " " << c_string_literal(where.file) << "\n";
    }

    void translate_function(const ProgramPlan& plan, const FunctionPlan& function,
                            const std::vector<const SourceLocation*>& locations) {
        const auto& program = *plan.program;
        out_ << "\n";
        // The prologue is one C line mapped to the function's first source line.
        const SourceLocation* current = locations[function.start];
        if (current != nullptr) emit_line_directive(*current);
        out_ << "static uint64_t " << function.c_name << kSignature << " {"
             << " uint64_t r0 = 0, r6 = 0, r7 = 0, r8 = 0, r9 = 0;"
             << " uint64_t stack[" << kStackSize / 8 << "];"
             << " uint64_t r10 = (uint64_t)(uintptr_t)(stack + " << kStackSize / 8 << ");"
             << " (void)depth; (void)r1; (void)r2; (void)r3; (void)r4; (void)r5; (void)r6; (void)r7;"
                " (void)r8; (void)r9; (void)r10;";
        // With line info, the instructions of one source line share one C line
        // (so gdb's `break prog.c:N` stops before the first of them); without
        // it, one instruction per line.
        current = nullptr;
        for (uint32_t pc = function.start; pc < function.end; ++pc) {
            const SourceLocation* where = locations[pc];
            bool same_line = where != nullptr && current != nullptr && where->line == current->line &&
                             where->file == current->file;
            if (!same_line) {
                out_ << "\n";
                if (where != nullptr) emit_line_directive(*where);
                out_ << "   ";
            }
            current = where;
            const Instruction& insn = program.insns[pc];
            out_ << " ";
            if (function.labels.count(pc)) out_ << "L" << pc << ": ";
            if (insn.opcode == op::kLddw) {
                if (pc + 1 >= function.end) fail(program, pc, "LDDW is truncated");
                out_ << translate_lddw(program, pc, insn, program.insns[pc + 1]);
                out_ << " /* " << pc << " */";
                ++pc;
            } else {
                out_ << translate(plan, pc, insn) << " /* " << pc << " */";
            }
        }
        // A verified function never falls off its end; keep C happy anyway.
        out_ << "\n    return r0; }\n";
    }

    std::string reg(int r) const { return "r" + std::to_string(r); }

    std::string translate_lddw(const TranslationProgram& program, uint32_t pc, const Instruction& insn,
                               const Instruction& next) {
        std::string dst = reg(insn.dst);
        switch (insn.src) {
        case op::kPseudoImm64: {
            uint64_t value = static_cast<uint32_t>(insn.imm) |
                             (static_cast<uint64_t>(static_cast<uint32_t>(next.imm)) << 32);
            return dst + " = " + hex64(value) + ";";
        }
        case op::kPseudoMapIdx:
        case op::kPseudoMapIdxValue: {
            if (insn.imm < 0 || static_cast<size_t>(insn.imm) >= unit_.maps.size())
                fail(program, pc, "map index " + std::to_string(insn.imm) + " out of range");
            std::string slot = "ebpf_maps[" + std::to_string(insn.imm) + "]";
            if (insn.src == op::kPseudoMapIdx) return dst + " = " + slot + ".address;";
            return dst + " = " + slot + ".value_address + " + hex64(static_cast<uint32_t>(next.imm)) + ";";
        }
        case op::kPseudoFunc: {
            uint32_t target = static_cast<uint32_t>(static_cast<int64_t>(pc) + 1 + insn.imm);
            return dst + " = (uint64_t)(uintptr_t)&" + function_name(program, target) + ";";
        }
        default:
            fail(program, pc, "LDDW form src=" + std::to_string(insn.src) +
                                  " is not supported in native code (the loader resolves maps by index)");
        }
    }

    std::string function_name(const TranslationProgram& program, uint32_t start) const {
        for (const auto& plan : plans_)
            if (plan.program == &program)
                for (const auto& function : plan.functions)
                    if (function.start == start) return function.c_name;
        fail(program, start, "no function starts here");
    }

    std::string translate(const ProgramPlan& plan, uint32_t pc, const Instruction& insn) {
        const auto& program = *plan.program;
        switch (op::cls(insn.opcode)) {
        case op::kClassAlu64: return translate_alu64(program, pc, insn);
        case op::kClassAlu: return translate_alu32(program, pc, insn);
        case op::kClassJmp:
        case op::kClassJmp32: return translate_jump(plan, pc, insn);
        case op::kClassLdx: return translate_load(program, pc, insn);
        case op::kClassSt:
        case op::kClassStx: return translate_store(program, pc, insn);
        default:
            fail(program, pc, "opcode 0x" + hex_byte(insn.opcode) +
                                  " (legacy packet access or unknown) is not supported in native code");
        }
    }
    static std::string hex_byte(uint8_t value) {
        char text[4];
        std::snprintf(text, sizeof text, "%02x", value);
        return text;
    }

    std::string translate_alu64(const TranslationProgram& program, uint32_t pc, const Instruction& insn) {
        std::string d = reg(insn.dst);
        std::string s = op::is_x(insn.opcode) ? reg(insn.src) : hex64(sext_imm(insn.imm));
        bool is_signed = insn.offset == 1;
        switch (op::alu_op(insn.opcode)) {
        case op::kAdd: return d + " += " + s + ";";
        case op::kSub: return d + " -= " + s + ";";
        case op::kMul: return d + " *= " + s + ";";
        case op::kDiv: return d + " = " + (is_signed ? "ebpf_sdiv64(" : "ebpf_udiv64(") + d + ", " + s + ");";
        case op::kMod: return d + " = " + (is_signed ? "ebpf_smod64(" : "ebpf_umod64(") + d + ", " + s + ");";
        case op::kOr: return d + " |= " + s + ";";
        case op::kAnd: return d + " &= " + s + ";";
        case op::kXor: return d + " ^= " + s + ";";
        case op::kLsh: return d + " <<= (" + s + " & 63);";
        case op::kRsh: return d + " >>= (" + s + " & 63);";
        case op::kArsh: return d + " = ebpf_arsh64(" + d + ", " + s + ");";
        case op::kNeg: return d + " = 0 - " + d + ";";
        case op::kMov:
            switch (insn.offset) {
            case 0: return d + " = " + s + ";";
            case 8: return d + " = ebpf_sx8(" + s + ");";
            case 16: return d + " = ebpf_sx16(" + s + ");";
            case 32: return d + " = ebpf_sx32(" + s + ");";
            default: fail(program, pc, "bad MOVSX offset " + std::to_string(insn.offset));
            }
        case op::kEnd:  // ALU64 END: unconditional byte swap (bswap16/32/64)
            switch (insn.imm) {
            case 16: return d + " = __builtin_bswap16((uint16_t)" + d + ");";
            case 32: return d + " = __builtin_bswap32((uint32_t)" + d + ");";
            case 64: return d + " = __builtin_bswap64(" + d + ");";
            default: fail(program, pc, "bad byte swap width " + std::to_string(insn.imm));
            }
        default: fail(program, pc, "unknown ALU64 operation 0x" + hex_byte(insn.opcode));
        }
    }

    std::string translate_alu32(const TranslationProgram& program, uint32_t pc, const Instruction& insn) {
        std::string d = reg(insn.dst);
        std::string d32 = "(uint32_t)" + d;
        std::string s32 = op::is_x(insn.opcode) ? "(uint32_t)" + reg(insn.src)
                                                : hex32(static_cast<uint32_t>(insn.imm));
        bool is_signed = insn.offset == 1;
        auto assign = [&](const std::string& expr) { return d + " = (uint32_t)(" + expr + ");"; };
        switch (op::alu_op(insn.opcode)) {
        case op::kAdd: return assign(d32 + " + " + s32);
        case op::kSub: return assign(d32 + " - " + s32);
        case op::kMul: return assign(d32 + " * " + s32);
        case op::kDiv: return d + " = " + (is_signed ? "ebpf_sdiv32(" : "ebpf_udiv32(") + d + ", " + s32 + ");";
        case op::kMod: return d + " = " + (is_signed ? "ebpf_smod32(" : "ebpf_umod32(") + d + ", " + s32 + ");";
        case op::kOr: return assign(d32 + " | " + s32);
        case op::kAnd: return assign(d32 + " & " + s32);
        case op::kXor: return assign(d32 + " ^ " + s32);
        case op::kLsh: return assign(d32 + " << (" + s32 + " & 31)");
        case op::kRsh: return assign(d32 + " >> (" + s32 + " & 31)");
        case op::kArsh: return d + " = ebpf_arsh32(" + d + ", " + s32 + ");";
        case op::kNeg: return assign("0u - " + d32);
        case op::kMov:
            switch (insn.offset) {
            case 0: return d + " = " + s32 + ";";
            case 8: return assign("ebpf_sx8(" + s32 + ")");
            case 16: return assign("ebpf_sx16(" + s32 + ")");
            default: fail(program, pc, "bad MOVSX offset " + std::to_string(insn.offset));
            }
        case op::kEnd: {
            bool to_be = op::is_x(insn.opcode);
            switch (insn.imm) {
            case 16: return d + " = " + (to_be ? "__builtin_bswap16((uint16_t)" + d + ")" : "(uint16_t)" + d) + ";";
            case 32: return d + " = " + (to_be ? "__builtin_bswap32((uint32_t)" + d + ")" : "(uint32_t)" + d) + ";";
            case 64: return to_be ? d + " = __builtin_bswap64(" + d + ");" : std::string("/* le64: no-op */");
            default: fail(program, pc, "bad byte swap width " + std::to_string(insn.imm));
            }
        }
        default: fail(program, pc, "unknown ALU operation 0x" + hex_byte(insn.opcode));
        }
    }

    std::string translate_jump(const ProgramPlan& plan, uint32_t pc, const Instruction& insn) {
        const auto& program = *plan.program;
        bool is32 = op::cls(insn.opcode) == op::kClassJmp32;
        uint8_t jop = op::jmp_op(insn.opcode);
        if (jop == op::kExit) return "return r0;";
        if (jop == op::kCall) {
            if (insn.src == op::kCallHelper) {
                // Named as the disassembler names it ("bpf_map_lookup_elem#1").
                std::string call = "r0 = ebpf_helpers[" + std::to_string(helper_index_.at(insn.imm)) +
                                   "].function(r1, r2, r3, r4, r5); /* " +
                                   comment_text(disassemble(insn, nullptr, linux_helper_name)) + " */";
                // The exec.hpp contract: after tail_call, leave every frame at once
                // when the runtime took the call.
                if (insn.imm == helper_id::tail_call)
                    call += " if (ebpf_runtime.tail_call_pending()) return 0;";
                return call;
            }
            if (insn.src == op::kCallLocal) {
                uint32_t target = static_cast<uint32_t>(static_cast<int64_t>(pc) + 1 + insn.imm);
                std::string call = "r0 = " + function_name(program, target) + "(r1, r2, r3, r4, r5, depth + 1);";
                if (plan.tail_calls) call += " if (ebpf_runtime.tail_call_pending()) return 0;";
                return call;
            }
            fail(program, pc, "kfunc calls (call src=" + std::to_string(insn.src) + ") are not supported");
        }
        int64_t offset = (is32 && jop == op::kJa) ? insn.imm : insn.offset;
        std::string target = "goto L" + std::to_string(static_cast<int64_t>(pc) + 1 + offset) + ";";
        if (jop == op::kJa) return target;
        std::string a, b, sa, sb;
        if (is32) {
            a = "(uint32_t)" + reg(insn.dst);
            b = op::is_x(insn.opcode) ? "(uint32_t)" + reg(insn.src) : hex32(static_cast<uint32_t>(insn.imm));
            sa = "EBPF_S32(" + reg(insn.dst) + ")";
            sb = op::is_x(insn.opcode) ? "EBPF_S32(" + reg(insn.src) + ")" : "EBPF_S32(" + b + ")";
        } else {
            a = reg(insn.dst);
            b = op::is_x(insn.opcode) ? reg(insn.src) : hex64(sext_imm(insn.imm));
            sa = "EBPF_S64(" + a + ")";
            sb = "EBPF_S64(" + b + ")";
        }
        std::string condition;
        switch (jop) {
        case op::kJeq: condition = a + " == " + b; break;
        case op::kJne: condition = a + " != " + b; break;
        case op::kJgt: condition = a + " > " + b; break;
        case op::kJge: condition = a + " >= " + b; break;
        case op::kJlt: condition = a + " < " + b; break;
        case op::kJle: condition = a + " <= " + b; break;
        case op::kJset: condition = "(" + a + " & " + b + ") != 0"; break;
        case op::kJsgt: condition = sa + " > " + sb; break;
        case op::kJsge: condition = sa + " >= " + sb; break;
        case op::kJslt: condition = sa + " < " + sb; break;
        case op::kJsle: condition = sa + " <= " + sb; break;
        default: fail(program, pc, "unknown jump operation 0x" + hex_byte(insn.opcode));
        }
        return "if (" + condition + ") " + target;
    }

    static std::string address(const Instruction& insn, int base) {
        std::string r = "r" + std::to_string(base);
        if (insn.offset == 0) return r;
        return r + " + " + hex64(sext_imm(insn.offset));
    }

    std::string translate_load(const TranslationProgram& program, uint32_t pc, const Instruction& insn) {
        int bits = op::size_bytes(insn.opcode) * 8;
        std::string load = "ebpf_ld" + std::to_string(bits) + "(" + address(insn, insn.src) + ")";
        if (op::mode(insn.opcode) == op::kModeMem) return reg(insn.dst) + " = " + load + ";";
        if (op::mode(insn.opcode) == op::kModeMemSx && bits < 64)
            return reg(insn.dst) + " = ebpf_sx" + std::to_string(bits) + "(" + load + ");";
        fail(program, pc, "unsupported load mode 0x" + hex_byte(insn.opcode));
    }

    std::string translate_store(const TranslationProgram& program, uint32_t pc, const Instruction& insn) {
        int bits = op::size_bytes(insn.opcode) * 8;
        bool is_st = op::cls(insn.opcode) == op::kClassSt;
        if (op::mode(insn.opcode) == op::kModeMem) {
            std::string value = is_st ? hex64(sext_imm(insn.imm)) : reg(insn.src);
            return "ebpf_st" + std::to_string(bits) + "(" + address(insn, insn.dst) + ", " + value + ");";
        }
        if (is_st || op::mode(insn.opcode) != op::kModeAtomic || (bits != 32 && bits != 64))
            fail(program, pc, "unsupported store mode 0x" + hex_byte(insn.opcode));
        return translate_atomic(program, pc, insn, bits);
    }

    std::string translate_atomic(const TranslationProgram& program, uint32_t pc, const Instruction& insn,
                                 int bits) {
        std::string type = bits == 64 ? "uint64_t" : "uint32_t";
        std::string pointer = "((ebpf_alias_u" + std::to_string(bits) + "*)EBPF_PTR(" + address(insn, insn.dst) + "))";
        std::string s = reg(insn.src);
        std::string value = "(" + type + ")" + s;
        if (insn.imm == op::kAtomicCmpXchg) {
            return "{ " + type + " expected = (" + type + ")r0; __atomic_compare_exchange_n(" + pointer +
                   ", &expected, " + value + ", 0, __ATOMIC_SEQ_CST, __ATOMIC_SEQ_CST); r0 = expected; }";
        }
        if (insn.imm == op::kAtomicXchg)
            return s + " = __atomic_exchange_n(" + pointer + ", " + value + ", __ATOMIC_SEQ_CST);";
        bool fetch = (insn.imm & op::kAtomicFetch) != 0;
        std::string builtin;
        switch (insn.imm & ~op::kAtomicFetch) {
        case op::kAdd: builtin = "__atomic_fetch_add"; break;
        case op::kOr: builtin = "__atomic_fetch_or"; break;
        case op::kAnd: builtin = "__atomic_fetch_and"; break;
        case op::kXor: builtin = "__atomic_fetch_xor"; break;
        default: fail(program, pc, "unknown atomic operation imm=0x" + hex_byte(static_cast<uint8_t>(insn.imm)));
        }
        std::string call = builtin + "(" + pointer + ", " + value + ", __ATOMIC_SEQ_CST)";
        return fetch ? s + " = " + call + ";" : "(void)" + call + ";";
    }

    void emit_metadata() {
        // The maps each program names, so the loader can refuse what it cannot bind.
        for (size_t p = 0; p < plans_.size(); ++p) {
            if (plans_[p].map_references.empty()) continue;
            out_ << "\nstatic const uint32_t ebpf_map_references_" << p << "[" << plans_[p].map_references.size()
                 << "] = {";
            size_t n = 0;
            for (uint32_t ref : plans_[p].map_references) out_ << (n++ ? ", " : "") << hex32(ref);
            out_ << "};\n";
        }
        out_ << "\nstatic const struct ebpf_native_program ebpf_programs[" << std::max<size_t>(plans_.size(), 1)
             << "] = {\n";
        for (size_t p = 0; p < plans_.size(); ++p) {
            const auto& plan = plans_[p];
            const auto& program = *plan.program;
            out_ << "    {" << c_string_literal(program.name) << ", " << c_string_literal(program.section)
                 << ", " << static_cast<uint32_t>(program.type) << ", " << program.verified_instruction_count
                 << ", " << plan.functions[0].c_name << ",\n     {";
            for (size_t i = 0; i < program.bytecode_sha256.size(); ++i)
                out_ << (i ? ", " : "") << static_cast<unsigned>(program.bytecode_sha256[i]);
            out_ << "},\n     " << plan.map_references.size() << ", 0, "
                 << (plan.map_references.empty() ? std::string("0") : "ebpf_map_references_" + std::to_string(p))
                 << "},\n";
        }
        out_ << "};\n\n";
        out_ << "static const struct ebpf_native_module ebpf_module = {\n"
             << "    EBPF_NATIVE_MAGIC, EBPF_NATIVE_ABI_VERSION, sizeof(struct ebpf_native_module),\n"
             << "    " << c_string_literal(unit_.source_name) << ",\n"
             << "    " << plans_.size() << ", " << helper_ids_.size() << ", " << unit_.maps.size() << ", 0,\n"
             << "    ebpf_programs, " << (helper_ids_.empty() ? "0" : "ebpf_helpers") << ", "
             << (unit_.maps.empty() ? "0" : "ebpf_maps") << ", &ebpf_runtime,\n"
             << "    " << (unit_.core_btf.empty() ? std::string("0") : c_string_literal(unit_.core_btf)) << ",\n};\n\n"
             << "__attribute__((visibility(\"default\"))) const struct ebpf_native_module* "
                "ebpf_native_module_get(void)\n{\n    return &ebpf_module;\n}\n";
    }

    const TranslationUnit& unit_;
    const CodegenOptions& options_;
    codegen::IdentifierSet identifiers_;
    std::vector<ProgramPlan> plans_;
    std::vector<int32_t> helper_ids_;
    std::map<int32_t, size_t> helper_index_;
    std::ostringstream out_;
};

}  // namespace

std::string generate_c(const TranslationUnit& unit, const CodegenOptions& options) {
    if (unit.programs.empty()) throw Error("bpf2c: " + unit.source_name + ": no programs to translate");
    return Generator(unit, options).run();
}

}  // namespace ebpf
