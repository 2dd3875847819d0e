// Steps of loading that live in their own files (internal).
#pragma once

#include <memory>
#include <span>
#include <string>
#include <vector>

#include "ebpf/runtime.hpp"

namespace ebpf {

// verify_program when the verifier is part of the build; otherwise a clear
// error (verifier_seam.cpp).
VerifyResult verify_for_load(const ebpf::Program& program, std::span<const MapDefinition> definitions,
                             const VerifyOptions& options);

}  // namespace ebpf
