// The test programs (tests/programs) load with the right programs, maps,
// global data, relocations, subprograms and line info.
#include <gtest/gtest.h>

#include <algorithm>
#include <cstring>
#include <fstream>
#include <set>

#include "ebpf/error.hpp"
#include "ebpf/object.hpp"
#include "test_objects.hpp"

namespace ebpf {
namespace {

using test::lddw_with_src;
using test::program_path;

Object load(const std::string& name) { return open_object(program_path(name)); }

// The 1-based line of the first line of `file` containing `needle`.
uint32_t source_line_of(const std::string& file, const std::string& needle) {
    std::ifstream in(std::string(EBPF_TEST_PROGRAMS_SOURCE_DIR) + "/" + file);
    std::string line;
    for (uint32_t number = 1; std::getline(in, line); ++number) {
        if (line.find(needle) != std::string::npos) return number;
    }
    ADD_FAILURE() << needle << " not in " << file;
    return 0;
}

// Every local call and callback reference points at the start of a listed function.
void expect_calls_linked(const Program& program) {
    std::set<uint32_t> starts;
    for (const auto& f : program.functions) starts.insert(f.insn);
    for (size_t i = 0; i < program.insns.size(); ++i) {
        const Instruction& insn = program.insns[i];
        bool call = insn.opcode == (op::kClassJmp | op::kCall) && insn.src == op::kCallLocal;
        bool func = insn.opcode == op::kLddw && insn.src == op::kPseudoFunc;
        if (call || func) {
            int64_t target = static_cast<int64_t>(i) + insn.imm + 1;
            EXPECT_TRUE(starts.count(static_cast<uint32_t>(target)))
                << program.name << ": instruction " << i << " targets " << target;
        }
        if (insn.opcode == op::kLddw) ++i;
    }
}

TEST(ObjectLoader, XdpProgramWithArrayMap) {
    Object object = load("xdp_parse");
    EXPECT_EQ(object.license, "GPL");
    ASSERT_EQ(object.programs.size(), 1u);
    const Program& prog = object.programs[0];
    EXPECT_EQ(prog.name, "xdp_parse");
    EXPECT_EQ(prog.section, "xdp");
    EXPECT_EQ(prog.type, ProgramType::xdp);
    EXPECT_GT(prog.insns.size(), 20u);
    ASSERT_EQ(object.maps.size(), 1u);
    const MapDefinition& map = object.maps[0];
    EXPECT_EQ(map.name, "proto_count");
    EXPECT_EQ(map.type, MapType::array);
    EXPECT_EQ(map.key_size, 4u);
    EXPECT_EQ(map.value_size, 8u);
    EXPECT_EQ(map.max_entries, 256u);
    auto refs = lddw_with_src(prog, op::kPseudoMapIdx);
    ASSERT_FALSE(refs.empty());
    for (size_t i : refs) EXPECT_EQ(prog.insns[i].imm, 0);
    EXPECT_EQ(object.find_program("xdp"), &object.programs[0]);
    EXPECT_EQ(object.find_program("xdp_parse"), &object.programs[0]);
    EXPECT_EQ(object.find_map("proto_count"), 0u);
    EXPECT_FALSE(object.find_map("nothing").has_value());
}

TEST(ObjectLoader, LineInfoGivesFileLineAndText) {
    Object object = load("xdp_parse");
    const Program& prog = object.programs[0];
    ASSERT_FALSE(prog.lines.empty());
    EXPECT_TRUE(std::is_sorted(prog.lines.begin(), prog.lines.end(),
                               [](const LineInfo& a, const LineInfo& b) { return a.insn < b.insn; }));
    uint32_t ttl_line = source_line_of("xdp_parse.c", "if (ip->ttl == 1)");
    auto it = std::find_if(prog.lines.begin(), prog.lines.end(),
                           [&](const LineInfo& l) { return l.where.line == ttl_line; });
    ASSERT_NE(it, prog.lines.end());
    EXPECT_NE(it->where.text.find("ip->ttl == 1"), std::string::npos) << it->where.text;
    EXPECT_TRUE(it->where.file.ends_with("xdp_parse.c")) << it->where.file;
    EXPECT_GT(it->where.column, 0u);
    const SourceLocation* at = prog.source_at(it->insn);
    ASSERT_NE(at, nullptr);
    EXPECT_EQ(at->line, ttl_line);
    // Instructions after the last line record map to it; the first instruction has one.
    EXPECT_NE(prog.source_at(0), nullptr);
    EXPECT_EQ(prog.source_at(prog.insns.size() - 1), &prog.lines.back().where);
}

TEST(ObjectLoader, ObjectWithoutDebugInfoLoadsWithoutLines) {
    Object object = load("sock_addr_nodebug");
    ASSERT_EQ(object.programs.size(), 2u);
    for (const auto& prog : object.programs) {
        EXPECT_TRUE(prog.lines.empty());
        EXPECT_EQ(prog.source_at(0), nullptr);
        ASSERT_EQ(prog.functions.size(), 1u);
        EXPECT_EQ(prog.functions[0].name, prog.name);
    }
}

TEST(ObjectLoader, BtfMapsWithoutBtfAreRefused) {
    try {
        load("xdp_parse_nodebug");
        FAIL() << "loaded";
    } catch (const Error& e) {
        EXPECT_NE(std::string(e.what()).find("section '.maps'"), std::string::npos) << e.what();
        EXPECT_NE(std::string(e.what()).find("BTF"), std::string::npos) << e.what();
    }
}

TEST(ObjectLoader, SockAddrProgramsAndAttachPoints) {
    Object object = load("sock_addr");
    ASSERT_EQ(object.programs.size(), 2u);
    const Program* bind = object.find_program("cgroup/bind4");
    const Program* connect = object.find_program("connect4_policy");
    ASSERT_TRUE(bind && connect);
    EXPECT_EQ(bind->name, "bind4_policy");
    EXPECT_EQ(bind->type, ProgramType::cgroup_sock_addr);
    EXPECT_EQ(bind->attach, "bind4");
    EXPECT_EQ(connect->attach, "connect4");
    EXPECT_TRUE(object.maps.empty());
}

TEST(ObjectLoader, EveryBtfMapType) {
    Object object = load("maps_all");
    EXPECT_EQ(object.license, "Dual BSD/GPL");
    struct Expected {
        const char* name;
        MapType type;
        uint32_t key, value, entries, flags;
    };
    const Expected expected[] = {
        {"hash_map", MapType::hash, 4, 8, 1024, 0},
        {"array_map", MapType::array, 4, 4, 16, 0},
        {"percpu_array_map", MapType::percpu_array, 4, 8, 4, 0},
        {"percpu_hash_map", MapType::percpu_hash, 4, 8, 64, 0},
        {"lru_map", MapType::lru_hash, 8, 4, 8, 0},
        {"events", MapType::ringbuf, 0, 0, 4096, 0},
        {"queue_map", MapType::queue, 0, 4, 32, 0},
        {"stack_map", MapType::stack, 0, 4, 32, 0},
        {"lpm_map", MapType::lpm_trie, 8, 4, 128, kMapFlagNoPrealloc},
        {"inner_a", MapType::array, 4, 4, 4, 0},
        {"outer_array", MapType::array_of_maps, 4, 4, 2, 0},
        {"outer_hash", MapType::hash_of_maps, 4, 4, 8, 0},
    };
    for (const auto& e : expected) {
        auto index = object.find_map(e.name);
        ASSERT_TRUE(index.has_value()) << e.name;
        const MapDefinition& map = object.maps[*index];
        EXPECT_EQ(map.type, e.type) << e.name;
        EXPECT_EQ(map.key_size, e.key) << e.name;
        EXPECT_EQ(map.value_size, e.value) << e.name;
        EXPECT_EQ(map.max_entries, e.entries) << e.name;
        EXPECT_EQ(map.map_flags, e.flags) << e.name;
        EXPECT_FALSE(map.is_global_data);
    }
    // Inner map templates follow from __array(values, ...).
    const MapDefinition& outer_hash = object.maps[*object.find_map("outer_hash")];
    ASSERT_TRUE(outer_hash.inner_map.has_value());
    const MapDefinition& inner = object.maps[*outer_hash.inner_map];
    EXPECT_TRUE(inner.inner_template);
    EXPECT_EQ(inner.type, MapType::hash);
    EXPECT_EQ(inner.value_size, 8u);
    EXPECT_EQ(inner.max_entries, 16u);
    const MapDefinition& outer_array = object.maps[*object.find_map("outer_array")];
    ASSERT_TRUE(outer_array.inner_map.has_value());
    EXPECT_EQ(object.maps[*outer_array.inner_map].type, MapType::array);
    ASSERT_EQ(outer_array.initial_slots.size(), 2u);
    EXPECT_EQ(outer_array.initial_slots[0].key, 0u);
    EXPECT_EQ(outer_array.initial_slots[0].target, "inner_a");
    EXPECT_EQ(outer_array.initial_slots[1].key, 1u);
    EXPECT_EQ(outer_array.initial_slots[1].target, "inner_b");

    EXPECT_EQ(object.programs.size(), 8u);
    // Each program's map references name the map it uses.
    auto maps_used = [&](const char* program) {
        std::set<std::string> names;
        const Program* p = object.find_program(program);
        EXPECT_NE(p, nullptr) << program;
        if (!p) return names;
        for (size_t i : lddw_with_src(*p, op::kPseudoMapIdx)) {
            EXPECT_LT(static_cast<size_t>(p->insns[i].imm), object.maps.size());
            names.insert(object.maps.at(p->insns[i].imm).name);
        }
        return names;
    };
    EXPECT_EQ(maps_used("use_hash"), std::set<std::string>{"hash_map"});
    EXPECT_EQ(maps_used("use_ringbuf"), std::set<std::string>{"events"});
    EXPECT_EQ(maps_used("use_queue_stack"), (std::set<std::string>{"queue_map", "stack_map"}));
    EXPECT_EQ(maps_used("use_map_in_map"), (std::set<std::string>{"outer_array", "outer_hash"}));
}

TEST(ObjectLoader, ProgArrayInitialSlotsNamePrograms) {
    Object object = load("tail_call");
    ASSERT_EQ(object.programs.size(), 3u);
    const MapDefinition& table = object.maps.at(*object.find_map("jump_table"));
    EXPECT_EQ(table.type, MapType::prog_array);
    EXPECT_EQ(table.max_entries, 4u);
    ASSERT_EQ(table.initial_slots.size(), 2u);
    EXPECT_EQ(table.initial_slots[0].target, "tail_zero");
    EXPECT_EQ(table.initial_slots[1].target, "tail_one");
    EXPECT_EQ(table.initial_slots[1].key, 1u);
    for (const auto& slot : table.initial_slots) EXPECT_NE(object.find_program(slot.target), nullptr);
}

TEST(ObjectLoader, LegacyMapsSection) {
    Object object = load("legacy_maps");
    ASSERT_EQ(object.maps.size(), 2u);
    EXPECT_EQ(object.maps[0].name, "packet_count");
    EXPECT_EQ(object.maps[0].type, MapType::hash);
    EXPECT_EQ(object.maps[0].key_size, 4u);
    EXPECT_EQ(object.maps[0].value_size, 8u);
    EXPECT_EQ(object.maps[0].max_entries, 256u);
    EXPECT_EQ(object.maps[1].name, "scratch");
    EXPECT_EQ(object.maps[1].value_size, 64u);
    const Program& prog = object.programs.at(0);
    EXPECT_EQ(prog.type, ProgramType::socket_filter);
    std::set<int32_t> indexes;
    for (size_t i : lddw_with_src(prog, op::kPseudoMapIdx)) indexes.insert(prog.insns[i].imm);
    EXPECT_EQ(indexes, (std::set<int32_t>{0, 1}));
}

TEST(ObjectLoader, GlobalDataBecomesArrayMaps) {
    Object object = load("global_data");
    auto map = [&](const char* name) -> const MapDefinition& {
        auto index = object.find_map(name);
        EXPECT_TRUE(index.has_value()) << name;
        return object.maps.at(index.value_or(0));
    };
    const MapDefinition& rodata = map(".rodata");
    EXPECT_TRUE(rodata.is_global_data);
    EXPECT_TRUE(rodata.read_only);
    EXPECT_EQ(rodata.map_flags & kMapFlagRdonlyProg, kMapFlagRdonlyProg);
    EXPECT_EQ(rodata.type, MapType::array);
    EXPECT_EQ(rodata.max_entries, 1u);
    EXPECT_EQ(rodata.key_size, 4u);
    ASSERT_EQ(rodata.initial_data.size(), rodata.value_size);
    // multiplier (u64 3) and greeting ("hello bp") and the bpf_printk format.
    uint64_t multiplier = 0;
    std::memcpy(&multiplier, rodata.initial_data.data(), 8);
    EXPECT_EQ(multiplier, 3u);
    std::string text(rodata.initial_data.begin(), rodata.initial_data.end());
    EXPECT_NE(text.find("hello bp"), std::string::npos);
    size_t format = text.find("greeting for %llu bytes");
    ASSERT_NE(format, std::string::npos);

    const MapDefinition& data = map(".data");
    EXPECT_FALSE(data.read_only);
    ASSERT_EQ(data.initial_data.size(), 8u);
    EXPECT_EQ(data.initial_data[0], 10);
    EXPECT_EQ(map(".data.stats").initial_data, (std::vector<uint8_t>{7, 0, 0, 0}));
    const MapDefinition& bss = map(".bss");
    EXPECT_EQ(bss.value_size, 8u);
    EXPECT_EQ(bss.initial_data, std::vector<uint8_t>(8, 0));

    // LDDW map-value references carry the map index and the offset.
    const Program* greet = object.find_program("greet");
    ASSERT_NE(greet, nullptr);
    std::set<int32_t> rodata_offsets;
    for (size_t i : lddw_with_src(*greet, op::kPseudoMapIdxValue)) {
        EXPECT_EQ(greet->insns[i].imm, static_cast<int32_t>(*object.find_map(".rodata")));
        rodata_offsets.insert(greet->insns[i + 1].imm);
    }
    EXPECT_TRUE(rodata_offsets.count(static_cast<int32_t>(format)));
    EXPECT_TRUE(rodata_offsets.count(static_cast<int32_t>(text.find("hello bp"))));
    const Program* counter = object.find_program("counter");
    ASSERT_NE(counter, nullptr);
    std::set<std::string> used;
    for (size_t i : lddw_with_src(*counter, op::kPseudoMapIdxValue)) {
        used.insert(object.maps.at(counter->insns[i].imm).name);
    }
    EXPECT_EQ(used, (std::set<std::string>{".rodata", ".data", ".data.stats", ".bss"}));
}

TEST(ObjectLoader, SubprogramsAreLinkedIntoEachCaller) {
    Object object = load("subprograms");
    ASSERT_EQ(object.programs.size(), 3u);  // .text holds no programs
    auto names = [](const Program& p) {
        std::vector<std::string> out;
        for (const auto& f : p.functions) out.push_back(f.name);
        return out;
    };
    const Program* calls = object.find_program("calls");
    const Program* loop = object.find_program("loop");
    const Program* nested = object.find_program("nested");
    ASSERT_TRUE(calls && loop && nested);
    EXPECT_EQ(names(*calls), (std::vector<std::string>{"calls", "square", "add3"}));
    EXPECT_EQ(names(*loop), (std::vector<std::string>{"loop", "add_index"}));
    // square reached directly and through twice: linked once.
    EXPECT_EQ(names(*nested), (std::vector<std::string>{"nested", "square", "twice"}));
    for (const Program* p : {calls, loop, nested}) {
        EXPECT_EQ(p->functions[0].insn, 0u);
        expect_calls_linked(*p);
    }
    EXPECT_EQ(lddw_with_src(*loop, op::kPseudoFunc).size(), 1u);
    // Subprogram lines are shifted to where the subprogram was linked.
    uint32_t square_line = source_line_of("subprograms.c", "return x * x;");
    uint32_t square_start = calls->functions[1].insn, square_end = calls->functions[2].insn;
    bool found = false;
    for (const auto& line : calls->lines) {
        if (line.insn >= square_start && line.insn < square_end && line.where.line == square_line) {
            found = true;
            EXPECT_NE(line.where.text.find("x * x"), std::string::npos) << line.where.text;
        }
    }
    EXPECT_TRUE(found) << "no line info for square's body in the linked program";
}

TEST(ObjectLoader, HookProgramsOverByteBuffers) {
    Object object = load("hook_buffer");
    ASSERT_EQ(object.programs.size(), 2u);
    for (const auto& p : object.programs) {
        EXPECT_EQ(p.type, ProgramType::hook);
    }
    EXPECT_EQ(object.find_program("hook/checksum")->attach, "checksum");
}

TEST(ObjectLoader, SocketFilterAndTcClassifier) {
    Object socket = load("socket_filter");
    ASSERT_EQ(socket.programs.size(), 1u);
    EXPECT_EQ(socket.programs[0].type, ProgramType::socket_filter);
    // LD_ABS (legacy packet access) survives loading untouched.
    bool ld_abs = false;
    for (const auto& insn : socket.programs[0].insns) {
        ld_abs |= insn.opcode == (op::kClassLd | op::kModeAbs | op::kSizeB);
    }
    EXPECT_TRUE(ld_abs);
    Object tc = load("tc_classifier");
    ASSERT_EQ(tc.programs.size(), 1u);
    EXPECT_EQ(tc.programs[0].type, ProgramType::sched_cls);
    EXPECT_EQ(tc.programs[0].section, "tc");
}

TEST(ObjectLoader, TracingProgramsGetTheirLinuxTypes) {
    Object object = load("tracing");
    ASSERT_EQ(object.programs.size(), 2u);
    const Program* tp = object.find_program("handle_tp");
    const Program* kprobe = object.find_program("do_unlinkat");
    ASSERT_TRUE(tp && kprobe);
    EXPECT_EQ(tp->type, ProgramType::tracepoint);
    EXPECT_EQ(kprobe->type, ProgramType::kprobe);
    EXPECT_EQ(kprobe->attach, "do_unlinkat");
    EXPECT_EQ(tp->attach, "syscalls/sys_enter_write");
    EXPECT_EQ(kprobe->section, "kprobe/do_unlinkat");
    EXPECT_TRUE(object.find_map(".bss").has_value());
}

TEST(ObjectLoader, UnsatisfiableCoreRelocationFailsItsProgramByName) {
    // No target BTF (the kernel's or none) has struct task_info: the object
    // opens, and the program carries why it cannot load, naming the
    // relocation, the type and the field.
    Object object = load("core_reloc");
    ASSERT_EQ(object.programs.size(), 1u);
    const std::string& message = object.programs[0].load_error;
    EXPECT_NE(message.find("field_byte_offset"), std::string::npos) << message;
    EXPECT_NE(message.find("struct task_info (task_info.tgid)"), std::string::npos) << message;
    EXPECT_NE(message.find("\"0:1\""), std::string::npos) << message;
    EXPECT_NE(message.find("section 'hook/core'"), std::string::npos) << message;
}

TEST(ObjectLoader, CoreRelocationsOnTheContextTypeResolve) {
    // vmlinux.h-style struct xdp_md (preserve_access_index) in an XDP program:
    // its CO-RE relocations name fields of our own context layout.
    Object object = load("xdp_vmlinux_style");
    ASSERT_EQ(object.programs.size(), 1u);
    EXPECT_EQ(object.programs[0].type, ProgramType::xdp);
    const Instruction& first = object.programs[0].insns.at(0);
    EXPECT_EQ(first.opcode, op::kClassLdx | op::kModeMem | op::kSizeW);
    EXPECT_EQ(first.offset, 4);  // xdp_md.data_end, as in the uapi layout
}

TEST(ObjectLoader, MissingFileIsAnError) {
    EXPECT_THROW(open_object("/nonexistent/prog.o"), Error);
}

TEST(ObjectLoader, ProgArrayAsInnerMapIsRefused) {
    try {
        load("inner_prog_array");
        ADD_FAILURE() << "a prog array as an inner map was accepted";
    } catch (const Error& e) {
        EXPECT_NE(std::string(e.what()).find("map 'tables': a prog_array cannot be an inner map"), std::string::npos)
            << e.what();
    }
}

}  // namespace
}  // namespace ebpf
