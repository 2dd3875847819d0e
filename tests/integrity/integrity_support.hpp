// Shared pieces of the integrity attack tests: bpf2c modules built on the
// spot (honest ones, and ones that carry a constructor, a DT_INIT function or
// an IFUNC resolver that would leave a marker file), a trusted and an
// untrusted signer, the trust store on disk, and child-process helpers.
#pragma once

#include <cstdint>
#include <filesystem>
#include <functional>
#include <string>
#include <vector>

#include "ebpf/native.hpp"
#include "ebpf/signing.hpp"

namespace ebpf::integrity {

// The C of a module with one raw_memory program "answer" that returns `value`.
std::string answer_c(int value);
// answer_c(value) + `extra_c`, compiled as ebpf build does (build_module_bytes).
std::vector<uint8_t> answer_module(int value, const std::string& extra_c = "",
                                   const std::vector<std::string>& extra_flags = {});

// Code that, if it ever ran at load time, would create `marker`.
enum class LoadTimeCode { constructor, dt_init, ifunc };
const char* load_time_code_name(LoadTimeCode kind);
std::vector<uint8_t> module_running_at_load(LoadTimeCode kind, const std::filesystem::path& marker);

// A root CA with a code signer (trusted), and another one (untrusted).
const SigningCredential& trusted_signer();
const SigningCredential& untrusted_signer();
// A directory holding the trusted root as root.pem (made once per process).
const std::filesystem::path& trust_dir();

std::vector<uint8_t> sign_trusted(std::span<const uint8_t> module);
std::vector<uint8_t> sign_untrusted(std::span<const uint8_t> module);

// Runs the program of `module` (index 0) with no context; returns r0.
uint64_t run_first(NativeModule& module);

// In a child: nullopt-equivalent "" when `body` threw an exception whose
// message contains `needle`; otherwise a "FAIL ..." line naming `what`.
std::string expect_refused(const std::string& what, const std::function<void()>& body, const std::string& needle);

// Turns code-integrity mode on in this (child) process with trust_dir() as
// the process trust store. Returns "" or "SKIP why".
std::string enter_code_integrity();

}  // namespace ebpf::integrity
