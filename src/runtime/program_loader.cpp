// Loading: object → maps → per program (helper check, verification, context
// rewriting, map resolution, engine) → LoadedObject. And running: the tail
// call loop of LoadedProgram::run and the per-type context checks.
#include <algorithm>
#include <chrono>
#include <map>
#include <mutex>

#include "ebpf/error.hpp"
#if EBPF_RUNTIME_HAVE_NATIVE
#include "ebpf/native.hpp"
#include "ebpf/policy.hpp"
#endif
#include "ebpf/runtime.hpp"
#include "ebpf/pinning.hpp"
#include "load_steps.hpp"
#include "pin/program_stats.hpp"
#include "maps/map_types.hpp"
#include "redirect_state.hpp"
#include "trace/usdt_probes.hpp"

namespace ebpf {

using namespace runtime_detail;

namespace {

constexpr uint32_t kMaxTailCalls = 33;  // Linux MAX_TAIL_CALL_CNT

struct ProgramRegistry {
    std::mutex mutex;
    uint32_t next_id = 1;
    std::map<uint32_t, LoadedProgram*> by_id;
    std::vector<ProgramUnloadObserver> observers;
};
ProgramRegistry& programs() {
    static ProgramRegistry instance;
    return instance;
}

std::string join_names(const std::vector<std::string>& names) {
    std::string out;
    for (const auto& name : names) out += (out.empty() ? "" : ", ") + name;
    return out.empty() ? "none" : out;
}

// Programs of types the runtime has no context for (tracing, tc, socket)
// are skipped when loading a whole object; naming one is an error.
bool runnable(ProgramType type) {
    const ProgramTypeInfo& info = program_type_info(type);
    return info.ctx_is_memory || info.runtime_ctx_size != 0;
}

// A program that names a prog array may tail-call through it: the map's
// owner type becomes (or must be) the program's type.
void claim_prog_arrays(const ebpf::Program& program, std::span<const std::shared_ptr<Map>> maps) {
    for (size_t i = 0; i + 1 < program.insns.size(); ++i) {
        const Instruction& insn = program.insns[i];
        if (insn.opcode != op::kLddw) continue;
        ++i;
        if (insn.src != op::kPseudoMapIdx || insn.imm < 0 || static_cast<size_t>(insn.imm) >= maps.size()) continue;
        if (auto* prog_array = dynamic_cast<ProgArrayMap*>(maps[static_cast<size_t>(insn.imm)].get()))
            prog_array->claim_owner(program.type, "program '" + program.name + "'", "loaded to tail-call through it");
    }
}

}  // namespace

std::string unprovided_map_error(const ebpf::Program& program, std::span<const MapDefinition> maps) {
    for (size_t i = 0; i + 1 < program.insns.size(); ++i) {
        const Instruction& insn = program.insns[i];
        if (insn.opcode != op::kLddw) continue;
        ++i;
        if (insn.src != op::kPseudoMapIdx && insn.src != op::kPseudoMapIdxValue) continue;
        const auto index = static_cast<uint32_t>(insn.imm);
        if (index >= maps.size() || map_type_provided(maps[index].type)) continue;
        return "program '" + program.name + "': instruction " + std::to_string(i - 1) + ": map '" + maps[index].name +
               "' has type " + std::string(map_type_name(maps[index].type)) + " (" +
               std::to_string(static_cast<uint32_t>(maps[index].type)) +
               "), which the runtime cannot provide (the object's other programs can load)";
    }
    return {};
}

namespace {

// The verifier checks a program against `definitions`; the engine runs it on
// `maps`. They must agree: same shapes, and read-only maps frozen with the
// very contents the verifier may have folded into constants.
void check_maps_match_definitions(const std::string& where, std::span<const MapDefinition> definitions,
                                  std::span<const std::shared_ptr<Map>> maps) {
    for (size_t i = 0; i < maps.size(); ++i) {
        if (!maps[i]) continue;
        const Map& map = *maps[i];
        if (i >= definitions.size())
            throw Error(where + ": map '" + map.name() + "' (index " + std::to_string(i) + ") has no definition");
        const MapDefinition& d = definitions[i];
        const MapDefinition& m = map.definition();
        if (m.type != d.type || m.key_size != d.key_size || m.value_size != d.value_size ||
            m.max_entries != d.max_entries || m.map_flags != d.map_flags || m.read_only != d.read_only)
            throw Error(where + ": map '" + map.name() + "' (index " + std::to_string(i) +
                        ") is not the map of the definition '" + d.name + "' the program is verified against");
        if (!read_only_for_programs(d)) continue;
        if (!map.frozen())
            throw Error(where + ": map '" + d.name + "' is read-only for programs but not frozen "
                                "(create_maps freezes it): its contents could change after verification");
        if (d.is_global_data) {
            auto* value = static_cast<const uint8_t*>(maps[i]->direct_value(0));
            if (!value || d.initial_data.size() != d.value_size ||
                !std::equal(d.initial_data.begin(), d.initial_data.end(), value))
                throw Error(where + ": read-only data '" + d.name +
                            "' differs from the contents the program is verified against");
        }
    }
}


}  // namespace

// --- preparing one program ---------------------------------------------------

std::vector<Instruction> resolve_map_references(const std::string& program_name, std::span<const Instruction> insns,
                                                std::span<const std::shared_ptr<Map>> maps) {
    std::vector<Instruction> out(insns.begin(), insns.end());
    for (size_t i = 0; i < out.size(); ++i) {
        Instruction& insn = out[i];
        if (insn.opcode != op::kLddw) continue;
        const std::string where = "program '" + program_name + "': instruction " + std::to_string(i) + ": ";
        if (i + 1 >= out.size()) throw Error(where + "truncated LDDW");
        Instruction& next = out[i + 1];
        uint8_t src = insn.src;
        ++i;
        if (src == op::kPseudoMapFd || src == op::kPseudoMapValue)
            throw Error(where + "LDDW refers to a map by file descriptor; objects must refer to maps by index");
        if (src != op::kPseudoMapIdx && src != op::kPseudoMapIdxValue) continue;
        auto index = static_cast<uint32_t>(insn.imm);
        if (index >= maps.size() || !maps[index])
            throw Error(where + "refers to map index " + std::to_string(index) + ", which the object does not define");
        Map& map = *maps[index];
        uint64_t address = reinterpret_cast<uintptr_t>(&map);
        if (src == op::kPseudoMapIdxValue) {
            auto offset = static_cast<uint32_t>(next.imm);
            auto* value = static_cast<uint8_t*>(map.direct_value(0));
            if (!value) throw Error(where + "map '" + map.name() + "' has no directly addressable value (array maps only)");
            if (offset >= map.value_size())
                throw Error(where + "offset " + std::to_string(offset) + " is outside map '" + map.name() + "' (value size " +
                            std::to_string(map.value_size()) + ")");
            address = reinterpret_cast<uintptr_t>(value + offset);
        }
        insn.src = op::kPseudoImm64;
        insn.imm = static_cast<int32_t>(static_cast<uint32_t>(address));
        next.imm = static_cast<int32_t>(static_cast<uint32_t>(address >> 32));
    }
    return out;
}

std::vector<Instruction> prepare_program(const ebpf::Program& program, std::span<const MapDefinition> definitions,
                                         std::span<const std::shared_ptr<Map>> maps, const LoadOptions& options) {
    const std::string where = "program '" + program.name + "'";
    if (std::string error = unprovided_map_error(program, definitions); !error.empty()) throw Error(error);
    check_helper_calls(program.name, program.insns, program.type);
    check_maps_match_definitions(where, definitions, maps);
    std::vector<Instruction> insns = program.insns;
    if (!options.verify) {
        // Only the bounds-checked interpreter may run what was not verified.
        if (options.mode != ExecMode::interpret || !options.exec.bounds_check)
            throw Error(where + ": unverified programs may only run in the bounds-checked interpreter "
                                "(set exec.bounds_check, or keep verification on)");
        if (!program_type_info(program.type).fields.empty())
            throw Error(where + ": " + std::string(program_type_name(program.type)) +
                        " programs need verification: their context accesses are rewritten from its result");
    } else {
        VerifyResult result = verify_for_load(program, definitions, options.verify_options);
        if (!result.ok) {
            std::string message = where + ": verification failed";
            if (!result.errors.empty()) message += ":\n" + format_diagnostic(result.errors.front(), program.section);
            throw Error(message);
        }
        // Also without context accesses: LD ABS/IND are lowered there.
        if (!program_type_info(program.type).fields.empty())
            insns = rewrite_context_accesses(insns, program.type, result.ctx_accesses);
    }
    claim_prog_arrays(program, maps);
    return resolve_map_references(program.name, insns, maps);
}

std::unique_ptr<Engine> make_engine(ExecMode mode, std::span<const Instruction> insns, const ExecOptions& options) {
    ExecutableProgram executable{insns, &helper_table()};
#if EBPF_RUNTIME_HAVE_NATIVE
    // Code-integrity mode refuses the interpreter and the JIT, naming the policy.
    check_engine_policy(mode);
#endif
    switch (mode) {
    case ExecMode::interpret: return make_interpreter(executable, options);
    case ExecMode::jit: return make_jit(executable, options);
    case ExecMode::native: break;
    }
    throw Error("native mode runs a compiled module (ebpf build prog.o -o prog.so), not bytecode: load the .so");
}

// --- programs ----------------------------------------------------------------------

LoadedProgram::LoadedProgram(std::string name, std::string section, ProgramType type, std::string attach,
                             std::vector<Instruction> insns, std::unique_ptr<Engine> engine,
                             bool admitted_under_policy, std::optional<uint64_t> memory_size)
    : name_(std::move(name)), section_(std::move(section)), attach_(std::move(attach)), type_(type),
      info_(&program_type_info(type)), insns_(std::move(insns)), engine_(std::move(engine)), memory_size_(memory_size),
      admitted_under_policy_(admitted_under_policy),
      stats_(std::make_unique<runtime_detail::ProgramRunStats>(possible_cpus())) {
    if (!engine_) throw Error("program '" + name_ + "': no engine");
    std::lock_guard lock(programs().mutex);
    id_ = programs().next_id++;
    programs().by_id[id_] = this;
}

LoadedProgram::~LoadedProgram() {
    std::vector<ProgramUnloadObserver> observers;
    {
        std::lock_guard lock(programs().mutex);
        programs().by_id.erase(id_);
        observers = programs().observers;
    }
    // Nothing may tail-call or hook into a program that is gone.
    for (auto& map : live_maps()) {
        if (auto* prog_array = dynamic_cast<ProgArrayMap*>(map.get())) prog_array->forget_program(this);
    }
    for (auto observer : observers) observer(this);
}

LoadedProgram* find_program_by_id(uint32_t id) {
    std::lock_guard lock(programs().mutex);
    auto it = programs().by_id.find(id);
    return it == programs().by_id.end() ? nullptr : it->second;
}

void add_program_unload_observer(ProgramUnloadObserver observer) {
    std::lock_guard lock(programs().mutex);
    programs().observers.push_back(observer);
}

// Code-integrity mode: only programs of modules whose signature the loader
// checked in the mode run. Checked at every entry, tail calls included: a
// program loaded before the mode was on, or put into a prog array from
// anywhere, is refused here rather than trusted for where it came from.
void LoadedProgram::check_admitted() const {
#if EBPF_RUNTIME_HAVE_NATIVE
    if (admitted_under_policy_ || !code_integrity_enabled()) return;
    check_code_integrity_setup();
    throw Error("code-integrity policy: program '" + name_ + "' (" + exec_mode_name(engine_->mode()) +
                ") was not loaded as a signed native module in code-integrity mode; it may not run");
#endif
}

namespace {

// What the verifier assumed of an XDP context: data_meta <= data <= data_end
// inside the frame, and the packet pointers never NULL.
void check_xdp_context(const std::string& name, const XdpRuntimeContext& xdp) {
    if (xdp.frame_start == 0 || xdp.frame_start > xdp.data_meta || xdp.data_meta > xdp.data ||
        xdp.data > xdp.data_end || xdp.data_end > xdp.frame_end)
        throw Error("program '" + name +
                    "': the XDP context must have frame_start <= data_meta <= data <= data_end <= frame_end, "
                    "and a non-NULL frame");
}

// What the verifier and the helpers assumed of a socket buffer (SkbPacket).
void check_skb_context(const std::string& name, const SkbRuntimeContext& c) {
    if (c.buffer_start == 0 || c.buffer_start > c.data_meta || c.data_meta > c.data || c.data > c.data_end ||
        c.data_end > c.buffer_end || c.mac_header < c.buffer_start || c.mac_header > c.data_end ||
        c.len != c.data_end - c.data || c.max_len > c.buffer_end - c.buffer_start)
        throw Error("program '" + name +
                    "': the socket buffer must have buffer_start <= data_meta <= data <= data_end <= buffer_end, "
                    "len = data_end - data and a non-NULL buffer (build it with SkbPacket)");
}

}  // namespace

uint64_t LoadedProgram::run(void* ctx, size_t size) const {
    const ProgramTypeInfo& info = *info_;
    if (info.ctx_is_memory) {
        // The verifier treats r1 as a pointer that is never NULL.
        if (!ctx && size != 0)
            throw Error("program '" + name_ + "': NULL memory of " + std::to_string(size) + " bytes");
        // Verified for a known size: the verifier took r2 to be that constant.
        if (memory_size_ && size != *memory_size_)
            throw Error("program '" + name_ + "': verified for memory of " + std::to_string(*memory_size_) +
                        " bytes, run with " + std::to_string(size));
        if (!ctx) ctx = empty_memory();
    } else {
        if (info.runtime_ctx_size == 0)
            throw Error("program '" + name_ + "': the runtime cannot run " + std::string(info.name) + " programs");
        if (!ctx || size < info.runtime_ctx_size)
            throw Error("program '" + name_ + "': context must be " + std::to_string(info.runtime_ctx_size) +
                        " bytes for " + std::string(info.name) + " programs, got " + std::to_string(size));
        if (type_ == ProgramType::xdp) check_xdp_context(name_, *static_cast<const XdpRuntimeContext*>(ctx));
        if (type_ == ProgramType::sched_cls || type_ == ProgramType::sched_act || type_ == ProgramType::socket_filter)
            check_skb_context(name_, *static_cast<const SkbRuntimeContext*>(ctx));
    }
    return run_context(ctx, size);
}

uint64_t LoadedProgram::run_context(void* ctx, size_t size) const {
    CpuScope cpu;
    // Statistics only while enabled (as kernel.bpf_stats_enabled): one
    // relaxed load otherwise. Tail-called programs count in their caller's run.
    const bool timed = runtime_detail::program_stats_on();
    const auto started = timed ? std::chrono::steady_clock::now() : std::chrono::steady_clock::time_point{};
    RunState& state = run_state();
    // A helper may run a program on this thread (nested): keep the outer chain.
    struct SavedChain {
        RunState& state;
        const void* target;
        uint32_t count;
        void* program;
        ~SavedChain() {
            state.tail_call_target = target;
            state.tail_call_count = count;
            state.runtime = program;
        }
    } saved{state, state.tail_call_target, state.tail_call_count, state.runtime};
    state.tail_call_target = nullptr;
    state.tail_call_count = 0;
    // A new outermost run starts without a redirect (Linux clears
    // bpf_redirect_info when it has acted on one).
    if (!saved.program && redirect_pending) clear_redirect();
    // The prog_run USDT probe: no clock read unless a tracer is attached.
    const uint64_t traced_since = trace_probes::prog_run_enabled() ? trace_probes::monotonic_ns() : 0;

    const LoadedProgram* current = this;
    uint64_t result = 0;
    for (;;) {
#if EBPF_RUNTIME_HAVE_NATIVE
        if (!current->admitted_under_policy_ && code_integrity_enabled()) current->check_admitted();
#endif
        state.runtime = const_cast<LoadedProgram*>(current);  // whose bpf_printk (usdt_probes.hpp)
        result = current->engine_->run(reinterpret_cast<uintptr_t>(ctx), size);
        if (!state.tail_call_target) break;
        current = static_cast<const LoadedProgram*>(state.tail_call_target);
        state.tail_call_target = nullptr;
        // Prog-array owner types make this impossible; checked anyway, since
        // the target would read this context with another layout.
        if (current->type_ != type_)
            throw Error("program '" + name_ + "': tail call into program '" + current->name_ + "' of another type (" +
                        std::string(program_type_name(current->type_)) + ") refused");
        if (current->memory_size_ && size != *current->memory_size_)
            throw Error("program '" + current->name_ + "': verified for memory of " +
                        std::to_string(*current->memory_size_) + " bytes, tail-called with " + std::to_string(size));
        if (++state.tail_call_count > kMaxTailCalls)
            throw Error("program '" + name_ + "': tail-call chain longer than " + std::to_string(kMaxTailCalls));
    }
    if (timed)
        stats_->add(static_cast<uint64_t>(std::chrono::duration_cast<std::chrono::nanoseconds>(
                                              std::chrono::steady_clock::now() - started)
                                              .count()));
    const ProgramTypeInfo& last = *current->info_;
    auto value = static_cast<int64_t>(result);
    // XDP: any value, as Linux (one that is no action is XDP_ABORTED where the
    // verdict is acted on: the packet host, test runs report it as it is).
    if (last.type != ProgramType::xdp && (value < last.ret_min || value > last.ret_max))
        throw Error("program '" + current->name_ + "': returned " + std::to_string(value) + ", outside the range [" +
                    std::to_string(last.ret_min) + ", " + std::to_string(last.ret_max) + "] of " +
                    std::string(last.name) + " programs");
    if (traced_since != 0) trace_probes::fire_prog_run(name_, result, trace_probes::monotonic_ns() - traced_since);
    return result;
}

uint64_t LoadedProgram::run_xdp(std::span<uint8_t> frame, size_t& data_offset, size_t& length,
                                uint32_t ingress_ifindex, uint32_t rx_queue_index, uint32_t egress_ifindex,
                                size_t* meta_length) const {
    if (type_ != ProgramType::xdp) throw Error("program '" + name_ + "': run_xdp needs an xdp program");
    if (data_offset > frame.size() || length > frame.size() - data_offset)
        throw Error("program '" + name_ + "': packet [" + std::to_string(data_offset) + ", +" + std::to_string(length) +
                    ") is outside the " + std::to_string(frame.size()) + "-byte frame");
    // An empty span may have no address; the program's packet pointers are never NULL.
    auto start = reinterpret_cast<uintptr_t>(frame.empty() ? empty_memory() : frame.data());
    XdpRuntimeContext ctx{};
    ctx.data = start + data_offset;
    ctx.data_end = ctx.data + length;
    if (meta_length && *meta_length > data_offset)
        throw Error("program '" + name_ + "': " + std::to_string(*meta_length) + " bytes of metadata before offset " +
                    std::to_string(data_offset));
    ctx.data_meta = ctx.data - (meta_length ? *meta_length : 0);
    ctx.ingress_ifindex = ingress_ifindex;
    ctx.rx_queue_index = rx_queue_index;
    ctx.egress_ifindex = egress_ifindex;
    ctx.frame_start = start;
    ctx.frame_end = start + frame.size();
    // The context is valid by construction: the checks above are run()'s.
    uint64_t verdict = run_context(&ctx, sizeof(ctx));
    data_offset = ctx.data - start;
    length = ctx.data_end - ctx.data;
    if (meta_length) *meta_length = ctx.data - ctx.data_meta;
    return verdict;
}

// --- objects -----------------------------------------------------------------------

LoadedObject::LoadedObject(std::string path, std::vector<std::shared_ptr<Map>> maps,
                           std::vector<std::unique_ptr<LoadedProgram>> programs)
    : path_(std::move(path)), programs_(std::move(programs)) {
    for (auto& map : maps) {
        if (map) maps_.push_back(std::move(map));
    }
    for (auto& program : programs_) program->object_ = this;
}

LoadedObject::~LoadedObject() {
    // Programs first: they unregister from prog arrays and hooks while the maps still exist.
    programs_.clear();
}

LoadedProgram* LoadedObject::find_program(std::string_view name) const {
    for (const auto& program : programs_) {
        if (program->name() == name) return program.get();
    }
    for (const auto& program : programs_) {
        if (program->section() == name) return program.get();
    }
    return nullptr;
}

LoadedProgram& LoadedObject::program(std::string_view name) const {
    if (LoadedProgram* program = find_program(name)) return *program;
    std::vector<std::string> names;
    for (const auto& program : programs_) names.push_back(program->name() + " (" + program->section() + ")");
    throw Error(path_ + ": no program '" + std::string(name) + "' (programs: " + join_names(names) + ")");
}

Map* LoadedObject::find_map(std::string_view name) const {
    for (const auto& map : maps_) {
        if (map->name() == name) return map.get();
    }
    return nullptr;
}

Map& LoadedObject::map(std::string_view name) const {
    if (Map* map = find_map(name)) return *map;
    std::vector<std::string> names;
    for (const auto& map : maps_) names.push_back(map->name());
    throw Error(path_ + ": no map '" + std::string(name) + "' (maps: " + join_names(names) + ")");
}

std::unique_ptr<LoadedObject> load_object(const Object& object, const LoadOptions& options) {
#if EBPF_RUNTIME_HAVE_NATIVE
    // Code-integrity mode: bytecode never becomes an engine (the interpreter
    // and the JIT are refused; native mode would compile on the host).
    check_engine_policy(options.mode);
    check_host_compilation_policy("loading the eBPF object '" + object.path + "' in native mode");
#endif
    if (options.program_type) {
        Object typed = object;
        set_program_type(typed, options.program_type->type, options.program_type->attach);
        LoadOptions rest = options;
        rest.program_type.reset();
        return load_object(typed, rest);
    }
    for (const auto& name : options.programs) {
        if (!object.find_program(name)) {
            std::vector<std::string> names;
            for (const auto& p : object.programs) names.push_back(p.name + " (" + p.section + ")");
            throw Error(object.path + ": no program '" + name + "' (programs: " + join_names(names) + ")");
        }
    }
    // A program using a map type the runtime cannot provide is left out when
    // it is not asked for by name (asked for, prepare_program names the map).
    std::vector<SelectableProgram> selectable = selectable_programs(object);
    for (size_t i = 0; i < selectable.size(); ++i) {
        const bool named = std::any_of(options.programs.begin(), options.programs.end(), [&](const std::string& n) {
            return n == selectable[i].name || n == selectable[i].section;
        });
        if (!named && selectable[i].load_error.empty())
            selectable[i].load_error = unprovided_map_error(object.programs[i], object.maps);
    }
    const ProgramSelection selection = select_programs(object.path, selectable, object.maps, options.programs, true);
    std::vector<std::shared_ptr<Map>> maps =
        create_maps(object.maps, options.limits, MapSharing{options.pin_root, options.share_maps});
    std::vector<std::unique_ptr<LoadedProgram>> loaded;
    for (size_t index = 0; index < object.programs.size(); ++index) {
        const ebpf::Program& program = object.programs[index];
        if (!selection.load[index]) continue;
        if (!runnable(program.type))
            throw Error(object.path + ": program '" + program.name + "': the runtime cannot run " +
                        std::string(program_type_name(program.type)) + " programs (section '" + program.section +
                        "'; `ebpf verify` checks them with Linux's rules)");
        std::vector<Instruction> insns = prepare_program(program, object.maps, maps, options);
        std::unique_ptr<Engine> engine = make_engine(options.mode, insns, options.exec);
        auto loaded_program = std::make_unique<LoadedProgram>(program.name, program.section, program.type,
                                                              program.attach, std::move(insns), std::move(engine), false,
                                                              options.verify ? options.verify_options.mem_size : std::nullopt);
#if EBPF_RUNTIME_HAVE_NATIVE
        loaded_program->set_bytecode_sha256(sha256_of_instructions(program.insns));
#endif
        loaded.push_back(std::move(loaded_program));
    }
    // Statically initialised prog arrays (`.values = {[0] = &prog}`).
    for (size_t i = 0; i < object.maps.size(); ++i) {
        auto* prog_array = dynamic_cast<ProgArrayMap*>(maps[i].get());
        if (!prog_array) continue;
        for (const MapSlotInit& slot : object.maps[i].initial_slots) {
            auto it = std::find_if(loaded.begin(), loaded.end(), [&](const auto& p) { return p->name() == slot.target; });
            if (it != loaded.end()) {
                prog_array->set_program(slot.key, it->get());
            } else if (const Program* target = object.find_program(slot.target)) {
                // Not loaded, so the slot stays empty; the object is still
                // refused when the slot names another program type, as the
                // native loader (which loads every program) refuses it.
                prog_array->claim_owner(target->type, "program '" + target->name + "'",
                                        "stored in slot " + std::to_string(slot.key));
            } else {
                throw Error(object.path + ": map '" + object.maps[i].name + "': slot " + std::to_string(slot.key) +
                            " names program '" + slot.target + "', which the object does not define");
            }
        }
    }
    auto result = std::make_unique<LoadedObject>(object.path, std::move(maps), std::move(loaded));
    for (const auto& warning : selection.warnings) result->add_warning(object.path + ": " + warning);
    if (options.share_maps) publish_programs(*result, pin_root(options.pin_root));
    return result;
}

std::unique_ptr<LoadedObject> load_object(const std::string& path, const LoadOptions& options) {
#if EBPF_RUNTIME_HAVE_NATIVE
    // Code-integrity mode: whatever the file is called, it loads as a native
    // module (so its signature is checked) or not at all.
    if (code_integrity_enabled()) {
        check_engine_policy(options.mode);
        return load_native_object(path, options);
    }
#endif
    if (options.mode == ExecMode::native || path.ends_with(".so")) {
        if (options.program_type)
            throw Error(path + ": a native module's program types are fixed when it is built (ebpf build --type)");
        return load_native_object(path, options);
    }
    return load_object(open_object(path, options.limits, options.btf_path), options);
}

}  // namespace ebpf
