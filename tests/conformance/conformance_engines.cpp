#include "conformance_engines.hpp"

#include <cstring>
#include <vector>

#include "ebpf/error.hpp"
#include "ebpf/native.hpp"

namespace ebpf::conformance {
namespace {

// The JIT has no run-time checks: it relies on the verifier. Conformance
// programs are not verified, so every JIT run is first screened by the
// bounds-checked interpreter on a copy of the memory (same errors as
// interpret mode); the result reported is the JIT's own, on the real memory.
class ScreenedJit final : public Engine {
public:
    explicit ScreenedJit(const ExecutableProgram& program) {
        ExecOptions checked;
        checked.bounds_check = true;
        checked.instruction_budget = 100'000'000;
        screen_ = make_interpreter(program, checked);
        jit_ = make_jit(program);
    }
    ExecMode mode() const override { return ExecMode::jit; }
    uint64_t run(uint64_t arg1, uint64_t arg2) override {
        std::vector<uint8_t> copy(arg2);
        if (arg2) std::memcpy(copy.data(), reinterpret_cast<const void*>(arg1), arg2);
        screen_->run(arg2 ? reinterpret_cast<uint64_t>(copy.data()) : arg1, arg2);
        return jit_->run(arg1, arg2);
    }
    uint64_t call_function(uint64_t function, uint64_t r1, uint64_t r2, uint64_t r3, uint64_t r4,
                           uint64_t r5) override {
        return jit_->call_function(function, r1, r2, r3, r4, r5);
    }

private:
    std::unique_ptr<Engine> screen_, jit_;
};

// Native mode: the program is compiled to a module (bpf2c → cc → loader) once
// the bounds-checked interpreter has screened it, so errors read as in
// interpret mode; the result reported is the module's, on the real memory.
class ScreenedNative final : public Engine {
public:
    explicit ScreenedNative(const ExecutableProgram& program) : program_(program) {
        ExecOptions checked;
        checked.bounds_check = true;
        checked.instruction_budget = 100'000'000;
        screen_ = make_interpreter(program, checked);
    }
    ExecMode mode() const override { return ExecMode::native; }
    uint64_t run(uint64_t arg1, uint64_t arg2) override {
        std::vector<uint8_t> copy(arg2);
        if (arg2) std::memcpy(copy.data(), reinterpret_cast<const void*>(arg1), arg2);
        screen_->run(arg2 ? reinterpret_cast<uint64_t>(copy.data()) : arg1, arg2);
        if (!native_) native_ = compile_native_engine(program_.insns, *program_.helpers);
        return native_->run(arg1, arg2);
    }
    uint64_t call_function(uint64_t function, uint64_t r1, uint64_t r2, uint64_t r3, uint64_t r4,
                           uint64_t r5) override {
        if (!native_) throw Error("native engine: call_function before run");
        return native_->call_function(function, r1, r2, r3, r4, r5);
    }

private:
    ExecutableProgram program_;
    std::unique_ptr<Engine> screen_, native_;
};

}  // namespace

std::vector<std::string> supported_modes() {
    return {exec_mode_name(ExecMode::interpret), exec_mode_name(ExecMode::jit), exec_mode_name(ExecMode::native)};
}

ExecMode parse_mode(const std::string& name) {
    if (name == exec_mode_name(ExecMode::interpret)) return ExecMode::interpret;
    if (name == exec_mode_name(ExecMode::jit)) return ExecMode::jit;
    if (name == exec_mode_name(ExecMode::native)) return ExecMode::native;
    throw Error("--mode " + name + ": unknown mode (interpret, jit or native)");
}

std::unique_ptr<Engine> make_conformance_engine(ExecMode mode, const ExecutableProgram& program) {
    switch (mode) {
    case ExecMode::interpret: {
        ExecOptions options;
        options.bounds_check = true;
        // A conformance program that loops forever is a failure, not a hang.
        options.instruction_budget = 100'000'000;
        return make_interpreter(program, options);
    }
    case ExecMode::jit:
        // Screening needs the interpreter; without it the JIT runs unscreened.
        if (!interpreter_available()) return make_jit(program);
        return std::make_unique<ScreenedJit>(program);
    case ExecMode::native:
        if (!interpreter_available())
            throw Error("native mode in the conformance runner screens programs with the interpreter, "
                        "which this build does not have");
        return std::make_unique<ScreenedNative>(program);
    }
    throw Error(std::string("mode ") + exec_mode_name(mode) + " is not supported by the conformance runner");
}

}  // namespace ebpf::conformance
