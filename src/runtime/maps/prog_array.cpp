// BPF_MAP_TYPE_PROG_ARRAY: slots holding programs for bpf_tail_call. The host
// reads and writes program ids (as the kernel's program fds); programs cannot
// look slots up. An unloaded program disappears from every slot.
//
// A tail call runs the target on the caller's context, so every program in
// the slots and every program that tail-calls through the map must have the
// same program type (context layout, return range, helpers). As Linux, the
// map has an owner type, fixed by the first program that uses the map or is
// stored in it; anything else is refused when it is stored or loaded.
#include "ebpf/error.hpp"
#include "map_types.hpp"

namespace ebpf::runtime_detail {
namespace {

class ProgArray final : public ProgArrayMap {
public:
    explicit ProgArray(const MapDefinition& definition)
        : ProgArrayMap(definition), slots_(std::make_unique<std::atomic<const LoadedProgram*>[]>(definition.max_entries)) {}

    const LoadedProgram* program_at(uint64_t index) const override {
        return index < max_entries() ? slots_[index].load(std::memory_order_acquire) : nullptr;
    }
    void set_program(uint32_t index, const LoadedProgram* program) override {
        if (index >= max_entries()) fail("slot " + std::to_string(index) + " is out of range");
        claim_owner(program->type(), "program '" + program->name() + "'", "stored in slot " + std::to_string(index));
        slots_[index].store(program, std::memory_order_release);
    }
    void claim_owner(ProgramType type, const std::string& who, const std::string& how) override {
        std::lock_guard lock(owner_mutex_);
        if (!owner_) {
            owner_ = type;
            owner_name_ = who;
            return;
        }
        if (*owner_ == type) return;
        fail(who + " (" + std::string(program_type_name(type)) + ") cannot be " + how + ": the prog array belongs to " +
             std::string(program_type_name(*owner_)) + " programs (since " + owner_name_ +
             "), and a tail call must not change the program type or its context");
    }
    void forget_program(const LoadedProgram* program) override {
        for (uint32_t i = 0; i < max_entries(); ++i) {
            const LoadedProgram* expected = program;
            slots_[i].compare_exchange_strong(expected, nullptr);
        }
    }

    void* lookup_elem(const void*) override { return nullptr; }  // not readable by programs
    int64_t update_elem(const void*, const void*, uint64_t) override { return -EINVAL; }
    int64_t delete_elem(const void* key) override {
        uint32_t index = read_u32(key);
        if (index >= max_entries()) return -E2BIG;
        return slots_[index].exchange(nullptr) ? 0 : -ENOENT;
    }
    int64_t get_next_key(const void* key, void* next_key) override {
        return next_array_index(key, max_entries(), next_key);
    }
    int64_t host_lookup(const void* key, void* host_value) const override {
        const LoadedProgram* program = program_at(read_u32(key));
        if (!program) return -ENOENT;
        uint32_t id = program->id();
        std::memcpy(host_value, &id, 4);
        return 0;
    }
    int64_t update_from_host(const void* key, const void* host_value, uint64_t flags) override {
        if (!valid_update_flags(flags)) return -EINVAL;
        uint32_t index = read_u32(key);
        if (index >= max_entries()) return -E2BIG;
        LoadedProgram* program = find_program_by_id(read_u32(host_value));
        if (!program) return -ENOENT;
        const LoadedProgram* current = slots_[index].load();
        if (flags == kUpdateNoExist && current) return -EEXIST;
        if (flags == kUpdateExist && !current) return -ENOENT;
        claim_owner(program->type(), "program '" + program->name() + "'", "stored in slot " + std::to_string(index));
        slots_[index].store(program, std::memory_order_release);
        return 0;
    }

private:
    static uint32_t read_u32(const void* p) {
        uint32_t v;
        std::memcpy(&v, p, 4);
        return v;
    }
    std::unique_ptr<std::atomic<const LoadedProgram*>[]> slots_;
    std::mutex owner_mutex_;
    std::optional<ProgramType> owner_;
    std::string owner_name_;  // what fixed the owner, for messages
};

}  // namespace

std::shared_ptr<Map> make_prog_array(const MapDefinition& definition) {
    if (definition.key_size != 4 || definition.value_size != 4)
        throw Error("map '" + definition.name + "': prog_array key and value size must be 4");
    if (definition.max_entries == 0) throw Error("map '" + definition.name + "': max_entries must not be 0");
    return std::make_shared<ProgArray>(definition);
}

}  // namespace ebpf::runtime_detail
