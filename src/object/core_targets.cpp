// The BTFs CO-RE relocations resolve against: our own context types and the
// kernel's (or a user-given) BTF file.
#include <bpf/btf.h>
#include <openssl/evp.h>
#include <sys/stat.h>

#include <cerrno>
#include <cstring>
#include <mutex>

#include "core_relocations.hpp"
#include "ebpf/error.hpp"
#include "ebpf/input_file.hpp"
#include "ebpf/object.hpp"

namespace ebpf::object_detail {
namespace {

// The context structs as the runtime lays them out: the Linux uapi layouts
// (<linux/bpf.h>) that src/abi's context tables describe by offset. Pointer
// fields (`__bpf_md_ptr`) are 8-byte pointers here; in the uapi header they
// sit in an anonymous union, which CO-RE field matching looks through.
enum class Kind : uint8_t { u8, u16, u32, u64, ptr };
struct Member {
    const char* name;
    Kind kind;
    uint32_t offset;
    uint32_t count = 0;  // > 0: an array of that many
};
struct ContextStruct {
    const char* name;
    uint32_t size;
    std::vector<Member> members;
};

const std::vector<ContextStruct>& context_structs() {
    static const std::vector<ContextStruct> structs = {
        {"xdp_md", 24,
         {{"data", Kind::u32, 0}, {"data_end", Kind::u32, 4}, {"data_meta", Kind::u32, 8},
          {"ingress_ifindex", Kind::u32, 12}, {"rx_queue_index", Kind::u32, 16}, {"egress_ifindex", Kind::u32, 20}}},
        {"__sk_buff", 192,
         {{"len", Kind::u32, 0},
          {"pkt_type", Kind::u32, 4},
          {"mark", Kind::u32, 8},
          {"queue_mapping", Kind::u32, 12},
          {"protocol", Kind::u32, 16},
          {"vlan_present", Kind::u32, 20},
          {"vlan_tci", Kind::u32, 24},
          {"vlan_proto", Kind::u32, 28},
          {"priority", Kind::u32, 32},
          {"ingress_ifindex", Kind::u32, 36},
          {"ifindex", Kind::u32, 40},
          {"tc_index", Kind::u32, 44},
          {"cb", Kind::u32, 48, 5},
          {"hash", Kind::u32, 68},
          {"tc_classid", Kind::u32, 72},
          {"data", Kind::u32, 76},
          {"data_end", Kind::u32, 80},
          {"napi_id", Kind::u32, 84},
          {"family", Kind::u32, 88},
          {"remote_ip4", Kind::u32, 92},
          {"local_ip4", Kind::u32, 96},
          {"remote_ip6", Kind::u32, 100, 4},
          {"local_ip6", Kind::u32, 116, 4},
          {"remote_port", Kind::u32, 132},
          {"local_port", Kind::u32, 136},
          {"data_meta", Kind::u32, 140},
          {"flow_keys", Kind::ptr, 144},
          {"tstamp", Kind::u64, 152},
          {"wire_len", Kind::u32, 160},
          {"gso_segs", Kind::u32, 164},
          {"sk", Kind::ptr, 168},
          {"gso_size", Kind::u32, 176},
          {"tstamp_type", Kind::u8, 180},
          {"hwtstamp", Kind::u64, 184}}},
        {"bpf_sock_addr", 72,
         {{"user_family", Kind::u32, 0},
          {"user_ip4", Kind::u32, 4},
          {"user_ip6", Kind::u32, 8, 4},
          {"user_port", Kind::u32, 24},
          {"family", Kind::u32, 28},
          {"type", Kind::u32, 32},
          {"protocol", Kind::u32, 36},
          {"msg_src_ip4", Kind::u32, 40},
          {"msg_src_ip6", Kind::u32, 44, 4},
          {"sk", Kind::ptr, 64}}},
    };
    return structs;
}

BtfPtr build_context_btf() {
    BtfPtr btf(btf__new_empty());
    if (!btf) throw Error("cannot create the context BTF");
    auto check = [](int id) {
        if (id < 0) throw Error("cannot build the context BTF: " + std::string(std::strerror(-id)));
        return id;
    };
    struct btf* b = btf.get();
    const int u8 = check(btf__add_int(b, "__u8", 1, 0));
    const int u16 = check(btf__add_int(b, "__u16", 2, 0));
    const int u32 = check(btf__add_int(b, "__u32", 4, 0));
    const int u64 = check(btf__add_int(b, "__u64", 8, 0));
    const int ptr = check(btf__add_ptr(b, 0));
    const int index = u32;
    for (const ContextStruct& s : context_structs()) {
        // Array types first: btf__add_field must follow its btf__add_struct directly.
        std::vector<int> types;
        for (const Member& m : s.members) {
            int type = m.kind == Kind::u8 ? u8 : m.kind == Kind::u16 ? u16 : m.kind == Kind::u32 ? u32
                       : m.kind == Kind::u64 ? u64 : ptr;
            if (m.count > 0) type = check(btf__add_array(b, index, type, m.count));
            types.push_back(type);
        }
        check(btf__add_struct(b, s.name, s.size));
        for (size_t i = 0; i < s.members.size(); ++i)
            check(btf__add_field(b, s.members[i].name, types[i], s.members[i].offset * 8, 0));
    }
    return btf;
}

std::array<uint8_t, 32> sha256_of(const struct btf* btf) {
    uint32_t size = 0;
    const void* data = btf__raw_data(btf, &size);
    std::array<uint8_t, 32> digest{};
    unsigned int length = 0;
    if (!data || EVP_Digest(data, size, digest.data(), &length, EVP_sha256(), nullptr) != 1 || length != 32)
        throw Error("cannot hash the target BTF");
    return digest;
}

}  // namespace

std::string_view essential_name(std::string_view name) {
    size_t flavour = name.find("___");
    return flavour == std::string_view::npos ? name : name.substr(0, flavour);
}

CoreTarget::CoreTarget(BtfPtr btf, std::string source) : btf_(std::move(btf)), source_(std::move(source)) {
    sha256_ = sha256_of(btf_.get());
    const uint32_t count = btf__type_cnt(btf_.get());
    for (uint32_t id = 1; id < count; ++id) {
        const btf_type* t = btf__type_by_id(btf_.get(), id);
        const char* name = t ? btf__name_by_offset(btf_.get(), t->name_off) : nullptr;
        if (name && *name) by_name_[std::string(essential_name(name))].push_back(id);
    }
}

std::span<const uint32_t> CoreTarget::named(std::string_view name) const {
    auto it = by_name_.find(std::string(name));
    if (it == by_name_.end()) return {};
    return it->second;
}

namespace {
std::string identity(const std::array<uint8_t, 32>& sha256, const std::string& source) {
    static const char* const kHex = "0123456789abcdef";
    std::string out = "sha256:";
    for (uint8_t b : sha256) {
        out += kHex[b >> 4];
        out += kHex[b & 15];
    }
    return out + " " + source;
}
}  // namespace

const CoreTarget& context_target() {
    static const CoreTarget target(build_context_btf(), "the runtime's context types");
    return target;
}

bool is_context_type(std::string_view name) {
    for (const ContextStruct& s : context_structs()) {
        if (name == s.name) return true;
    }
    return false;
}

std::shared_ptr<const CoreTarget> load_core_target(const std::string& path, const ResourceLimits& limits) {
    static std::mutex mutex;
    static std::shared_ptr<const CoreTarget> kernel;
    const bool is_kernel = path == kKernelBtfPath;
    std::lock_guard lock(mutex);
    if (is_kernel && kernel) return kernel;
    // read_input_file refuses FIFOs and devices and bounds the size.
    std::vector<uint8_t> bytes = read_input_file(path, limits.max_btf_bytes);
    BtfPtr btf;
    silence_libbpf();
    errno = 0;
    if (bytes.size() >= 4 && std::memcmp(bytes.data(), "\x7f" "ELF", 4) == 0) {
        btf.reset(btf__parse_elf(path.c_str(), nullptr));
    } else if (bytes.size() <= UINT32_MAX) {
        btf.reset(btf__new(bytes.data(), static_cast<uint32_t>(bytes.size())));
    }
    if (!btf) {
        int err = errno ? errno : EINVAL;
        throw Error(path + ": not a valid BTF file (" + std::strerror(err) + ")");
    }
    auto target = std::make_shared<const CoreTarget>(std::move(btf), path);
    if (is_kernel) kernel = target;
    return target;
}

}  // namespace ebpf::object_detail

namespace ebpf {

std::string core_btf_identity(const Object& object) {
    if (object.core_btf_source.empty()) return "";
    return object_detail::identity(object.core_btf_sha256, object.core_btf_source);
}

std::string core_btf_identity(const std::string& btf_path, const ResourceLimits& limits) {
    const std::string path = btf_path.empty() ? object_detail::kKernelBtfPath : btf_path;
    auto target = object_detail::load_core_target(path, limits);
    return object_detail::identity(target->sha256(), target->source());
}

}  // namespace ebpf
