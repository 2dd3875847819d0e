// CO-RE relocations (.BTF.ext core_relo records) resolved as libbpf resolves
// them, against two targets:
//  * our context BTF: the program contexts the runtime lays out itself
//    (struct xdp_md, struct __sk_buff, struct bpf_sock_addr), whatever the
//    kernel says (core_targets.cpp);
//  * every other type: the kernel's BTF, /sys/kernel/btf/vmlinux, or the file
//    the user gave (`--btf FILE`, libbpf's btf_custom_path).
// A relocation that cannot be satisfied fails the one program it belongs to
// (Program::load_error), never the object.
#pragma once

#include <array>
#include <cstdint>
#include <map>
#include <memory>
#include <span>
#include <string>
#include <string_view>
#include <unordered_map>
#include <vector>

#include "btf_data.hpp"
#include "ebpf/isa.hpp"
#include "ebpf/limits.hpp"

namespace ebpf::object_detail {

// A BTF to resolve against, with its types indexed by essential name (the
// name without a "___flavour" suffix) and the SHA-256 of its raw bytes.
class CoreTarget {
public:
    CoreTarget(BtfPtr btf, std::string source);
    const struct btf* btf() const { return btf_.get(); }
    const std::string& source() const { return source_; }
    const std::array<uint8_t, 32>& sha256() const { return sha256_; }
    // Ids of the types whose essential name is `name` (any kind).
    std::span<const uint32_t> named(std::string_view name) const;

private:
    BtfPtr btf_;
    std::string source_;
    std::array<uint8_t, 32> sha256_{};
    std::unordered_map<std::string, std::vector<uint32_t>> by_name_;
};

// The contexts the runtime lays out (the Linux uapi layouts our ABI table
// describes), as BTF built with libbpf's btf__add_* API.
const CoreTarget& context_target();
// True for the essential names context_target() defines.
bool is_context_type(std::string_view essential_name);

// The kernel BTF file libbpf would use: /sys/kernel/btf/vmlinux.
inline constexpr const char* kKernelBtfPath = "/sys/kernel/btf/vmlinux";
// Loads a target BTF file (raw BTF or an ELF with a .BTF section): a regular
// file of at most limits.max_btf_bytes. The kernel's is loaded once per
// process. Throws ebpf::Error naming the file.
std::shared_ptr<const CoreTarget> load_core_target(const std::string& path, const ResourceLimits& limits);

// "xdp_md___old" → "xdp_md".
std::string_view essential_name(std::string_view name);

// Resolves and applies the CO-RE relocations of one object. The kernel
// target is loaded the first time a relocation needs it.
class CoreRelocator {
public:
    // btf_path: the target BTF for kernel types; empty = kKernelBtfPath when it exists.
    CoreRelocator(const struct btf* local, std::string btf_path, const ResourceLimits& limits);
    // Resolves `relo` and patches `insns[at]` (and its second slot for an
    // LDDW). Returns "" on success, else why it cannot be satisfied, naming
    // the type and field ("struct iphdr has no field 'foo' in ...").
    std::string apply(const BtfCoreRecord& relo, std::span<Instruction> insns, size_t at);
    // The kernel target, when a relocation resolved against it.
    const CoreTarget* kernel_target_used() const { return kernel_used_ ? kernel_.get() : nullptr; }

private:
    const CoreTarget* kernel(std::string& why);
    const struct btf* local_;
    std::string btf_path_;
    const ResourceLimits& limits_;
    std::shared_ptr<const CoreTarget> kernel_;
    std::string kernel_error_;
    bool kernel_tried_ = false, kernel_used_ = false;
};

}  // namespace ebpf::object_detail
