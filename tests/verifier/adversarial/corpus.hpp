// The adversarial corpus (tests/verifier/adversarial/programs): one attack
// per file, in one of three forms —
//
//   NAME.c    eBPF C, built at build time into <build>/tests/programs/adv_NAME.o
//   NAME.s    our assembler text (`ebpf asm` syntax, C-like or conformance)
//   NAME.hex  raw bytecode: 8-byte instructions as hex digits (whitespace free)
//
// and a header of comment lines ("//" in .c, "#" in .s/.hex) stating what a
// safe runtime must do with it, from the threat model (Linux's unprivileged
// verifier), not what today's code does:
//
//   expect: accept | reject [phrase]   the verdict; phrase: part of the message
//   class: 5                           the issue-12 class (1..8) or a word for
//                                      the classes that already hold (bounds32,
//                                      nullable, pruning, alu, packet, ...)
//   why: one line                      what the attack tries
//   type: xdp|socket|tc|sock_addr|hook|raw     (.s/.hex; default hook)
//   map: TYPE KEY VALUE ENTRIES [ro] [data=HEX] [inner=N]   (.s/.hex, as tests/verifier/cases)
//   section: NAME                      (.c) the program to run (default: the first)
//   run: INPUT [-> RESULT]             one run; INPUT is hex bytes, `empty` or
//                                      zeros(N); RESULT the expected return value
//
// Accepted programs without `run:` lines run on default inputs of their type.
#pragma once

#include <cstdint>
#include <optional>
#include <ostream>
#include <set>
#include <string>
#include <vector>

#include "ebpf/object.hpp"

namespace ebpf::adversarial {

struct AttackRun {
    std::vector<uint8_t> input;
    std::optional<int64_t> expected_return;
};

struct Attack {
    std::string file;  // "name.s" (the id used by KNOWN_HOLES.txt)
    std::string path;  // source path
    enum class Form { c, assembly, bytecode } form = Form::assembly;
    std::string attack_class;
    std::string why;
    bool expect_accept = true;
    std::string phrase;  // for rejections; may be empty (any message)
    ProgramType type = ProgramType::hook;
    std::vector<MapDefinition> maps;
    std::string section;
    std::vector<AttackRun> runs;
    std::string body;         // assembler text or hex digits
    std::string object_path;  // .c: the built object
};

// Every attack of `directory`, sorted by file name; C objects are looked up
// as <objects_dir>/adv_<stem>.o. Throws ebpf::Error for a malformed header.
std::vector<Attack> load_attacks(const std::string& directory, const std::string& objects_dir);

// The object an attack loads as (C: the built ELF object; .s/.hex: one
// program named after the file, with the header's maps). Throws ebpf::Error
// when the object loader or the assembler refuses it.
Object attack_object(const Attack& attack);

// KNOWN_HOLES.txt: "file | class | what happens today" per line, '#' comments.
std::set<std::string> load_known_holes(const std::string& path);

// Section name of an attack's program type (for .s/.hex objects).
std::string section_for(ProgramType type);

// Our verdict on an object: every selected program (all when `programs` is
// empty) verifies and the runtime loads them (its own checks: prog_array
// owners, frozen maps, helper availability). `message` says why not.
struct Verdict {
    bool accepted = false;
    std::string message;
    bool by_verifier = false;  // refused by verify_program (not only by the object or runtime loader)
};
Verdict our_verdict(const Object& object, const std::vector<std::string>& programs = {});

inline void PrintTo(const Attack& attack, std::ostream* os) { *os << attack.file; }

}  // namespace ebpf::adversarial
