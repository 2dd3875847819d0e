#include "ours_side.hpp"

#include "ebpf/object.hpp"

namespace realworld {

ebpf::ExecMode exec_mode_from_name(const std::string& name) {
    if (name == "jit") return ebpf::ExecMode::jit;
    if (name == "native") return ebpf::ExecMode::native;
    return ebpf::ExecMode::interpret;
}

OurObject::OurObject(const std::string& path, const std::string& program, ebpf::ExecMode mode,
                     const std::string& type) {
    ebpf::LoadOptions options;
    options.mode = mode;
    if (!type.empty()) {
        options.program_type = ebpf::program_type_from_name(type);
        if (!options.program_type) throw ebpf::Error("unknown program type \"" + type + "\"");
    }
    // Maps pinned by name live in this object's own directory: nothing is
    // shared with another run, mode or the host.
    options.pin_root = dir_.file("pins");
    if (!program.empty()) options.programs = {program};
    if (mode != ebpf::ExecMode::native) {
        object_ = ebpf::load_object(path, options);
    } else {
        ebpf::Bpf2cOptions bpf2c_options;
        bpf2c_options.section = program;
        ebpf::Object typed = ebpf::open_object(path);
        if (options.program_type)
            ebpf::set_program_type(typed, options.program_type->type, options.program_type->attach);
        options.program_type.reset();  // a module's types are fixed when it is built
        const auto result = ebpf::bpf2c(typed, bpf2c_options);
        ebpf::write_file_atomically(dir_.file("prog.c"), result.c_source);
        ebpf::compile_c_to_module(dir_.file("prog.c"), dir_.file("prog.so"));
        options.bytecode_object = path;
        object_ = ebpf::load_object(dir_.file("prog.so"), options);
    }
    if (object_->programs().empty()) throw ebpf::Error(path + ": no program loaded");
    program_ = program.empty() ? object_->programs().front().get() : &object_->program(program);
}

// libbpf names global data "<first 8 characters of the object>.bss"; we name
// it ".bss" (as the section): either name finds it.
ebpf::Map& OurObject::map(const std::string& name) const {
    if (ebpf::Map* map = object_->find_map(name)) return *map;
    const size_t dot = name.find('.');
    if (dot != std::string::npos && dot > 0) {
        if (ebpf::Map* map = object_->find_map(name.substr(dot))) return *map;
    }
    return object_->map(name);  // throws, listing the maps
}

void OurObject::update(const std::string& map, const Bytes& key, const Bytes& value) {
    this->map(map).update(key, value);
}

std::optional<Bytes> OurObject::lookup(const std::string& map, const Bytes& key) const {
    return this->map(map).lookup(key);
}

std::vector<Bytes> OurObject::keys(const std::string& map) const { return this->map(map).keys(); }

RunResult OurObject::test_run(const Bytes& data, const std::optional<Bytes>& ctx, uint64_t repeat) const {
    ebpf::TestRunInput input;
    input.data = data;
    if (ctx) input.ctx = *ctx;
    input.repeat = repeat;
    const ebpf::TestRunOutput output = ebpf::test_run(*program_, input);
    // As the kernel's ctx_out: only when a context went in.
    return {static_cast<uint32_t>(output.retval), output.data, ctx ? output.ctx : realworld::Bytes{}};
}

}  // namespace realworld
