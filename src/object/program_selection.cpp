// Which programs one load takes. A program named in LoadOptions::programs
// brings every program it can reach by tail calls: the targets in the
// statically initialised slots (`.values = {[k] = &prog}`) of the prog arrays
// it references, and theirs in turn — so `ebpf run x.so --prog P` and
// `ebpf attach --section S` fill the same slots the whole object would. A
// target that cannot load leaves its slot empty, with a warning.
#include <algorithm>
#include <deque>

#include "ebpf/error.hpp"
#include "ebpf/object.hpp"

namespace ebpf {

bool runtime_can_run(ProgramType type) {
    const ProgramTypeInfo& info = program_type_info(type);
    return info.ctx_is_memory || info.runtime_ctx_size != 0;
}

std::vector<uint32_t> prog_maps_referenced(std::span<const Instruction> insns) {
    std::vector<uint32_t> maps;
    for (size_t i = 0; i + 1 < insns.size(); ++i) {
        if (insns[i].opcode != op::kLddw) continue;
        if (insns[i].src == op::kPseudoMapIdx && insns[i].imm >= 0) maps.push_back(static_cast<uint32_t>(insns[i].imm));
        ++i;
    }
    return maps;
}

std::vector<SelectableProgram> selectable_programs(const Object& object) {
    std::vector<SelectableProgram> out;
    for (const Program& p : object.programs)
        out.push_back({p.name, p.section, p.type, p.load_error, prog_maps_referenced(p.insns)});
    return out;
}

ProgramSelection select_programs(const std::string& path, std::span<const SelectableProgram> programs,
                                 std::span<const MapDefinition> maps, std::span<const std::string> requested,
                                 bool whole_object_runnable_only) {
    ProgramSelection selection;
    selection.load.assign(programs.size(), false);
    auto label = [&](const SelectableProgram& p) { return "program '" + p.name + "' (section '" + p.section + "')"; };
    auto why_not = [&](const SelectableProgram& p) -> std::string {
        if (!p.load_error.empty()) return "cannot load: " + p.load_error;
        if (whole_object_runnable_only && !runtime_can_run(p.type))
            return "the runtime cannot run " + std::string(program_type_name(p.type)) + " programs";
        return "";
    };
    std::deque<size_t> queue;
    if (requested.empty()) {
        for (size_t i = 0; i < programs.size(); ++i) {
            std::string why = why_not(programs[i]);
            if (why.empty()) {
                selection.load[i] = true;
            } else {
                selection.warnings.push_back(label(programs[i]) + " not loaded: " + why);
            }
        }
        return selection;  // every loadable program: nothing more to reach
    }
    for (size_t i = 0; i < programs.size(); ++i) {
        const SelectableProgram& p = programs[i];
        if (std::find_if(requested.begin(), requested.end(),
                         [&](const std::string& n) { return n == p.name || n == p.section; }) == requested.end())
            continue;
        if (!p.load_error.empty()) throw Error(path + ": " + label(p) + " cannot load: " + p.load_error);
        selection.load[i] = true;
        queue.push_back(i);
    }
    // Tail-call targets, transitively.
    while (!queue.empty()) {
        const SelectableProgram& from = programs[queue.front()];
        queue.pop_front();
        for (uint32_t m : from.maps) {
            if (m >= maps.size() || maps[m].type != MapType::prog_array) continue;
            for (const MapSlotInit& slot : maps[m].initial_slots) {
                auto it = std::find_if(programs.begin(), programs.end(),
                                       [&](const SelectableProgram& p) { return p.name == slot.target; });
                if (it == programs.end()) continue;  // the slot-filling step names it as an error
                auto index = static_cast<size_t>(it - programs.begin());
                if (selection.load[index]) continue;
                std::string why = it->load_error.empty() ? "" : "cannot load: " + it->load_error;
                if (why.empty() && !runtime_can_run(it->type))
                    why = "the runtime cannot run " + std::string(program_type_name(it->type)) + " programs";
                if (!why.empty()) {
                    selection.warnings.push_back("map '" + maps[m].name + "': slot " + std::to_string(slot.key) +
                                                 " stays empty: its target " + label(*it) + " " + why);
                    continue;
                }
                selection.load[index] = true;
                queue.push_back(index);
            }
        }
    }
    return selection;
}

}  // namespace ebpf
