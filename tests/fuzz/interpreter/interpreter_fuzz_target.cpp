// libFuzzer entry point for the interpreter: any well-formed bytecode, not
// verified, runs in the bounds-checked interpreter with an instruction
// budget. It must finish or throw ebpf::Error; a crash, hang, sanitizer
// report or other exception is a bug.
#include <cstddef>
#include <cstdint>
#include <span>

#include "ebpf/error.hpp"
#include "ebpf/exec.hpp"
#include "fuzz_input.hpp"

namespace {
// Keeps every input to a few milliseconds even in a sanitizer build.
constexpr uint64_t kInstructionBudget = 100'000;
}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
    using namespace ebpf;
    fuzz::FuzzInput input = fuzz::split_fuzz_input(std::span<const uint8_t>(data, size));
    if (input.insns.empty()) return 0;
    try {
        validate(input.insns);
    } catch (const Error&) {
        return 0;
    }
    const HelperTable helpers;
    ExecOptions checked;
    checked.bounds_check = true;
    checked.instruction_budget = kInstructionBudget;
    try {
        auto engine = make_interpreter({input.insns, &helpers}, checked);
        engine->run(reinterpret_cast<uint64_t>(input.memory.empty() ? nullptr : input.memory.data()),
                    input.memory.size());
    } catch (const Error&) {
    }
    return 0;
}
