// assemble(): splits the text into lines, strips comments, records labels,
// hands each instruction to its syntax (C-like or bpf_conformance), then
// resolves label targets once every label is known.
#include <map>
#include <string>

#include "asm_syntax.hpp"
#include "ebpf/error.hpp"
#include "ebpf/isa.hpp"

namespace ebpf {
namespace isa_detail {

Target parse_target(Cursor& in) {
    if (in.next_is_number()) {
        const Number n = in.expect_number();
        if (n.magnitude > 0xffffffffull) throw Error("jump distance " + n.text + " is too large");
        return Target{n.negative ? -static_cast<int64_t>(n.magnitude) : static_cast<int64_t>(n.magnitude), {}};
    }
    if (auto label = in.accept_identifier()) return Target{0, *label};
    if (in.at_end()) throw Error("expected a jump target (+N, -N or a label) at the end of the line");
    throw Error("expected a jump target (+N, -N or a label) at '" + std::string(in.rest()) + "'");
}

void set_target(ParsedInstruction& parsed, const Target& target, TargetField field) {
    Instruction& insn = parsed.slots.front();
    if (!target.label.empty()) {
        parsed.label = target.label;
        parsed.target = field;
        return;
    }
    if (field == TargetField::offset) {
        if (target.relative < INT16_MIN || target.relative > INT16_MAX) {
            throw Error("jump distance " + std::to_string(target.relative) +
                        " does not fit in the 16-bit offset field (use gotol for long jumps)");
        }
        insn.offset = static_cast<int16_t>(target.relative);
    } else {
        if (target.relative < INT32_MIN || target.relative > INT32_MAX) {
            throw Error("jump distance " + std::to_string(target.relative) + " does not fit in 32 bits");
        }
        insn.imm = static_cast<int32_t>(target.relative);
    }
}

ParsedInstruction parse_call(Cursor& in) {
    Instruction insn{op::kClassJmp | op::kCall, 0, op::kCallHelper, 0, 0};
    ParsedInstruction parsed{{insn}, {}, TargetField::none};
    if (in.accept("pc")) {  // C-like local call: "call pc+4"
        parsed.slots[0].src = op::kCallLocal;
        set_target(parsed, parse_target(in), TargetField::imm);
    } else if (in.accept("local")) {  // conformance: "call local label" / "call local -3"
        parsed.slots[0].src = op::kCallLocal;
        set_target(parsed, parse_target(in), TargetField::imm);
    } else if (in.accept("kfunc") || in.accept("runtime")) {
        parsed.slots[0].src = op::kCallBtf;
        parsed.slots[0].imm = to_imm32(in.expect_number(), "function id");
    } else {
        in.accept("helper");
        Cursor named = in;  // "call bpf_map_lookup_elem#1": the ID decides, the name is for people
        if (in.next_is_number()) {
            parsed.slots[0].imm = to_imm32(in.expect_number(), "helper id");
        } else if (named.accept_identifier() && named.peek() == '#') {
            named.expect("#");
            parsed.slots[0].imm = to_imm32(named.expect_number(), "helper id");
            in = named;
        } else {
            // "call name": a local call to a label.
            parsed.slots[0].src = op::kCallLocal;
            set_target(parsed, parse_target(in), TargetField::imm);
        }
    }
    in.expect_end();
    return parsed;
}

}  // namespace isa_detail

namespace {

using namespace isa_detail;

std::string_view trim(std::string_view text) {
    while (!text.empty() && std::isspace(static_cast<unsigned char>(text.front()))) text.remove_prefix(1);
    while (!text.empty() && std::isspace(static_cast<unsigned char>(text.back()))) text.remove_suffix(1);
    return text;
}

// '#' starts a comment, except between a name and a number: the helper ID
// of "call bpf_map_lookup_elem#1".
size_t comment_hash(std::string_view line) {
    for (size_t at = line.find('#'); at != std::string_view::npos; at = line.find('#', at + 1)) {
        const bool named_id = at > 0 && is_identifier_char(line[at - 1]) && at + 1 < line.size() &&
                              std::isdigit(static_cast<unsigned char>(line[at + 1]));
        if (!named_id) return at;
    }
    return std::string_view::npos;
}

std::string_view strip_comment(std::string_view line) {
    size_t end = comment_hash(line);
    for (std::string_view marker : {";", "//"}) end = std::min(end, line.find(marker));
    return trim(line.substr(0, end));
}

// Removes a leading "name:" (a label, returned) or "12:" (an instruction
// index as disassemble_program() prints it, ignored).
std::string take_label(std::string_view& line) {
    size_t end = 0;
    const bool numeric = !line.empty() && std::isdigit(static_cast<unsigned char>(line[0]));
    if (!numeric && (line.empty() || !is_identifier_start(line[0]))) return {};
    while (end < line.size() &&
           (numeric ? std::isdigit(static_cast<unsigned char>(line[end])) != 0 : is_identifier_char(line[end]))) {
        ++end;
    }
    size_t colon = end;
    while (colon < line.size() && line[colon] == ' ') ++colon;
    if (colon >= line.size() || line[colon] != ':') return {};
    std::string label = numeric ? std::string() : std::string(line.substr(0, end));
    line = trim(line.substr(colon + 1));
    return label;
}

struct PendingTarget {
    size_t insn;
    size_t line;
    std::string text;
    std::string label;
    TargetField field;
};

[[noreturn]] void fail(size_t line, std::string_view text, const std::string& why) {
    throw Error("line " + std::to_string(line) + ": " + why + ": '" + std::string(text) + "'");
}

}  // namespace

std::vector<Instruction> assemble(std::string_view text) {
    std::vector<Instruction> insns;
    std::map<std::string, std::pair<size_t, size_t>> labels;  // name -> (instruction, line)
    std::vector<PendingTarget> pending;
    std::optional<size_t> first_exit;

    size_t line_number = 0;
    while (!text.empty() || line_number == 0) {
        ++line_number;
        const size_t newline = text.find('\n');
        const std::string_view raw = text.substr(0, newline);
        text = newline == std::string_view::npos ? std::string_view() : text.substr(newline + 1);
        std::string_view line = strip_comment(raw);
        const std::string shown(trim(raw));
        const std::string label = take_label(line);
        if (!label.empty()) {
            auto [it, inserted] = labels.emplace(label, std::pair{insns.size(), line_number});
            if (!inserted) {
                fail(line_number, shown,
                     "label '" + label + "' is already defined on line " + std::to_string(it->second.second));
            }
        }
        if (line.empty()) continue;
        try {
            Cursor in(line);
            ParsedInstruction parsed = is_c_syntax(line) ? parse_c_syntax(in) : parse_conformance_syntax(in);
            if (!parsed.label.empty()) {
                pending.push_back({insns.size(), line_number, shown, parsed.label, parsed.target});
            }
            if (parsed.slots.front().opcode == (op::kClassJmp | op::kExit) && !first_exit) {
                first_exit = insns.size();
            }
            insns.insert(insns.end(), parsed.slots.begin(), parsed.slots.end());
        } catch (const Error& e) {
            fail(line_number, shown, e.what());
        }
    }

    for (const PendingTarget& target : pending) {
        size_t destination = 0;
        if (auto it = labels.find(target.label); it != labels.end()) {
            destination = it->second.first;
        } else if (target.label == "exit" && first_exit) {
            destination = *first_exit;  // bpf_conformance: "exit" names the first exit
        } else {
            fail(target.line, target.text, "unknown label '" + target.label + "'");
        }
        Target relative{static_cast<int64_t>(destination) - static_cast<int64_t>(target.insn) - 1, {}};
        ParsedInstruction slot{{insns[target.insn]}, {}, TargetField::none};
        try {
            set_target(slot, relative, target.field);
        } catch (const Error& e) {
            fail(target.line, target.text, e.what());
        }
        insns[target.insn] = slot.slots.front();
    }
    return insns;
}

}  // namespace ebpf
