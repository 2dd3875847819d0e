// Programs: one per global function of every executable section except .text.
// Each program is linked as libbpf does: its entry function first, then every
// function it reaches through bpf-to-bpf calls or callback references
// (transitively, each once), with call offsets and map/global-data references
// rewritten, and its BTF line info shifted to the linked positions.
#include <bpf/btf.h>
#include <elf.h>

#include <algorithm>
#include <cstdio>
#include <cstring>

#include "ebpf/error.hpp"
#include "loader.hpp"

namespace ebpf::object_detail {
namespace {

constexpr uint32_t kRelocBpf64_64 = 1;   // R_BPF_64_64: LDDW
constexpr uint32_t kRelocBpf64_32 = 10;  // R_BPF_64_32: CALL imm
constexpr uint32_t kRelocBpfNone = 0;    // R_BPF_NONE: what old LLVM wrote in RELA sections for LDDW

struct Function {
    std::string name;
    uint32_t start = 0;  // instruction index in the section
    uint32_t end = 0;    // one past the last instruction
    bool global = false;
};

struct CodeSection {
    const ElfSection* elf = nullptr;
    std::vector<Instruction> insns;
    std::vector<Function> functions;  // sorted by start
    std::map<uint32_t, const ElfRelocation*> relocations;  // by instruction index

    const Function* function_at(uint32_t insn) const {
        for (const auto& f : functions) {
            if (f.start == insn) return &f;
        }
        return nullptr;
    }
};

bool is_lddw(const Instruction& insn) { return insn.opcode == op::kLddw; }
bool is_local_call(const Instruction& insn) {
    return insn.opcode == (op::kClassJmp | op::kCall) && insn.src == op::kCallLocal;
}

std::string hex(uint32_t v) {
    char buf[16];
    std::snprintf(buf, sizeof buf, "0x%02x", v);
    return buf;
}

CodeSection read_code_section(const LoadContext& ctx, const ElfSection& s,
                              const std::vector<const ElfSymbol*>& section_symbols) {
    CodeSection code;
    code.elf = &s;
    std::string where = ctx.elf.where(s);
    if (s.type != SHT_PROGBITS) throw Error(where + ": executable section without contents");
    if (s.data.size() % sizeof(Instruction) != 0) {
        throw Error(where + ": size " + std::to_string(s.data.size()) +
                    " is not a multiple of 8 (a truncated instruction)");
    }
    if (s.data.size() / sizeof(Instruction) > ctx.limits.max_program_instructions) {
        throw Error(where + ": " + std::to_string(s.data.size() / 8) + " instructions, more than the limit of " +
                    std::to_string(ctx.limits.max_program_instructions) + " (max_program_instructions)");
    }
    code.insns.resize(s.data.size() / sizeof(Instruction));
    if (!s.data.empty()) std::memcpy(code.insns.data(), s.data.data(), s.data.size());
    auto count = static_cast<uint32_t>(code.insns.size());

    for (const ElfSymbol* symbol : section_symbols) {
        const ElfSymbol& sym = *symbol;
        if (sym.type != STT_FUNC) continue;
        if (sym.value % 8 != 0 || sym.size % 8 != 0 || sym.value / 8 >= count ||
            sym.size / 8 > count - sym.value / 8) {
            throw Error(where + ": function '" + sym.name + "' (offset " + std::to_string(sym.value) +
                        ", size " + std::to_string(sym.size) + ") does not fit the section");
        }
        Function f;
        f.name = sym.name;
        f.start = static_cast<uint32_t>(sym.value / 8);
        f.end = static_cast<uint32_t>((sym.value + sym.size) / 8);
        f.global = sym.bind == STB_GLOBAL || sym.bind == STB_WEAK;
        code.functions.push_back(std::move(f));
    }
    std::sort(code.functions.begin(), code.functions.end(),
              [](const Function& a, const Function& b) { return a.start < b.start; });
    // Hand-written objects may lack function symbols or sizes: then a
    // function runs to the next one (or the end of the section).
    if (code.functions.empty() && count > 0) {
        code.functions.push_back({s.name, 0, count, s.name != ".text"});
    }
    for (size_t i = 0; i < code.functions.size(); ++i) {
        Function& f = code.functions[i];
        uint32_t limit = i + 1 < code.functions.size() ? code.functions[i + 1].start : count;
        if (f.end == f.start) f.end = limit;
        if (f.end > limit) {
            throw Error(where + ": functions '" + f.name + "' and '" + code.functions[i + 1].name +
                        "' overlap");
        }
    }
    for (const auto& r : ctx.elf.relocations_for(s.index)) {
        if (r.offset % 8 != 0) {
            throw Error(where + ": relocation at offset " + std::to_string(r.offset) +
                        " is not at an instruction boundary");
        }
        if (!code.relocations.emplace(static_cast<uint32_t>(r.offset / 8), &r).second) {
            throw Error(where + ": two relocations at offset " + std::to_string(r.offset));
        }
    }
    return code;
}

class ProgramLinker {
public:
    ProgramLinker(const LoadContext& ctx, const std::map<size_t, CodeSection>& code)
        : ctx_(ctx), code_(code) {}

    Program link(const CodeSection& section, const Function& entry) {
        program_ = Program{};
        placed_.clear();
        pending_.clear();
        program_.name = entry.name;
        program_.section = section.elf->name;
        if (auto type = program_type_from_section(program_.section)) {
            program_.type = type->type;
            program_.attach = std::string(type->attach);
        } else {
            // Unknown to us (kprobe/, tp/, ...): loaded as unspec; the part
            // after the first '/' is kept as the attach point.
            auto slash = program_.section.find('/');
            if (slash != std::string::npos) program_.attach = program_.section.substr(slash + 1);
        }
        where_ = ctx_.elf.where(*section.elf) + ": program '" + entry.name + "'";
        place(section, entry);
        for (size_t i = 0; i < pending_.size(); ++i) relocate(pending_[i]);
        return std::move(program_);
    }

private:
    struct Placed {
        const CodeSection* section;
        const Function* function;
        uint32_t position;  // index of the function's first instruction in the program
    };

    uint32_t place(const CodeSection& section, const Function& f) {
        auto key = std::make_pair(section.elf->index, f.start);
        if (auto it = placed_.find(key); it != placed_.end()) return it->second;
        auto position = static_cast<uint32_t>(program_.insns.size());
        if (program_.insns.size() + (f.end - f.start) > ctx_.limits.max_program_instructions) {
            throw Error(where_ + ": more than " + std::to_string(ctx_.limits.max_program_instructions) +
                        " instructions after linking subprograms (max_program_instructions)");
        }
        program_.insns.insert(program_.insns.end(), section.insns.begin() + f.start,
                              section.insns.begin() + f.end);
        program_.functions.push_back({position, f.name});
        placed_[key] = position;
        pending_.push_back({&section, &f, position});
        apply_core_relocations(section, f, position);
        add_lines(section, f, position);
        return position;
    }

    // The function starting at instruction `target` of `section`, placed in the program.
    uint32_t place_target(const CodeSection& section, int64_t target, uint32_t from) {
        if (target < 0 || target >= static_cast<int64_t>(section.insns.size())) {
            throw Error(where_ + ": instruction " + std::to_string(from) + " refers to instruction " +
                        std::to_string(target) + " outside section '" + section.elf->name + "'");
        }
        const Function* f = section.function_at(static_cast<uint32_t>(target));
        if (!f) {
            throw Error(where_ + ": instruction " + std::to_string(from) + " calls instruction " +
                        std::to_string(target) + " of section '" + section.elf->name +
                        "', which does not start a function");
        }
        return place(section, *f);
    }

    const CodeSection& code_section(uint16_t index, uint32_t from, const std::string& symbol) {
        auto it = code_.find(index);
        if (it == code_.end()) {
            throw Error(where_ + ": instruction " + std::to_string(from) + " refers to '" + symbol +
                        "', which is not in an executable section");
        }
        return it->second;
    }

    void relocate(Placed placed) {  // by value: pending_ grows while relocating
        const CodeSection& section = *placed.section;
        const Function& f = *placed.function;
        for (uint32_t i = f.start; i < f.end; ++i) {
            uint32_t at = placed.position + (i - f.start);
            Instruction& insn = program_.insns[at];
            bool lddw = is_lddw(insn);
            if (lddw && i + 1 >= f.end) {
                throw Error(where_ + ": LDDW at instruction " + std::to_string(i) +
                            " of section '" + section.elf->name + "' is truncated");
            }
            // libbpf refuses this too: the second slot of an LDDW holds the
            // upper 32 bits of the constant, never an instruction a
            // relocation could patch; applying or ignoring it would both be wrong.
            if (lddw && section.relocations.count(i + 1)) {
                throw Error(where_ + ": relocation at offset " + std::to_string((i + 1) * 8) + " of section '" +
                            section.elf->name + "' targets the second slot of the LDDW at instruction " +
                            std::to_string(i));
            }
            if (auto r = section.relocations.find(i); r != section.relocations.end()) {
                apply_relocation(*r->second, i, at);
            } else if (is_local_call(insn) || (lddw && insn.src == op::kPseudoFunc)) {
                // A pc-relative reference that needs no relocation: within this
                // function it stays as it is; otherwise it names a function of
                // the same section.
                int64_t target = int64_t{i} + insn.imm + 1;
                if (target < f.start || target >= f.end) {
                    uint32_t to = place_target(section, target, i);
                    program_.insns[at].imm = static_cast<int32_t>(int64_t{to} - (int64_t{at} + 1));
                }
            }
            if (lddw) ++i;  // the second slot belongs to this LDDW
        }
    }

    void apply_relocation(const ElfRelocation& r, uint32_t i, uint32_t at) {
        const ElfSymbol& sym = ctx_.elf.symbols()[r.symbol];
        Instruction& insn = program_.insns[at];
        std::string what = "instruction " + std::to_string(i) + " (relocation against '" + sym.name + "')";
        if (sym.section == SHN_UNDEF) {
            // An extern (__ksym, __kconfig, a kfunc) fails this program only.
            fail_program("instruction " + std::to_string(i) + ": " +
                         (is_lddw(insn) ? "extern variable '" + sym.name + "' (__ksym or __kconfig)"
                                        : "extern function '" + sym.name + "' (a kfunc)") +
                         " cannot be resolved: externs are not supported");
            return;
        }
        if (sym.section >= SHN_LORESERVE) {
            throw Error(where_ + ": " + what + ": symbol in special section " + hex(sym.section));
        }
        // The addend: in the instruction (SHT_REL, as clang writes), or in
        // the entry (SHT_RELA, old toolchains).
        const int64_t addend = r.has_addend ? r.addend : insn.imm;
        if (is_lddw(insn)) {
            if (r.type != kRelocBpf64_64 && !(r.has_addend && r.type == kRelocBpfNone)) {
                throw Error(where_ + ": " + what + ": unexpected relocation type " +
                            std::to_string(r.type) + " for LDDW");
            }
            Instruction& next = program_.insns[at + 1];
            // A map: at its symbol (clang), or at the section symbol plus the
            // RELA addend (old toolchains).
            uint64_t map_offset = sym.value;
            if (r.has_addend) {
                int64_t at = static_cast<int64_t>(sym.value) + r.addend;
                if (at < 0) throw Error(where_ + ": " + what + ": addend " + std::to_string(r.addend) +
                                        " points before the symbol's section");
                map_offset = static_cast<uint64_t>(at);
            }
            if (auto m = ctx_.map_at.find({sym.section, map_offset}); m != ctx_.map_at.end()) {
                insn.src = op::kPseudoMapIdx;
                insn.imm = static_cast<int32_t>(m->second);
                next.imm = 0;
                return;
            }
            if (auto g = ctx_.global_data_map.find(sym.section); g != ctx_.global_data_map.end()) {
                const MapDefinition& map = ctx_.object.maps[g->second];
                int64_t offset = static_cast<int64_t>(sym.value) + addend;
                if (sym.value > map.value_size || offset < 0 || offset > map.value_size) {
                    throw Error(where_ + ": " + what + ": offset " + std::to_string(offset) +
                                " lies outside '" + map.name + "' (" +
                                std::to_string(map.value_size) + " bytes)");
                }
                insn.src = op::kPseudoMapIdxValue;
                insn.imm = static_cast<int32_t>(g->second);
                next.imm = static_cast<int32_t>(offset);
                return;
            }
            if (code_.count(sym.section)) {
                // A callback: the function's address, as an offset from the next slot.
                int64_t bytes = static_cast<int64_t>(sym.value) + addend;
                if (bytes % 8 != 0) throw Error(where_ + ": " + what + ": misaligned function address");
                const CodeSection& target = code_section(sym.section, i, sym.name);
                uint32_t to = place_target(target, bytes / 8, i);
                Instruction& fixed = program_.insns[at];  // `insn` may have moved
                fixed.src = op::kPseudoFunc;
                fixed.imm = static_cast<int32_t>(int64_t{to} - (int64_t{at} + 1));
                program_.insns[at + 1].imm = 0;
                return;
            }
            const ElfSection* in = ctx_.elf.section(sym.section);
            throw Error(where_ + ": " + what + ": symbol is in section '" +
                        (in ? in->name : std::string("?")) +
                        "', which is neither a map, global data nor code");
        }
        if (is_local_call(insn)) {
            if (r.type != kRelocBpf64_32) {
                throw Error(where_ + ": " + what + ": unexpected relocation type " +
                            std::to_string(r.type) + " for a call");
            }
            const CodeSection& target = code_section(sym.section, i, sym.name);
            if (sym.value % 8 != 0) throw Error(where_ + ": " + what + ": misaligned function address");
            // SHT_REL: imm holds the pc-relative addend (target - 1); SHT_RELA:
            // the entry's addend is a byte offset from the symbol.
            if (r.has_addend && r.addend % 8 != 0)
                throw Error(where_ + ": " + what + ": addend " + std::to_string(r.addend) +
                            " is not a multiple of 8");
            int64_t target_insn = static_cast<int64_t>(sym.value / 8) +
                                  (r.has_addend ? r.addend / 8 : int64_t{insn.imm} + 1);
            uint32_t to = place_target(target, target_insn, i);
            program_.insns[at].imm = static_cast<int32_t>(int64_t{to} - (int64_t{at} + 1));
            return;
        }
        throw Error(where_ + ": " + what + ": relocation on opcode " + hex(insn.opcode) +
                    ", which is neither an LDDW nor a bpf-to-bpf call");
    }

    // The first reason this program cannot load; the others still do.
    void fail_program(const std::string& why) {
        if (program_.load_error.empty()) program_.load_error = why;
    }

    void apply_core_relocations(const CodeSection& section, const Function& f, uint32_t position) {
        auto it = ctx_.ext.core_relos.find(section.elf->name);
        if (it == ctx_.ext.core_relos.end()) return;
        for (const auto& relo : it->second) {
            if (relo.insn_off % 8 != 0)
                throw Error(where_ + ": .BTF.ext core_relo: instruction offset " + std::to_string(relo.insn_off) +
                            " is not a multiple of 8");
            uint32_t insn = relo.insn_off / 8;
            if (insn < f.start || insn >= f.end) continue;
            std::string why = ctx_.core->apply(relo, program_.insns, position + (insn - f.start));
            if (!why.empty()) fail_program(why + " (instruction " + std::to_string(insn) + " of section '" +
                                           section.elf->name + "')");
        }
    }

    void add_lines(const CodeSection& section, const Function& f, uint32_t position) {
        auto it = ctx_.ext.line_info.find(section.elf->name);
        if (it == ctx_.ext.line_info.end()) return;
        std::string ext_where = where_ + ": .BTF.ext line_info";
        std::vector<LineInfo> lines;
        for (const auto& rec : it->second) {
            if (rec.insn_off % 8 != 0) {
                throw Error(ext_where + ": instruction offset " + std::to_string(rec.insn_off) +
                            " is not a multiple of 8");
            }
            uint32_t insn = rec.insn_off / 8;
            if (insn < f.start || insn >= f.end) continue;
            LineInfo line;
            line.insn = position + (insn - f.start);
            if (!btf_string(ctx_.btf, rec.file_name_off, line.where.file) ||
                !btf_string(ctx_.btf, rec.line_off, line.where.text)) {
                throw Error(ext_where + ": string offset outside the BTF string table");
            }
            line.where.line = rec.line_col >> 10;
            line.where.column = rec.line_col & 0x3ff;
            lines.push_back(std::move(line));
        }
        program_.lines.insert(program_.lines.end(), lines.begin(), lines.end());
        std::stable_sort(program_.lines.begin(), program_.lines.end(),
                         [](const LineInfo& a, const LineInfo& b) { return a.insn < b.insn; });
    }

    const LoadContext& ctx_;
    const std::map<size_t, CodeSection>& code_;
    Program program_;
    std::string where_;
    std::map<std::pair<size_t, uint32_t>, uint32_t> placed_;
    std::vector<Placed> pending_;
};

}  // namespace

void load_programs(LoadContext& ctx) {
    std::map<size_t, std::vector<const ElfSymbol*>> symbols_by_section;
    for (const auto& sym : ctx.elf.symbols()) symbols_by_section[sym.section].push_back(&sym);
    std::map<size_t, CodeSection> code;
    for (const auto& s : ctx.elf.sections()) {
        if (s.index != 0 && (s.flags & SHF_EXECINSTR) && s.size > 0) {
            code.emplace(s.index, read_code_section(ctx, s, symbols_by_section[s.index]));
        }
    }
    size_t total = 0;
    ProgramLinker linker(ctx, code);
    // .text holds subprograms, unless it is the only code: then (as libbpf and
    // bpftool with `type`) each of its global functions is a program, of no
    // type until one is given (`--type`, LoadOptions::program_type).
    const bool text_only = std::all_of(code.begin(), code.end(),
                                       [](const auto& entry) { return entry.second.elf->name == ".text"; });
    for (const auto& [index, section] : code) {
        if (section.elf->name == ".text" && !text_only) continue;  // subprograms only
        std::vector<const Function*> entries;
        for (const auto& f : section.functions) {
            if (f.global) entries.push_back(&f);
        }
        // A section of static functions only: its first function is the program.
        if (entries.empty() && !section.functions.empty()) entries.push_back(&section.functions[0]);
        for (const Function* entry : entries) {
            Program program = linker.link(section, *entry);
            total += program.insns.size();
            if (total > ctx.limits.max_object_instructions) {
                throw Error(ctx.elf.path() + ": more than " + std::to_string(ctx.limits.max_object_instructions) +
                            " instructions in all programs after linking subprograms (max_object_instructions)");
            }
            if (ctx.object.programs.size() >= ctx.limits.max_programs) {
                throw Error(ctx.elf.path() + ": more than " + std::to_string(ctx.limits.max_programs) +
                            " programs (max_programs)");
            }
            ctx.object.programs.push_back(std::move(program));
        }
    }
}

}  // namespace ebpf::object_detail
