// Verifier cases as data: tests/verifier/cases/*.txt hold many cases each,
//
//   == name
//   -- type xdp                      (program type; default hook)
//   -- attach egress                 (attach point, as a section name gives it)
//   -- map array 4 8 1 [ro] [template] [flags=N] [inner=I] [data=68690000]   (type key value entries)
//   -- mem 16                        (VerifyOptions::mem_size)
//   -- arch x86_64 | aarch64         (only there: e.g. offsets in the host's struct pt_regs)
//   -- expect accept | reject: key phrase of the message
//   -- run in=0a0b|- ret=N [out=0a0b]   (accepted cases: run in every engine, see engines_test.cpp)
//   -- asm
//   r0 = 0
//   exit
#pragma once

#include <ostream>
#include <string>
#include <vector>

#include "ebpf/object.hpp"
#include "ebpf/verifier.hpp"

namespace ebpf::testing {

// One run of an accepted case: the input (hook: the buffer, "-" = none at
// all, i.e. NULL and 0; xdp: the packet; sock_addr: the context bytes), the
// expected return value and, when given, the buffer or packet afterwards.
struct CaseRun {
    std::vector<uint8_t> input;
    bool no_input = false;
    int64_t result = 0;
    std::optional<std::vector<uint8_t>> output;
};

struct VerifierCase {
    std::string file;
    std::string name;
    ProgramType type = ProgramType::hook;
    std::string attach;
    std::vector<MapDefinition> maps;
    std::optional<uint64_t> mem_size;
    bool expect_accept = true;
    std::string phrase;
    std::string assembly;
    std::vector<CaseRun> runs;
    std::string arch;  // empty: every architecture
};

// The architecture a case's `-- arch` names for this build.
#if defined(__aarch64__)
inline constexpr const char* kCaseHostArch = "aarch64";
#else
inline constexpr const char* kCaseHostArch = "x86_64";
#endif
inline bool case_runs_here(const VerifierCase& c) { return c.arch.empty() || c.arch == kCaseHostArch; }

std::vector<VerifierCase> load_cases(const std::string& directory);

// The pieces of the case syntax, shared with the adversarial corpus:
// "xdp" → ProgramType::xdp; "array 4 8 1 ro" → a map definition named map<index>.
ProgramType parse_case_type(const std::string& name);
MapDefinition parse_case_map(const std::string& words, size_t index);

// gtest prints parameters with this (instead of a byte dump).
inline void PrintTo(const VerifierCase& c, std::ostream* os) { *os << c.file << ": " << c.name; }

}  // namespace ebpf::testing
