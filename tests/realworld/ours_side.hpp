// Our runtime's side of a case: one program of an object loaded in one mode
// (native: bpf2c, cc and the module loader), its maps and test runs.
#pragma once

#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "case_file.hpp"
#include "ebpf/native.hpp"
#include "ebpf/runtime.hpp"

namespace realworld {

class OurObject {
public:
    // Throws ebpf::Error when the object or program does not load (the
    // verifier's diagnostic for a rejected program).
    // `type` (may be empty): as `--type`, every program of the object gets it.
    OurObject(const std::string& path, const std::string& program, ebpf::ExecMode mode, const std::string& type = "");

    const ebpf::LoadedProgram& program() const { return *program_; }
    void update(const std::string& map, const Bytes& key, const Bytes& value);
    std::optional<Bytes> lookup(const std::string& map, const Bytes& key) const;
    std::vector<Bytes> keys(const std::string& map) const;
    // Throws ebpf::Error (TestRunRefused included) when the run fails.
    RunResult test_run(const Bytes& data, const std::optional<Bytes>& ctx, uint64_t repeat) const;

private:
    ebpf::Map& map(const std::string& name) const;
    ebpf::PrivateDirectory dir_{"ebpf-realworld"};  // the native module's C and .so
    std::unique_ptr<ebpf::LoadedObject> object_;
    const ebpf::LoadedProgram* program_ = nullptr;
};

ebpf::ExecMode exec_mode_from_name(const std::string& name);

}  // namespace realworld
