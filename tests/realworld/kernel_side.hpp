// The running kernel as the oracle: one object opened with the system's
// libbpf, one program of it loaded, its maps and BPF_PROG_TEST_RUN.
#pragma once

#include <optional>
#include <string>
#include <vector>

#include "case_file.hpp"

struct bpf_object;
struct bpf_program;

namespace realworld {

// "" when bpf() can load a trivial program here; else why not.
std::string kernel_unusable_reason();

class KernelObject {
public:
    // Throws std::runtime_error when libbpf cannot open the file.
    explicit KernelObject(const std::string& path);
    ~KernelObject();
    KernelObject(const KernelObject&) = delete;
    KernelObject& operator=(const KernelObject&) = delete;

    // Every program's name, in the object's order.
    std::vector<std::string> programs() const;
    // Marks the program (name or section; empty: the first) as the only one
    // to load, optionally with another type (a kernel type name such as
    // "sched_cls"); false when there is no such program or type.
    bool select(const std::string& program, const std::string& type = {});
    // Loads; "" on success, else libbpf's messages and the verifier log.
    std::string load();
    std::string type_name() const;  // of the selected program
    std::string section() const;    // of the selected program

    void update(const std::string& map, const Bytes& key, const Bytes& value);  // throws
    std::optional<Bytes> lookup(const std::string& map, const Bytes& key) const;  // throws
    // The maps a run can be compared on: not per-CPU, keyed lookups work.
    std::vector<std::string> comparable_maps() const;
    std::vector<Bytes> keys(const std::string& map) const;
    // Throws std::runtime_error with errno's text when the test run fails.
    RunResult test_run(const Bytes& data, const std::optional<Bytes>& ctx, uint64_t repeat) const;

private:
    bpf_object* object_ = nullptr;
    bpf_program* program_ = nullptr;
};

}  // namespace realworld
