// What the opaque libbpf handles are here. Before bpf_object__load a
// bpf_object holds what was opened (an eBPF ELF object parsed, or a native
// module already mapped, its signature checked); load creates the runtime's
// LoadedObject and gives every program and map an fd (fd_table.hpp).
#pragma once

#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "ebpf/object.hpp"
#include "ebpf/runtime.hpp"

struct bpf_program {
    bpf_object* owner = nullptr;
    std::string name, section;
    ebpf::ProgramType type = ebpf::ProgramType::unspec;
    bool retyped = false;  // bpf_program__set_type was called
    const ebpf::LoadedProgram* live = nullptr;
    int fd = -1;
};

struct bpf_map {
    bpf_object* owner = nullptr;
    ebpf::MapDefinition definition;
    std::shared_ptr<ebpf::Map> live;
    int fd = -1;
};

struct bpf_object {
    std::string path;  // the file, or the name given to bpf_object__open_mem
    std::string name;
    std::optional<ebpf::Object> elf;     // an eBPF ELF object (every mode)
    ebpf::ExecMode mode = ebpf::ExecMode::jit;
    std::string module_path;             // native mode: the module to load
    bool require_signature = false;
    std::string pin_root;                // bpf_object_open_opts.pin_root_path ("": the default root)
    std::string btf_custom_path;         // bpf_object_open_opts.btf_custom_path ("": /sys/kernel/btf/vmlinux)
    char* log_buf = nullptr;             // bpf_object_open_opts.kernel_log_buf
    size_t log_size = 0;
    std::shared_ptr<ebpf::LoadedObject> loaded;  // a .so: from open; an ELF object: from load
    bool load_attempted = false;
    std::vector<std::unique_ptr<bpf_program>> programs;
    std::vector<std::unique_ptr<bpf_map>> maps;
};
