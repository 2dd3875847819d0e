// What a module may do to the host while the dynamic linker loads it, even
// when a trusted key signed it (a careless signer is in the threat model):
// nothing but fill in its own memory. Each case edits a module built by
// ebpf build the way an attacker would, and shows what it would have done
// (in a child process): a relocation or a RELRO range reaching the host's
// globals, a symbol binding to any libc function, a DT_SONAME that makes a
// later dlopen() of a library name return the module, a DT_VERNEED that
// makes glibc abort the host, a missing PT_GNU_STACK that makes the stacks
// executable, PT_TLS, hash tables outside the module. All are refused
// before dlopen, with the policy on (signed by the trusted key) and off.
#include <gtest/gtest.h>

#include <dlfcn.h>
#include <elf.h>
#include <link.h>
#include <unistd.h>

#include <cctype>
#include <cstddef>
#include <cstring>
#include <fstream>
#include <functional>

#include "ebpf/error.hpp"
#include "ebpf/native.hpp"
#include "ebpf/native_module.h"
#include "ebpf/policy.hpp"
#include "integrity_support.hpp"
#include "test_support.hpp"

namespace ebpf::integrity {
namespace {

using test::run_in_child;

// A host global the attacks aim at (the code-integrity flag, a function
// pointer or a trust-store pointer of the runtime would do the same).
alignas(4096) volatile uint64_t g_victim[512] = {0x1234};

std::shared_ptr<NativeModule> load(std::span<const uint8_t> bytes) {
    static HelperTable helpers;
    ModuleLoadOptions options;
    options.helpers = &helpers;
    options.name = "module";
    return load_module_from_memory(bytes, options);
}

// --- editing a module's ELF image -------------------------------------------

template <typename T>
T get(const std::vector<uint8_t>& image, size_t at) {
    T value;
    std::memcpy(&value, image.data() + at, sizeof value);
    return value;
}
template <typename T>
void put(std::vector<uint8_t>& image, size_t at, const T& value) {
    std::memcpy(image.data() + at, &value, sizeof value);
}

// File offset of program header `i`.
size_t phdr_at(const std::vector<uint8_t>& image, size_t i) {
    return get<Elf64_Ehdr>(image, 0).e_phoff + i * sizeof(Elf64_Phdr);
}

// Offset of the first program header of `type` (the test fails without one).
size_t find_phdr(const std::vector<uint8_t>& image, uint32_t type) {
    for (size_t i = 0; i < get<Elf64_Ehdr>(image, 0).e_phnum; ++i)
        if (get<Elf64_Phdr>(image, phdr_at(image, i)).p_type == type) return phdr_at(image, i);
    throw Error("test setup: no program header of type " + std::to_string(type));
}

// The executable PT_LOAD: the second on x86-64 (ld's separate code), the
// first on AArch64 (code and read-only data in one segment).
Elf64_Phdr code_segment(const std::vector<uint8_t>& image) {
    for (size_t i = 0; i < get<Elf64_Ehdr>(image, 0).e_phnum; ++i) {
        auto ph = get<Elf64_Phdr>(image, phdr_at(image, i));
        if (ph.p_type == PT_LOAD && (ph.p_flags & PF_X)) return ph;
    }
    throw Error("test setup: no executable PT_LOAD");
}

// File offset of virtual address `vaddr` (modules from ebpf build map it 1:1 per segment).
size_t file_offset(const std::vector<uint8_t>& image, uint64_t vaddr) {
    for (size_t i = 0; i < get<Elf64_Ehdr>(image, 0).e_phnum; ++i) {
        auto ph = get<Elf64_Phdr>(image, phdr_at(image, i));
        if (ph.p_type == PT_LOAD && vaddr >= ph.p_vaddr && vaddr < ph.p_vaddr + ph.p_filesz)
            return ph.p_offset + (vaddr - ph.p_vaddr);
    }
    throw Error("test setup: address not in the file");
}

size_t dynamic_at(const std::vector<uint8_t>& image) {
    return file_offset(image, get<Elf64_Phdr>(image, find_phdr(image, PT_DYNAMIC)).p_vaddr);
}

// Offset of the dynamic entry with `tag`.
size_t find_dyn(const std::vector<uint8_t>& image, int64_t tag) {
    for (size_t at = dynamic_at(image);; at += sizeof(Elf64_Dyn)) {
        auto dyn = get<Elf64_Dyn>(image, at);
        if (dyn.d_tag == tag) return at;
        if (dyn.d_tag == DT_NULL) throw Error("test setup: no dynamic tag " + std::to_string(tag));
    }
}

// Offset of the first RELATIVE relocation in DT_RELA.
// The host's RELATIVE relocation type (modules are the host's).
#if defined(__aarch64__)
constexpr uint32_t kRelativeType = R_AARCH64_RELATIVE;
#else
constexpr uint32_t kRelativeType = R_X86_64_RELATIVE;
#endif

size_t first_relative(const std::vector<uint8_t>& image) {
    const size_t table = file_offset(image, get<Elf64_Dyn>(image, find_dyn(image, DT_RELA)).d_un.d_ptr);
    for (size_t at = table;; at += sizeof(Elf64_Rela))
        if (ELF64_R_TYPE(get<Elf64_Rela>(image, at).r_info) == kRelativeType) return at;
}

// The RELATIVE relocation that fills the pointer at `offset` bytes into the
// module's struct ebpf_native_module (found by its magic).
size_t metadata_relocation(const std::vector<uint8_t>& image, size_t offset) {
    const uint64_t magic = EBPF_NATIVE_MAGIC;
    uint64_t struct_vaddr = 0;
    for (size_t i = 0; i < get<Elf64_Ehdr>(image, 0).e_phnum && struct_vaddr == 0; ++i) {
        auto ph = get<Elf64_Phdr>(image, phdr_at(image, i));
        if (ph.p_type != PT_LOAD) continue;
        for (uint64_t at = 0; at + 8 <= ph.p_filesz; at += 8)
            if (get<uint64_t>(image, ph.p_offset + at) == magic) struct_vaddr = ph.p_vaddr + at;
    }
    const size_t table = file_offset(image, get<Elf64_Dyn>(image, find_dyn(image, DT_RELA)).d_un.d_ptr);
    const uint64_t count = get<Elf64_Dyn>(image, find_dyn(image, DT_RELASZ)).d_un.d_val / sizeof(Elf64_Rela);
    for (size_t i = 0; i < count; ++i)
        if (get<Elf64_Rela>(image, table + i * sizeof(Elf64_Rela)).r_offset == struct_vaddr + offset)
            return table + i * sizeof(Elf64_Rela);
    throw Error("test setup: no relocation for the module struct's field at " + std::to_string(offset));
}

// Where the next module of this size will be mapped: load an honest copy
// with a plain dlopen, note its base, unload it (the next mapping of the
// same size takes the same hole). Only the demonstration of the harm on an
// unfixed loader depends on it; the refusal does not.
uint64_t predicted_base(const std::vector<uint8_t>& module) {
    SealedMemfd memfd = make_sealed_memfd(module, "predict");
    void* handle = ::dlopen(memfd.path().c_str(), RTLD_NOW | RTLD_LOCAL);
    if (handle == nullptr) return 0;
    link_map* map = nullptr;
    ::dlinfo(handle, RTLD_DI_LINKMAP, &map);
    const uint64_t base = map->l_addr;
    ::dlclose(handle);
    return base;
}

bool stack_executable() {
    std::ifstream maps("/proc/self/maps");
    std::string line;
    while (std::getline(maps, line))
        if (line.find("[stack]") != std::string::npos) return line.find(" rwxp ") != std::string::npos;
    return false;
}

// --- the cases ----------------------------------------------------------------

struct Attack {
    std::string name;
    // Builds the hostile module (in the child, so it may aim at this process).
    std::function<std::vector<uint8_t>()> module;
    std::string refusal;
    // After the load attempt: "" or what the module did to the host.
    std::function<std::string()> harm = [] { return std::string(); };
};

std::vector<Attack> attacks() {
    std::vector<Attack> list;
    list.push_back({"relocation writing a host global",
                    [] {
                        auto module = answer_module(3);
                        const uint64_t base = predicted_base(module);
                        auto rel = get<Elf64_Rela>(module, first_relative(module));
                        rel.r_offset = reinterpret_cast<uintptr_t>(&g_victim[0]) - base;
                        put(module, first_relative(module), rel);
                        return module;
                    },
                    "outside the module's writable memory",
                    [] {
                        return g_victim[0] == 0x1234 ? std::string()
                                                     : "the host's global was overwritten with " + std::to_string(g_victim[0]);
                    }});
    list.push_back({"relocation writing the module's code",
                    [] {
                        auto module = answer_module(3);
                        auto rel = get<Elf64_Rela>(module, first_relative(module));
                        rel.r_offset = code_segment(module).p_vaddr;
                        put(module, first_relative(module), rel);
                        return module;
                    },
                    "outside the module's writable memory"});
    list.push_back({"relocation hidden by a short DT_RELASZ",
                    [] {
                        // The last entry writes a host global; DT_RELASZ ends 1 byte into it: the
                        // dynamic linker processes entries while `entry < end`, so it still applies it.
                        auto module = answer_module(3);
                        const uint64_t base = predicted_base(module);
                        const size_t size_at = find_dyn(module, DT_RELASZ);
                        auto size = get<Elf64_Dyn>(module, size_at);
                        const size_t table = file_offset(module, get<Elf64_Dyn>(module, find_dyn(module, DT_RELA)).d_un.d_ptr);
                        const size_t last = table + size.d_un.d_val - sizeof(Elf64_Rela);
                        auto rel = get<Elf64_Rela>(module, last);
                        rel.r_offset = reinterpret_cast<uintptr_t>(&g_victim[0]) - base;
                        put(module, last, rel);
                        size.d_un.d_val -= sizeof(Elf64_Rela) - 1;
                        put(module, size_at, size);
                        return module;
                    },
                    "not a multiple of 24 bytes",
                    [] {
                        return g_victim[0] == 0x1234 ? std::string()
                                                     : "the host's global was overwritten with " + std::to_string(g_victim[0]);
                    }});
    list.push_back({"DT_PLTREL naming REL relocations",
                    [] {
                        // glibc asserts DT_PLTREL == DT_RELA on x86-64: an abort of the host.
                        auto module = answer_module(3);
                        const size_t at = find_dyn(module, DT_RELACOUNT);
                        put(module, at, Elf64_Dyn{DT_PLTREL, {DT_REL}});
                        return module;
                    },
                    "DT_PLTREL is not DT_RELA"});
    list.push_back({"relocation rewriting the dynamic table",
                    [] {
                        // DT_GNU_HASH (or DT_SYMTAB) rewritten after loading: lookups by dladdr read anywhere.
                        auto module = answer_module(3);
                        auto rel = get<Elf64_Rela>(module, first_relative(module));
                        rel.r_offset = get<Elf64_Phdr>(module, find_phdr(module, PT_DYNAMIC)).p_vaddr + 8;
                        rel.r_addend = 0x7ff000000000;
                        put(module, first_relative(module), rel);
                        return module;
                    },
                    "into the dynamic table"});
    list.push_back({"RELRO over a host page",
                    [] {
                        auto module = answer_module(3);
                        const uint64_t base = predicted_base(module);
                        const size_t at = find_phdr(module, PT_GNU_RELRO);
                        auto relro = get<Elf64_Phdr>(module, at);
                        relro.p_vaddr = reinterpret_cast<uintptr_t>(&g_victim[0]) - base;
                        relro.p_memsz = 4096;
                        put(module, at, relro);
                        return module;
                    },
                    "GNU_RELRO",
                    [] {
                        // Made read-only, the page would fault here (the child dies: the test fails).
                        g_victim[1] = 1;
                        return std::string();
                    }});
    list.push_back({"binding to a libc function",
                    [] {
                        return answer_module(3, "extern int getpid(void);\n"
                                                "__attribute__((visibility(\"default\"))) int (*volatile keep)(void) = getpid;\n");
                    },
                    "symbol 'getpid'"});
    list.push_back({"DT_SONAME of a library the host loads later",
                    [] { return answer_module(3, "", {"-Wl,-soname,libebpf-test-victim.so.1"}); },
                    "not one a native module needs",
                    [] {
                        void* hijacked = ::dlopen("libebpf-test-victim.so.1", RTLD_NOW | RTLD_NOLOAD);
                        return hijacked == nullptr ? std::string()
                                                   : std::string("dlopen(\"libebpf-test-victim.so.1\") returns the module");
                    }});
    list.push_back({"DT_VERNEED without DT_NEEDED",
                    [] {
                        // Linked against libc (memcpy@GLIBC_2.14), then its DT_NEEDED removed.
                        auto module = answer_module(3,
                                                    "extern void* memcpy(void*, const void*, unsigned long);\n"
                                                    "__attribute__((visibility(\"default\"))) void* (*volatile keep)"
                                                    "(void*, const void*, unsigned long) = memcpy;\n",
                                                    {"-lc"});
                        size_t at = find_dyn(module, DT_NEEDED);
                        for (;; at += sizeof(Elf64_Dyn)) {
                            auto next = get<Elf64_Dyn>(module, at + sizeof(Elf64_Dyn));
                            put(module, at, next);
                            if (next.d_tag == DT_NULL) break;
                        }
                        return module;
                    },
                    "not one a native module needs"});
    list.push_back({"no PT_GNU_STACK",
                    [] {
                        auto module = answer_module(3);
                        const size_t at = find_phdr(module, PT_GNU_STACK);
                        auto stack = get<Elf64_Phdr>(module, at);
                        stack.p_type = PT_NULL;
                        put(module, at, stack);
                        return module;
                    },
                    "no PT_GNU_STACK",
                    [] { return stack_executable() ? std::string("the stack became executable") : std::string(); }});
    list.push_back({"PT_TLS",
                    [] {
                        auto module = answer_module(3);
                        const size_t at = find_phdr(module, PT_NOTE);
                        auto note = get<Elf64_Phdr>(module, at);
                        note.p_type = PT_TLS;
                        put(module, at, note);
                        return module;
                    },
                    "is not one a native module has"});
    list.push_back({"runtime slots at a host global",
                    [] {
                        // The loader writes &tail_call_pending into module->runtime.
                        auto module = answer_module(3);
                        const uint64_t base = predicted_base(module);
                        const size_t at = metadata_relocation(module, offsetof(ebpf_native_module, runtime));
                        auto rel = get<Elf64_Rela>(module, at);
                        rel.r_addend = static_cast<int64_t>(reinterpret_cast<uintptr_t>(&g_victim[0]) - base);
                        put(module, at, rel);
                        return module;
                    },
                    "the runtime slots points outside the module",
                    [] {
                        return g_victim[0] == 0x1234 ? std::string()
                                                     : "the loader wrote into the host's global: " + std::to_string(g_victim[0]);
                    }});
    list.push_back({"runtime slots in read-only memory",
                    [] {
                        // module->runtime aimed at the program table (const: RELRO, read-only once loaded).
                        auto module = answer_module(3);
                        const size_t programs = metadata_relocation(module, offsetof(ebpf_native_module, programs));
                        const size_t runtime = metadata_relocation(module, offsetof(ebpf_native_module, runtime));
                        auto rel = get<Elf64_Rela>(module, runtime);
                        rel.r_addend = get<Elf64_Rela>(module, programs).r_addend;
                        put(module, runtime, rel);
                        return module;
                    },
                    "the runtime slots points outside the module's writable memory"});
    list.push_back({"program entry in the host",
                    [] {
                        // programs[0].entry aimed at a host function (its first argument is the program's context).
                        auto module = answer_module(3);
                        const uint64_t base = predicted_base(module);
                        const size_t at = metadata_relocation(module, offsetof(ebpf_native_module, programs));
                        const uint64_t programs = static_cast<uint64_t>(get<Elf64_Rela>(module, at).r_addend);
                        const size_t table = file_offset(module, get<Elf64_Dyn>(module, find_dyn(module, DT_RELA)).d_un.d_ptr);
                        const uint64_t count = get<Elf64_Dyn>(module, find_dyn(module, DT_RELASZ)).d_un.d_val / sizeof(Elf64_Rela);
                        for (size_t i = 0; i < count; ++i) {
                            auto rel = get<Elf64_Rela>(module, table + i * sizeof(Elf64_Rela));
                            if (rel.r_offset != programs + offsetof(ebpf_native_program, entry)) continue;
                            rel.r_addend = static_cast<int64_t>(reinterpret_cast<uintptr_t>(&::getppid) - base);
                            put(module, table + i * sizeof(Elf64_Rela), rel);
                        }
                        return module;
                    },
                    "entry function points outside the module's code"});
    list.push_back({"DT_GNU_HASH outside the module",
                    [] {
                        auto module = answer_module(3);
                        const size_t at = find_dyn(module, DT_GNU_HASH);
                        auto dyn = get<Elf64_Dyn>(module, at);
                        dyn.d_un.d_ptr = 0x7ff000000000;
                        put(module, at, dyn);
                        return module;
                    },
                    "DT_GNU_HASH"});
    return list;
}

class LoadTimeMemoryTest : public ::testing::TestWithParam<size_t> {};

void run_attack(const Attack& attack, bool policy) {
    auto result = run_in_child([&]() -> std::string {
        auto module = attack.module();
        if (policy) {
            module = sign_trusted(module);
            if (auto skip = enter_code_integrity(); !skip.empty()) return skip;
        }
        std::shared_ptr<NativeModule> kept;  // loaded (when not refused) while the harm is looked for
        std::string failure = expect_refused(attack.name, [&] { kept = load(module); }, attack.refusal);
        const std::string harm = attack.harm();
        if (!harm.empty()) failure += " (and " + harm + ")";
        return failure.empty() ? "PASS" : failure;
    });
    if (result.status == "SKIP") GTEST_SKIP() << result.detail;
    EXPECT_EQ(result.status, "PASS") << attack.name << ": " << result.detail;
}

TEST_P(LoadTimeMemoryTest, RefusedWithoutThePolicy) { run_attack(attacks()[GetParam()], false); }
TEST_P(LoadTimeMemoryTest, RefusedUnderThePolicyWhenSignedByATrustedKey) { run_attack(attacks()[GetParam()], true); }

INSTANTIATE_TEST_SUITE_P(Attacks, LoadTimeMemoryTest, ::testing::Range<size_t>(0, attacks().size()),
                         [](const auto& info) {
                             std::string name = attacks()[info.param].name;
                             for (char& c : name)
                                 if (!std::isalnum(static_cast<unsigned char>(c))) c = '_';
                             return name;
                         });

// What ebpf build makes still loads: RELATIVE relocations only, no symbol bindings.
TEST(LoadTimeMemory, BuiltModulesStillLoad) { EXPECT_EQ(run_first(*load(answer_module(11))), 11u); }

}  // namespace
}  // namespace ebpf::integrity
