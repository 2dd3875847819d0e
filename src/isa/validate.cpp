// validate(): every instruction is checked against its row in the encoding
// table (encodings.cpp); only what the table cannot say (targets that depend
// on the whole program, LDDW's second slot, call forms) is written out here.
#include <array>
#include <cstdio>
#include <cstring>
#include <string>
#include <vector>

#include "ebpf/error.hpp"
#include "ebpf/isa.hpp"
#include "encodings.hpp"

namespace ebpf {
namespace {

// An opcode that turns into its name ("add", "ldxdw") when a message is built.
struct OpcodeName {
    uint8_t opcode;
    operator std::string() const { return isa_detail::opcode_name(opcode); }
    friend std::string operator+(const OpcodeName& n, const char* s) { return std::string(n) + s; }
    friend std::string operator+(std::string&& s, const OpcodeName& n) { return std::move(s) + std::string(n); }
};

using isa_detail::Encoding;
using isa_detail::FieldRule;
using isa_detail::Form;
using isa_detail::Rule;

std::string hex(int64_t value) {
    char text[32];
    if (value < 0) {
        std::snprintf(text, sizeof text, "-0x%llx", static_cast<unsigned long long>(-value));
    } else {
        std::snprintf(text, sizeof text, "0x%llx", static_cast<unsigned long long>(value));
    }
    return text;
}

// The rows whose every check fits in a few bit tests, as masks: the loop below
// accepts a well-formed instruction of such a row without branching on its
// rules (the per-field switches mispredicted on every instruction of a mixed
// program and were most of validate()'s time). Anything that fails the masks,
// and every other row, takes the full check, which words the error.
struct QuickRow {
    bool usable = false;        // the row's checks are all expressed below
    uint16_t dst = 0, src = 0;  // bit v: a register field of v passes
    uint64_t offset = 0;        // bit v: an offset of v (0..63) passes
    bool offset_any = false;    // every offset passes (loads, stores, jumps)
    bool offset_target = false; // the offset is a jump target, checked after the masks
    bool imm_any = false;       // every immediate passes; otherwise it must be 0
    bool lddw = false;          // an imm64 LDDW: its second slot is checked too
};

bool register_mask(const FieldRule& rule, uint16_t& mask) {
    switch (rule.rule) {
    case Rule::zero: mask = 1; return true;
    case Rule::any: mask = 0xffff; return true;
    case Rule::read_reg: mask = (1u << kRegisterCount) - 1; return true;
    case Rule::write_reg: mask = (1u << kFramePointer) - 1; return true;  // r10 is read-only
    case Rule::one_of:
        mask = 0;
        for (uint8_t i = 0; i < rule.count; ++i) {
            if (rule.values[i] < 0 || rule.values[i] > 15) return false;
            mask = static_cast<uint16_t>(mask | (1u << rule.values[i]));
        }
        return true;
    case Rule::jump_target: return false;
    }
    return false;
}

QuickRow quick_row(const Encoding& row) {
    QuickRow q;
    switch (row.form) {
    case Form::alu:
    case Form::alu_neg:
    case Form::jump:
    case Form::exit:
    case Form::ldx:
    case Form::ldx_sx:
    case Form::st:
    case Form::stx: break;
    case Form::lddw:
        // Only the plain 64-bit immediate (src 0); the loader's pseudo forms take the full check.
        if (!register_mask(row.dst, q.dst)) return q;
        q.src = 1;
        q.lddw = true;
        q.imm_any = row.imm.rule == Rule::any;
        q.usable = q.imm_any && row.offset.rule == Rule::zero;
        q.offset = 1;
        return q;
    default: return q;  // calls, LDDW, legacy loads, atomics, gotol, byte swaps: the full check
    }
    if (!register_mask(row.dst, q.dst) || !register_mask(row.src, q.src)) return q;
    switch (row.offset.rule) {
    case Rule::zero: q.offset = 1; break;
    case Rule::any: q.offset_any = true; break;
    case Rule::jump_target: q.offset_any = q.offset_target = true; break;
    case Rule::one_of:
        for (uint8_t i = 0; i < row.offset.count; ++i) {
            if (row.offset.values[i] < 0 || row.offset.values[i] > 63) return q;
            q.offset |= uint64_t{1} << row.offset.values[i];
        }
        break;
    default: return q;
    }
    if (row.imm.rule == Rule::any) q.imm_any = true;
    else if (row.imm.rule != Rule::zero) return q;
    q.usable = true;
    return q;
}

const std::array<QuickRow, 256>& quick_rows() {
    static const std::array<QuickRow, 256> rows = [] {
        std::array<QuickRow, 256> out{};
        for (unsigned opcode = 0; opcode < 256; ++opcode) {
            out[opcode] = quick_row(isa_detail::encoding(static_cast<uint8_t>(opcode)));
        }
        return out;
    }();
    return rows;
}

class Validator {
public:
    Validator(std::span<const Instruction> insns, const ValidateOptions& options)
        : insns_(insns), options_(options) {}

    void run() {
        if (insns_.empty()) throw Error("program has no instructions");
        if (quick_pass()) return;
        // Something needs a closer look: the full checks, in program order,
        // find the first problem and word it.
        mark_lddw_second_slots();
        for (size_t pc = 0; pc < insns_.size(); ++pc) {
            if (second_slot_[pc]) continue;  // checked with its LDDW
            check(pc);
        }
    }

private:
    [[noreturn]] void fail(size_t pc, const std::string& why) const {
        throw Error("instruction " + std::to_string(pc) + ": " + why);
    }

    // True when every instruction is of a row QuickRow expresses and passes it
    // (jump targets inside the program and not in an LDDW's second slot, an
    // imm64 LDDW's second slot zero but for its immediate). Written without a
    // branch per instruction: on a mixed program the branches of the full
    // checks mispredicted on nearly every instruction.
    bool quick_pass() const {
        const size_t n = insns_.size();
        const std::array<QuickRow, 256>& quick = quick_rows();
        std::vector<uint8_t> second(n + 1, 0);  // second[pc]: pc is the second slot of an LDDW
        for (size_t pc = 0; pc < n; ++pc) {
            second[pc + 1] = static_cast<uint8_t>((insns_[pc].opcode == op::kLddw) & !second[pc]);
        }
        if (second[n]) return false;  // an LDDW without its second slot
        bool all = true;
        for (size_t pc = 0; pc < n; ++pc) {
            const Instruction& insn = insns_[pc];
            const QuickRow& q = quick[insn.opcode];
            const uint32_t offset = static_cast<uint16_t>(insn.offset);
            bool ok = q.usable & ((q.dst >> insn.dst) & 1) & ((q.src >> insn.src) & 1) &
                      (q.offset_any | ((offset < 64) & ((q.offset >> (offset & 63)) & 1))) &
                      (q.imm_any | (insn.imm == 0));
            const uint64_t target = static_cast<uint64_t>(static_cast<int64_t>(pc) + 1 + insn.offset);
            const bool inside = target < n;
            ok &= (!q.offset_target) | (inside & !second[inside ? target : 0]);
            uint64_t next;
            std::memcpy(&next, &insns_[pc + 1 < n ? pc + 1 : pc], sizeof next);
            ok &= (!q.lddw) | ((next & 0xffffffffu) == 0);  // opcode, registers and offset 0
            all &= ok | (second[pc] != 0);
        }
        return all;
    }

    // Done first so that a jump backwards or forwards into an LDDW's second
    // slot is caught wherever the LDDW is.
    void mark_lddw_second_slots() {
        second_slot_.assign(insns_.size(), false);
        for (size_t pc = 0; pc < insns_.size(); ++pc) {
            if (insns_[pc].opcode != op::kLddw) continue;
            if (pc + 1 >= insns_.size()) {
                fail(pc, "LDDW is truncated: its second slot is missing at the end of the program");
            }
            second_slot_[++pc] = true;
        }
    }

    void check(size_t pc) const {
        const Instruction& insn = insns_[pc];
        const Encoding& row = isa_detail::encoding(insn.opcode);
        if (row.form == Form::invalid) fail(pc, "unknown opcode " + hex(insn.opcode));
        // The opcode's name only when a message needs it (this loop runs for
        // every instruction of every program loaded).
        const OpcodeName name{insn.opcode};
        check_register(pc, "destination", insn.dst, row.dst, name);
        check_register(pc, "source", insn.src, row.src, name);
        check_value(pc, "offset", insn.offset, row.offset, name, false);
        check_value(pc, "immediate", insn.imm, row.imm, name, row.form == Form::atomic);
        switch (row.form) {
        case Form::call: check_call(pc, insn); break;
        case Form::lddw: check_lddw(pc, insn); break;
        case Form::ld_legacy:
            if (!options_.allow_legacy_packet) {
                fail(pc, "legacy packet access (LD ABS/IND) is not allowed here");
            }
            break;
        case Form::atomic:
            // A fetch returns the old value in src (cmpxchg: in r0).
            if ((insn.imm & op::kAtomicFetch) && insn.imm != op::kAtomicCmpXchg &&
                insn.src == kFramePointer) {
                fail(pc, "r10 is the read-only frame pointer and cannot receive the old value of " +
                             name);
            }
            break;
        default: break;
        }
    }

    void check_register(size_t pc, const char* which, uint8_t reg, const FieldRule& rule,
                        const OpcodeName& name) const {
        switch (rule.rule) {
        case Rule::zero:
            if (reg != 0) {
                fail(pc, name + " does not use the " + which + " register; the field must be 0 (is " +
                             std::to_string(reg) + ")");
            }
            break;
        case Rule::read_reg:
        case Rule::write_reg:
            if (reg >= kRegisterCount) {
                fail(pc, "invalid " + std::string(which) + " register r" + std::to_string(reg) +
                             " (registers are r0..r10)");
            }
            if (rule.rule == Rule::write_reg && reg == kFramePointer) {
                fail(pc, "r10 is the read-only frame pointer and cannot be written by " + name);
            }
            break;
        case Rule::one_of:
            if (!rule.allows(reg)) {
                fail(pc, std::string(which) + " field " + std::to_string(reg) + " is not valid for " +
                             name + " (allowed: " + allowed(rule, false) + ")");
            }
            break;
        case Rule::any:
        case Rule::jump_target: break;
        }
    }

    void check_value(size_t pc, const char* which, int32_t value, const FieldRule& rule,
                     const OpcodeName& name, bool in_hex) const {
        switch (rule.rule) {
        case Rule::zero:
            if (value != 0) {
                fail(pc, name + " does not use the " + which + "; it must be 0 (is " +
                             std::to_string(value) + ")");
            }
            break;
        case Rule::one_of:
            if (!rule.allows(value)) {
                fail(pc, std::string(which) + " " + (in_hex ? hex(value) : std::to_string(value)) +
                             " is not valid for " + name + " (allowed: " + allowed(rule, in_hex) + ")");
            }
            break;
        case Rule::jump_target: check_target(pc, "jump", value); break;
        case Rule::any:
        case Rule::read_reg:
        case Rule::write_reg: break;
        }
    }

    // Targets are relative to the next instruction.
    void check_target(size_t pc, const char* what, int64_t relative) const {
        const int64_t target = static_cast<int64_t>(pc) + 1 + relative;
        if (target < 0 || target >= static_cast<int64_t>(insns_.size())) {
            fail(pc, std::string(what) + " to " + std::to_string(target) +
                         " is outside the program (" + std::to_string(insns_.size()) +
                         " instructions)");
        }
        if (second_slot_[static_cast<size_t>(target)]) {
            fail(pc, std::string(what) + " to " + std::to_string(target) +
                         " lands in the second slot of the LDDW at instruction " +
                         std::to_string(target - 1));
        }
    }

    void check_call(size_t pc, const Instruction& insn) const {
        switch (insn.src) {
        case op::kCallHelper:
            if (insn.imm < 0) fail(pc, "helper id " + std::to_string(insn.imm) + " is invalid");
            break;
        case op::kCallLocal: check_target(pc, "local call", insn.imm); break;
        default:
            fail(pc, "calls to kernel functions (kfunc, call with src " + std::to_string(insn.src) +
                         ") are not supported");
        }
    }

    void check_lddw(size_t pc, const Instruction& insn) const {
        const Instruction& next = insns_[pc + 1];
        if (next.opcode != 0 || next.dst != 0 || next.src != 0 || next.offset != 0) {
            fail(pc + 1, "the second slot of the LDDW at instruction " + std::to_string(pc) +
                             " must have opcode, registers and offset 0");
        }
        if (insn.src == op::kPseudoImm64) return;
        if (!options_.allow_pseudo_lddw) {
            fail(pc, "LDDW pseudo form src=" + std::to_string(insn.src) +
                         " (maps, functions) must be resolved by a loader first");
        }
        // Only the map-value forms carry a second 32-bit value (the offset).
        if (insn.src != op::kPseudoMapValue && insn.src != op::kPseudoMapIdxValue && next.imm != 0) {
            fail(pc + 1, "the second slot of LDDW pseudo form src=" + std::to_string(insn.src) +
                             " must have immediate 0 (is " + std::to_string(next.imm) + ")");
        }
        if (insn.src == op::kPseudoFunc) check_target(pc, "function reference", insn.imm);
    }

    static std::string allowed(const FieldRule& rule, bool in_hex) {
        std::string text;
        for (uint8_t i = 0; i < rule.count; ++i) {
            if (i) text += ", ";
            text += in_hex ? hex(rule.values[i]) : std::to_string(rule.values[i]);
        }
        return text;
    }

    std::span<const Instruction> insns_;
    const ValidateOptions& options_;
    std::vector<bool> second_slot_;
};

}  // namespace

void validate(std::span<const Instruction> insns, const ValidateOptions& options) {
    Validator(insns, options).run();
}

}  // namespace ebpf
