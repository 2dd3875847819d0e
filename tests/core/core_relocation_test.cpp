// CO-RE relocations resolved against a target BTF: a layout other than the
// program's own (--btf FILE), the runtime's context types, targets that
// cannot satisfy a relocation (that program alone fails, naming the type and
// field), and hostile target BTFs (loops, bad ids, ambiguity, garbage): a
// clear message, never a crash or a hang.
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <cstring>
#include <map>
#include <set>

#include "core_relocations.hpp"
#include "core_test_support.hpp"
#include "ebpf/error.hpp"

namespace ebpf::core_test {
namespace {

struct BtfDeleter {
    void operator()(struct btf* b) const { btf__free(b); }
};
using Btf = std::unique_ptr<struct btf, BtfDeleter>;

// struct flow_meta as a target has it: { u8 proto; u8 pad; u16 port;
// u32 cookie; u64 more } — 16 bytes, every field somewhere else than in
// the program's own (cookie 0, port 4, proto 6, vlan 7; 8 bytes).
Btf target_with_other_layout() {
    Btf b(btf__new_empty());
    int u8 = btf__add_int(b.get(), "unsigned char", 1, 0);
    int u16 = btf__add_int(b.get(), "unsigned short", 2, 0);
    int u32 = btf__add_int(b.get(), "unsigned int", 4, 0);
    int u64 = btf__add_int(b.get(), "unsigned long long", 8, 0);
    btf__add_struct(b.get(), "flow_meta", 16);
    btf__add_field(b.get(), "proto", u8, 0, 0);
    btf__add_field(b.get(), "pad", u8, 8, 0);
    btf__add_field(b.get(), "port", u16, 16, 0);
    btf__add_field(b.get(), "cookie", u32, 32, 0);
    btf__add_field(b.get(), "more", u64, 64, 0);
    return b;
}

struct TargetFile {
    PrivateDirectory dir{"ebpf-core-test"};
    std::string path = dir.file("target.btf");
    explicit TargetFile(const Btf& btf) { write_btf(btf.get(), path); }
};

std::vector<uint8_t> flow_buffer() {
    std::vector<uint8_t> buf(64, 0);
    buf[0] = 0x11;                 // target proto
    buf[2] = 0x34, buf[3] = 0x12;  // target port 0x1234
    buf[4] = 0xaa, buf[5] = 0xaa;  // where the program's own layout has port
    buf[6] = 0x99;                 // ... and proto
    return buf;
}

TEST(CoreRelocations, CustomBtfGivesTheTargetLayoutInEveryMode) {
    TargetFile target(target_with_other_layout());
    LoadOptions options;
    options.btf_path = target.path;
    for (ExecMode mode : all_modes()) {
        SCOPED_TRACE(exec_mode_name(mode));
        PrivateDirectory dir("ebpf-core-test");
        auto object = load_in_mode(program_path("core_flow_meta"), mode, options, dir);
        std::vector<uint8_t> buf = flow_buffer();
        TestRunOutput out = test_run(object->program("read_flow_meta"), {.data = buf});
        // port 0x1234 << 8 | proto 0x11; vlan does not exist (0 << 24); sizeof 16 << 32.
        EXPECT_EQ(out.retval, (uint64_t{16} << 32) | 0x123411u);
    }
    Object object = open_object(program_path("core_flow_meta"), {}, target.path);
    EXPECT_EQ(object.core_btf_source, target.path);
    EXPECT_NE(object.core_btf_sha256, (std::array<uint8_t, 32>{}));
    // Without --btf the layout is the object's own only if the kernel's
    // BTF has such a struct: it has none, so the program cannot load.
    Object plain = open_object(program_path("core_flow_meta"));
    ASSERT_EQ(plain.programs.size(), 1u);
    EXPECT_NE(plain.programs[0].load_error.find("flow_meta"), std::string::npos) << plain.programs[0].load_error;
}

TEST(CoreRelocations, ModulesRecordTheirTargetBtfAndRunOnlyAgainstIt) {
    TargetFile target(target_with_other_layout());
    PrivateDirectory dir("ebpf-core-test");
    const auto result = bpf2c(open_object(program_path("core_flow_meta"), {}, target.path));
    write_file_atomically(dir.file("prog.c"), result.c_source);
    compile_c_to_module(dir.file("prog.c"), dir.file("prog.so"));
    const auto metadata = read_module_metadata(read_file_bytes(dir.file("prog.so")), helper_table(), "prog.so");
    EXPECT_EQ(metadata.core_btf, core_btf_identity(target.path));
    LoadOptions options;
    options.mode = ExecMode::native;
    options.btf_path = target.path;
    EXPECT_NO_THROW(load_object(dir.file("prog.so"), options));
    // Another target BTF (the kernel's, or none): refused, saying why.
    options.btf_path.clear();
    try {
        load_object(dir.file("prog.so"), options);
        ADD_FAILURE() << "a module built against another BTF loaded";
    } catch (const Error& e) {
        EXPECT_NE(std::string(e.what()).find("CO-RE relocations were resolved against sha256:"), std::string::npos)
            << e.what();
    }
}

// Opens core_flow_meta against `btf` and returns the program's load error.
std::string load_error_against(const Btf& btf) {
    TargetFile target(btf);
    Object object = open_object(program_path("core_flow_meta"), {}, target.path);
    EXPECT_EQ(object.programs.size(), 1u);
    return object.programs.empty() ? "" : object.programs[0].load_error;
}

TEST(CoreRelocations, AMissingFieldIsNamed) {
    Btf b(btf__new_empty());
    int u32 = btf__add_int(b.get(), "unsigned int", 4, 0);
    btf__add_struct(b.get(), "flow_meta", 4);
    btf__add_field(b.get(), "cookie", u32, 0, 0);
    std::string error = load_error_against(b);
    EXPECT_NE(error.find("CO-RE relocation field_byte_offset on struct flow_meta (flow_meta."), std::string::npos) << error;
    EXPECT_NE(error.find("has no field 'p"), std::string::npos) << error;
}

TEST(CoreRelocations, IncompatibleFieldTypeIsNamed) {
    Btf b(btf__new_empty());
    int u32 = btf__add_int(b.get(), "unsigned int", 4, 0);
    int s = btf__add_struct(b.get(), "inner", 4);
    btf__add_field(b.get(), "x", u32, 0, 0);
    btf__add_struct(b.get(), "flow_meta", 16);
    btf__add_field(b.get(), "proto", s, 0, 0);  // a struct where the program reads an integer
    btf__add_field(b.get(), "port", s, 32, 0);
    std::string error = load_error_against(b);
    EXPECT_NE(error.find("incompatible type"), std::string::npos) << error;
}

TEST(CoreRelocations, FieldsAreFoundThroughAnonymousMembers) {
    Btf c(btf__new_empty());
    int u8 = btf__add_int(c.get(), "unsigned char", 1, 0);
    int u16 = btf__add_int(c.get(), "unsigned short", 2, 0);
    int u32 = btf__add_int(c.get(), "unsigned int", 4, 0);
    int anon = btf__add_union(c.get(), nullptr, 4);
    btf__add_field(c.get(), "raw", u32, 0, 0);
    int anon_struct = btf__add_struct(c.get(), nullptr, 4);
    btf__add_field(c.get(), "port", u16, 0, 0);
    btf__add_field(c.get(), "proto", u8, 16, 0);
    btf__add_struct(c.get(), "flow_meta", 12);
    btf__add_field(c.get(), "cookie", u32, 0, 0);
    btf__add_field(c.get(), nullptr, anon, 32, 0);         // union { raw } at 4
    btf__add_field(c.get(), nullptr, anon_struct, 64, 0);  // struct { port; proto } at 8
    TargetFile target(c);
    PrivateDirectory dir("ebpf-core-test");
    LoadOptions options;
    options.btf_path = target.path;
    auto object = load_in_mode(program_path("core_flow_meta"), ExecMode::interpret, options, dir);
    std::vector<uint8_t> buf(64, 0);
    buf[8] = 0x02, buf[9] = 0x01, buf[10] = 0x06;  // port 0x0102 at 8, proto 6 at 10
    EXPECT_EQ(test_run(object->program("read_flow_meta"), {.data = buf}).retval, (uint64_t{12} << 32) | 0x010206u);
}

TEST(CoreRelocations, AmbiguousFlavoursAreAnError) {
    Btf b(btf__new_empty());
    int u8 = btf__add_int(b.get(), "unsigned char", 1, 0);
    int u16 = btf__add_int(b.get(), "unsigned short", 2, 0);
    for (const char* name : {"flow_meta___a", "flow_meta___b"}) {
        btf__add_struct(b.get(), name, 8);
        btf__add_field(b.get(), "port", u16, std::strcmp(name, "flow_meta___a") == 0 ? 0 : 16, 0);
        btf__add_field(b.get(), "proto", u8, 48, 0);
    }
    std::string error = load_error_against(b);
    EXPECT_NE(error.find("ambiguous"), std::string::npos) << error;
}

TEST(CoreRelocations, HostileTargetsGiveAClearErrorNeverAHang) {
    {  // a struct whose anonymous member is itself: the member search must end
        Btf b(btf__new_empty());
        int u32 = btf__add_int(b.get(), "unsigned int", 4, 0);
        int self = btf__add_struct(b.get(), "flow_meta", 8);
        btf__add_field(b.get(), "cookie", u32, 0, 0);
        btf__add_field(b.get(), nullptr, self, 32, 0);
        std::string error = load_error_against(b);
        EXPECT_NE(error.find("deeper than 64"), std::string::npos) << error;
    }
    {  // typedefs in a loop (forward references are allowed by the BTF format)
        Btf b(btf__new_empty());
        int u8 = btf__add_int(b.get(), "unsigned char", 1, 0);
        int first = btf__add_typedef(b.get(), "loop_a", 3);  // id 2 -> 3
        btf__add_typedef(b.get(), "loop_b", first);          // id 3 -> 2
        btf__add_struct(b.get(), "flow_meta", 8);
        btf__add_field(b.get(), "port", first, 0, 0);
        btf__add_field(b.get(), "proto", u8, 48, 0);
        std::string error = load_error_against(b);
        EXPECT_FALSE(error.empty());
        EXPECT_NE(error.find("flow_meta"), std::string::npos) << error;
    }
    {  // a member whose type id does not exist
        Btf b(btf__new_empty());
        btf__add_struct(b.get(), "flow_meta", 8);
        btf__add_field(b.get(), "port", 4000, 0, 0);
        btf__add_field(b.get(), "proto", 4001, 16, 0);
        std::string error = load_error_against(b);
        EXPECT_NE(error.find("invalid"), std::string::npos) << error;
    }
    {  // not BTF at all, and not a regular file
        PrivateDirectory dir("ebpf-core-test");
        write_file_atomically(dir.file("garbage.btf"), "this is not BTF at all, not even close");
        Object object = open_object(program_path("core_flow_meta"), {}, dir.file("garbage.btf"));
        EXPECT_NE(object.programs[0].load_error.find("not a valid BTF file"), std::string::npos)
            << object.programs[0].load_error;
        ASSERT_EQ(mkfifo(dir.file("fifo").c_str(), 0600), 0);
        object = open_object(program_path("core_flow_meta"), {}, dir.file("fifo"));
        EXPECT_NE(object.programs[0].load_error.find("not a regular file"), std::string::npos)
            << object.programs[0].load_error;
    }
}

TEST(CoreRelocations, ContextTypesResolveAgainstTheRuntimeLayout) {
    // tc_cb_mark reads __sk_buff cb[0], cb[1] and len through vmlinux.h types.
    Object object = open_object(program_path("core_tc_cb_mark"));
    ASSERT_EQ(object.programs.size(), 1u);
    EXPECT_EQ(object.programs[0].load_error, "");
    std::vector<int16_t> offsets;
    for (const Instruction& insn : object.programs[0].insns) {
        if (insn.opcode == (op::kClassLdx | op::kModeMem | op::kSizeW)) offsets.push_back(insn.offset);
    }
    for (int16_t expected : {48, 52, 0}) {  // cb[0], cb[1], len
        EXPECT_NE(std::find(offsets.begin(), offsets.end(), expected), offsets.end()) << expected;
    }
    // Context relocations never count as resolved against kernel BTF.
    EXPECT_EQ(object.core_btf_source, "");
}

TEST(CoreRelocations, ContextTypesMatchTheAbiTableAndTheKernel) {
    const struct btf* ours = object_detail::context_target().btf();
    // name -> (offset, size); members of anonymous unions (the uapi's
    // __bpf_md_ptr) count at their union's offset.
    using Members = std::map<std::string, std::pair<uint32_t, uint32_t>>;
    auto members_of = [](const struct btf* b, const char* name) {
        Members out;
        int id = btf__find_by_name_kind(b, name, BTF_KIND_STRUCT);
        if (id <= 0) return out;
        const btf_type* t = btf__type_by_id(b, id);
        for (uint32_t i = 0; i < btf_vlen(t); ++i) {
            const btf_member& m = btf_members(t)[i];
            std::string member = btf__name_by_offset(b, m.name_off);
            const btf_type* u = btf__type_by_id(b, m.type);
            if (member.empty() && u && btf_is_composite(u) && btf_vlen(u) > 0)
                member = btf__name_by_offset(b, btf_members(u)[0].name_off);
            out[member] = {btf_member_bit_offset(t, i) / 8, static_cast<uint32_t>(btf__resolve_size(b, m.type))};
        }
        return out;
    };
    for (auto [name, type] : {std::pair{"xdp_md", ProgramType::xdp}, std::pair{"__sk_buff", ProgramType::sched_cls},
                              std::pair{"bpf_sock_addr", ProgramType::cgroup_sock_addr}}) {
        SCOPED_TRACE(name);
        Members members = members_of(ours, name);
        ASSERT_FALSE(members.empty());
        // Every field the ABI table lists lies inside one member of ours.
        for (const CtxField& field : program_type_info(type).fields) {
            bool inside = false;
            for (auto& [member, at] : members)
                inside |= field.offset >= at.first && field.offset + field.size <= at.first + at.second;
            EXPECT_TRUE(inside) << "ABI field at offset " << field.offset << ", " << field.size << " bytes";
        }
        if (access(object_detail::kKernelBtfPath, R_OK) != 0) continue;
        Btf kernel(btf__parse(object_detail::kKernelBtfPath, nullptr));
        ASSERT_TRUE(kernel);
        Members theirs = members_of(kernel.get(), name);
        for (auto& [member, at] : members) {
            ASSERT_TRUE(theirs.count(member)) << member;
            EXPECT_EQ(theirs[member], at) << member;
        }
    }
}

TEST(CoreRelocations, OneUnsatisfiableProgramLeavesTheOthers) {
    Object object = open_object(program_path("core_missing_field"));
    const Program* bad = object.find_program("xdp_needs_new_field");
    const Program* good = object.find_program("xdp_ttl_guard");
    ASSERT_TRUE(bad && good);
    EXPECT_NE(bad->load_error.find("iphdr___v2"), std::string::npos) << bad->load_error;
    EXPECT_NE(bad->load_error.find("hop_budget"), std::string::npos) << bad->load_error;
    EXPECT_EQ(good->load_error, "");
    for (ExecMode mode : all_modes()) {
        SCOPED_TRACE(exec_mode_name(mode));
        PrivateDirectory dir("ebpf-core-test");
        auto loaded = load_in_mode(program_path("core_missing_field"), mode, {}, dir);
        EXPECT_TRUE(loaded->find_program("xdp_ttl_guard"));
        EXPECT_FALSE(loaded->find_program("xdp_needs_new_field"));
        if (mode != ExecMode::native) {
            ASSERT_EQ(loaded->warnings().size(), 1u);
            EXPECT_NE(loaded->warnings()[0].find("hop_budget"), std::string::npos) << loaded->warnings()[0];
        }
    }
    // Asked for by name, it is an error naming the type and field.
    LoadOptions options;
    options.programs = {"xdp_needs_new_field"};
    try {
        load_object(program_path("core_missing_field"), options);
        ADD_FAILURE() << "loaded";
    } catch (const Error& e) {
        EXPECT_NE(std::string(e.what()).find("hop_budget"), std::string::npos) << e.what();
    }
}

TEST(CoreRelocations, TracingProgramBesideXdpIsLeftOutWithAReason) {
    if (access(object_detail::kKernelBtfPath, R_OK) != 0) GTEST_SKIP() << "no kernel BTF";
    Object object = open_object(program_path("core_kprobe_beside_xdp"));
    const Program* kprobe = object.find_program("trace_sleep");
    ASSERT_TRUE(kprobe);
    EXPECT_EQ(kprobe->load_error, "");  // task_struct.tgid resolved against the kernel
    EXPECT_EQ(object.core_btf_source, object_detail::kKernelBtfPath);
    auto loaded = load_object(object);
    EXPECT_TRUE(loaded->find_program("xdp_count"));
    EXPECT_FALSE(loaded->find_program("trace_sleep"));
    ASSERT_EQ(loaded->warnings().size(), 1u);
    EXPECT_NE(loaded->warnings()[0].find("cannot run"), std::string::npos) << loaded->warnings()[0];
}

}  // namespace
}  // namespace ebpf::core_test
