// jit_compile_listing() and jit_disassemble(): the JIT's machine code beside
// the eBPF instructions it came from. The x86 text comes from capstone.
#include <capstone/capstone.h>

#include <cstdio>
#include <string>

#include "ebpf/abi.hpp"
#include "ebpf/error.hpp"
#include "ebpf/isa.hpp"
#include "ebpf/jit.hpp"
#include "jit_x86_64.hpp"

namespace ebpf {
namespace {

// Owns a capstone handle for x86-64, Intel syntax.
class Capstone {
public:
    Capstone() {
        if (cs_open(CS_ARCH_X86, CS_MODE_64, &handle_) != CS_ERR_OK) {
            throw Error("JIT disassembly: capstone cannot open an x86-64 disassembler");
        }
    }
    ~Capstone() { cs_close(&handle_); }
    Capstone(const Capstone&) = delete;
    Capstone& operator=(const Capstone&) = delete;

    // Appends one line per x86 instruction in code[begin, end).
    void append(std::string& out, const std::vector<uint8_t>& code, uint64_t begin, uint64_t end) const {
        if (end <= begin) return;
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
        if (decoded_end < end) {
            out += "      0x" + std::to_string(decoded_end) + "  (" + std::to_string(end - decoded_end) +
                   " bytes capstone could not decode)\n";
        }
    }

private:
    csh handle_ = 0;
};

}  // namespace

JitListing jit_compile_listing(const ExecutableProgram& program, const ExecOptions& options) {
    validate(program.insns);
    jit::CompiledCode compiled = jit::compile_x86_64(program, options);
    JitListing listing;
    listing.code = std::move(compiled.code);
    listing.insn_offsets = std::move(compiled.insn_offsets);
    listing.entry_offset = compiled.trampoline_offset;
    return listing;
}

std::string jit_disassemble(const ExecutableProgram& program, const ExecOptions& options) {
    const JitListing listing = jit_compile_listing(program, options);
    const Capstone capstone;
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
