// Loading refuses what it cannot run safely, with messages that say why.
#include <arpa/inet.h>
#include <gtest/gtest.h>

#include "ebpf/error.hpp"
#include "ebpf/isa.hpp"
#include "test_support.hpp"

using namespace runtime_test;

namespace {

std::string load_error(const ebpf::Object& object, const ebpf::LoadOptions& options = {}) {
    try {
        ebpf::load_object(object, options);
    } catch (const ebpf::Error& e) {
        return e.what();
    }
    return "";
}

ebpf::Object object_with(std::string_view assembly, ebpf::ProgramType type = ebpf::ProgramType::hook) {
    ebpf::Object object;
    object.path = "inline.o";
    ebpf::Program program;
    program.name = "x";
    program.section = "hook/x";
    program.type = type;
    program.insns = ebpf::assemble(assembly);
    object.programs.push_back(program);
    return object;
}

TEST(LoadErrors, UnknownHelperNamesTheInstruction) {
    auto object = object_with("r0 = 0\ncall 999\nexit");
    EXPECT_EQ(load_error(object), "program 'x': instruction 1: helper 999 is not supported by this runtime");
}

TEST(LoadErrors, HelperNotAllowedForTheType) {
    auto object = object_with("r1 = 0\nr2 = 0\ncall 44\nr0 = 0\nexit");  // bpf_xdp_adjust_head in a hook
    EXPECT_NE(load_error(object).find("helper bpf_xdp_adjust_head is not allowed in hook programs"), std::string::npos);
}

TEST(LoadErrors, UnverifiedOnlyInTheBoundsCheckedInterpreter) {
    auto object = object_with("r0 = 1\nexit");
    ebpf::LoadOptions options;
    options.verify = false;
    EXPECT_NE(load_error(object, options).find("bounds-checked interpreter"), std::string::npos);
    options.exec.bounds_check = true;
    auto loaded = ebpf::load_object(object, options);
    uint8_t buffer[1];
    EXPECT_EQ(loaded->program("x").run(buffer, 1), 1u);
}

TEST(LoadErrors, VerifierRejectionIsReported) {
    auto object = object_with("r0 = *(u64 *)(r3 + 0)\nexit");  // r3 is not initialised
    std::string message = load_error(object);
    EXPECT_NE(message.find("program 'x': verification failed"), std::string::npos) << message;
}

TEST(LoadErrors, BadMapReference) {
    auto object = object_with("r1 = 0 ll\nr0 = 0\nexit");
    object.programs[0].insns[0].src = ebpf::op::kPseudoMapIdx;
    object.programs[0].insns[0].imm = 3;
    ebpf::LoadOptions options;
    options.verify = false;
    options.exec.bounds_check = true;
    EXPECT_EQ(load_error(object, options), "program 'x': instruction 0: refers to map index 3, which the object does not define");
}

TEST(LoadErrors, MissingProgramAndMapNames) {
    auto object = load("maps_all");
    try {
        object->map("nope");
        FAIL();
    } catch (const ebpf::Error& e) {
        EXPECT_NE(std::string(e.what()).find("no map 'nope' (maps: "), std::string::npos) << e.what();
        EXPECT_NE(std::string(e.what()).find("hash_map"), std::string::npos) << e.what();
    }
    EXPECT_THROW(object->program("nope"), ebpf::Error);
    ebpf::LoadOptions options;
    options.programs = {"nope"};
    EXPECT_THROW(ebpf::load_object(program_path("maps_all"), options), ebpf::Error);
}

TEST(LoadErrors, WrongContextAndReturnRange) {
    auto sock = load("sock_addr");
    uint8_t small[8] = {};
    EXPECT_THROW(sock->program("bind4_policy").run(small, sizeof(small)), ebpf::Error);
    // A cgroup/bind4 verdict must be 0 or 1: the verifier refuses the program at load.
    auto object = object_with("r0 = 7\nexit", ebpf::ProgramType::cgroup_sock_addr);
    object.programs[0].section = "cgroup/bind4";
    object.programs[0].attach = "bind4";
    std::string message = load_error(object);
    EXPECT_NE(message.find("R0 is 7"), std::string::npos) << message;
    // An XDP verdict that is no action loads (as Linux), and is reported as
    // it is by a test run (the packet host treats it as XDP_ABORTED).
    auto xdp = object_with("r0 = 7\nexit", ebpf::ProgramType::xdp);
    xdp.programs[0].section = "xdp";
    auto loaded = ebpf::load_object(xdp, {});
    const std::vector<uint8_t> frame(14, 0);
    EXPECT_EQ(ebpf::test_run(loaded->program("x"), {.data = frame}).retval, 7u);
}

TEST(LoadErrors, ProgramTypesAndRealContexts) {
    auto sock = load("sock_addr");
    struct bpf_sock_addr_layout {
        uint32_t user_family, user_ip4, user_ip6[4], user_port, family, type, protocol, msg_src_ip4, msg_src_ip6[4];
        uint64_t sk;
    } ctx{};
    static_assert(sizeof(ctx) == 72);
    ctx.user_family = 2;
    ctx.user_port = htons(22);
    EXPECT_EQ(sock->program("bind4_policy").run(&ctx, sizeof(ctx)), 0u);
    ctx.user_port = htons(443);
    EXPECT_EQ(sock->program("bind4_policy").run(&ctx, sizeof(ctx)), 1u);
    ctx.user_ip4 = htonl(0x0a000001);
    ctx.user_port = htons(8080);
    EXPECT_EQ(sock->program("connect4_policy").run(&ctx, sizeof(ctx)), 1u);
    EXPECT_EQ(ntohs(static_cast<uint16_t>(ctx.user_port)), 80);  // rewritten

    auto xdp = load("xdp_parse");
    std::vector<uint8_t> frame(64, 0);
    frame[12] = 0x08;  // IPv4
    frame[14] = 0x45;
    frame[14 + 8] = 1;  // TTL 1 → XDP_TX
    frame[14 + 9] = 17;
    size_t offset = 0, length = 64;
    EXPECT_EQ(xdp->program("xdp").run_xdp(frame, offset, length), 3u);
    EXPECT_EQ(value_of<uint64_t>(*xdp->map("proto_count").lookup(bytes_of(uint32_t{17}))), 1u);
}

}  // namespace
