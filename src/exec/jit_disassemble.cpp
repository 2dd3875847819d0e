// jit_compile_listing() and jit_disassemble(): the JIT's machine code beside
// the eBPF instructions it came from. The text comes from capstone (x86-64,
// Intel syntax; AArch64).
#include <capstone/capstone.h>

#include <cstdio>
#include <cstring>
#include <string>

#include "ebpf/abi.hpp"
#include "ebpf/error.hpp"
#include "ebpf/isa.hpp"
#include "ebpf/jit.hpp"
#include "jit_codegen.hpp"

namespace ebpf {
namespace {

JitArch resolve(JitArch arch) {
    if (arch != JitArch::host) return arch;
#if defined(__aarch64__)
    return JitArch::aarch64;
#else
    return JitArch::x86_64;
#endif
}

// Owns a capstone handle for x86-64 (Intel syntax) or AArch64.
class Capstone {
public:
    explicit Capstone(JitArch arch) : aarch64_(arch == JitArch::aarch64) {
        const cs_err status = aarch64_ ? cs_open(CS_ARCH_ARM64, CS_MODE_ARM, &handle_)
                                       : cs_open(CS_ARCH_X86, CS_MODE_64, &handle_);
        if (status != CS_ERR_OK) {
            throw Error(std::string("JIT disassembly: capstone cannot open an ") +
                        (aarch64_ ? "AArch64" : "x86-64") + " disassembler");
        }
    }
    ~Capstone() { cs_close(&handle_); }
    Capstone(const Capstone&) = delete;
    Capstone& operator=(const Capstone&) = delete;

    // Appends one line per machine instruction in code[begin, end). AArch64
    // instructions are 4 bytes each, so one capstone cannot decode (capstone 4
    // predates the LSE atomics) is shown as its word and decoding goes on.
    void append(std::string& out, const std::vector<uint8_t>& code, uint64_t begin, uint64_t end) const {
        while (aarch64_ && begin + 4 <= end) {
            const uint64_t decoded = append_decodable(out, code, begin, end);
            if (decoded >= end) return;
            uint32_t word;
            std::memcpy(&word, code.data() + decoded, 4);
            char line[160];
            std::snprintf(line, sizeof line, "      0x%04llx  %02x %02x %02x %02x%18s .inst 0x%08x (not known to capstone)\n",
                          static_cast<unsigned long long>(decoded), word & 0xff, (word >> 8) & 0xff,
                          (word >> 16) & 0xff, word >> 24, "", word);
            out += line;
            begin = decoded + 4;
        }
        if (!aarch64_) append_decodable(out, code, begin, end);
    }

private:
    // Decodes code[begin, end) until capstone stops; returns where it stopped.
    uint64_t append_decodable(std::string& out, const std::vector<uint8_t>& code, uint64_t begin,
                              uint64_t end) const {
        if (end <= begin) return end;
        cs_insn* insn = nullptr;
        const size_t count = cs_disasm(handle_, code.data() + begin, end - begin, begin, 0, &insn);
        uint64_t decoded_end = begin;
        for (size_t k = 0; k < count; ++k) {
            std::string bytes;
            for (uint16_t b = 0; b < insn[k].size; ++b) {
                char hex[4];
                std::snprintf(hex, sizeof hex, "%02x ", insn[k].bytes[b]);
                bytes += hex;
            }
            char address[24];
            std::snprintf(address, sizeof address, "      0x%04llx  ",
                          static_cast<unsigned long long>(insn[k].address));
            if (bytes.size() < 30) bytes.resize(30, ' ');
            out += address + bytes + " " + insn[k].mnemonic + (insn[k].op_str[0] ? " " : "") + insn[k].op_str +
                   "\n";
            decoded_end = insn[k].address + insn[k].size;
        }
        if (count) cs_free(insn, count);
        if (decoded_end < end && !aarch64_) {
            out += "      0x" + std::to_string(decoded_end) + "  (" + std::to_string(end - decoded_end) +
                   " bytes capstone could not decode)\n";
        }
        return decoded_end;
    }

    csh handle_ = 0;
    bool aarch64_;
};

}  // namespace

JitListing jit_compile_listing(const ExecutableProgram& program, const ExecOptions& options, JitArch arch) {
    validate(program.insns);
    arch = resolve(arch);
    const bool lse = jit::host_has_lse_atomics() || JitArch::aarch64 != resolve(JitArch::host);
    jit::CompiledCode compiled = arch == JitArch::aarch64 ? jit::compile_aarch64(program, options, lse)
                                                          : jit::compile_x86_64(program, options);
    JitListing listing;
    listing.arch = arch;
    listing.code = std::move(compiled.code);
    listing.insn_offsets = std::move(compiled.insn_offsets);
    listing.entry_offset = compiled.trampoline_offset;
    return listing;
}

std::string jit_disassemble(const ExecutableProgram& program, const ExecOptions& options, JitArch arch) {
    const JitListing listing = jit_compile_listing(program, options, arch);
    const Capstone capstone(listing.arch);
    std::string out;
    const auto& insns = program.insns;
    for (size_t i = 0; i < insns.size(); ++i) {
        const bool lddw = insns[i].opcode == op::kLddw && i + 1 < insns.size();
        out += "  " + std::to_string(i) + ": " +
               disassemble(insns[i], lddw ? &insns[i + 1] : nullptr, linux_helper_name) + "\n";
        capstone.append(out, listing.code, listing.insn_offsets[i], listing.insn_offsets[i + 1]);
        if (lddw) {
            ++i;  // the second slot has no code of its own
            if (i + 1 < listing.insn_offsets.size()) {
                capstone.append(out, listing.code, listing.insn_offsets[i], listing.insn_offsets[i + 1]);
            }
        }
    }
    out += "  ; run-time fault stubs (abort and unwind)\n";
    capstone.append(out, listing.code, listing.insn_offsets[insns.size()], listing.entry_offset);
    out += "  ; entry trampoline (called from run() and call_function())\n";
    capstone.append(out, listing.code, listing.entry_offset, listing.code.size());
    return out;
}

}  // namespace ebpf
