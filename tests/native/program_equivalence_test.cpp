// Every program of tests/programs, run through the runtime API in the
// interpreter and as a native module (bpf2c → cc → load_native_object) on
// the same inputs: identical return values, output data and map contents.
#include <arpa/inet.h>
#include <linux/bpf.h>
#include <sys/socket.h>
#include <gtest/gtest.h>

#include <algorithm>
#include <cstring>
#include <map>

#include "ebpf/error.hpp"
#include "ebpf/native.hpp"
#include "ebpf/runtime.hpp"
#include "native_test_support.hpp"

namespace {

using Bytes = std::vector<uint8_t>;

// Objects meant not to load (tests/programs/README.md) are left out.
const char* const kObjects[] = {"xdp_parse", "sock_addr", "sock_addr_nodebug", "hook_buffer", "maps_all",
                                "tail_call", "legacy_maps", "global_data", "subprograms", "runtime_tail_chain",
                                "runtime_helpers", "tracing", "verifier_sieve", "verifier_balancer"};

// Programs whose result is a clock or a random number: they run in both
// modes, but their return values cannot match.
bool nondeterministic(const std::string& section) {
    return section == "hook/ktime" || section == "hook/boottime" || section == "hook/random";
}

std::string object_path(const std::string& name) { return std::string(EBPF_TEST_PROGRAMS_DIR) + "/" + name + ".o"; }

Bytes pattern(size_t length, uint8_t seed) {
    Bytes bytes(length);
    for (size_t i = 0; i < length; ++i) bytes[i] = static_cast<uint8_t>(seed + i * 13);
    return bytes;
}

std::vector<Bytes> hook_inputs() {
    std::vector<Bytes> inputs = {{}, pattern(3, 1), pattern(8, 2), pattern(13, 3), pattern(64, 4), pattern(100, 5)};
    for (uint32_t key : {0u, 1u, 2u, 3u, 5u, 200u}) {
        Bytes input(16, 0);
        std::memcpy(input.data(), &key, 4);
        inputs.push_back(input);
    }
    Bytes header(8);
    uint32_t magic = 0xEB9F0001;
    uint16_t version = 7;
    std::memcpy(header.data(), &magic, 4);
    std::memcpy(header.data() + 4, &version, 2);
    inputs.push_back(header);
    return inputs;
}

Bytes ipv4_frame(uint8_t protocol, uint8_t ttl, uint16_t dst_port, uint8_t version_ihl = 0x45) {
    Bytes frame(14 + 20 + 8, 0);
    frame[12] = 0x08;  // EtherType IPv4
    frame[13] = 0x00;
    frame[14] = version_ihl;
    frame[22] = ttl;
    frame[23] = protocol;
    frame[14 + 20 + 2] = static_cast<uint8_t>(dst_port >> 8);
    frame[14 + 20 + 3] = static_cast<uint8_t>(dst_port);
    return frame;
}

std::vector<Bytes> xdp_frames() {
    Bytes arp(60, 0);
    arp[12] = 0x08;
    arp[13] = 0x06;
    return {Bytes(10, 0), arp, ipv4_frame(6, 64, 80), ipv4_frame(17, 64, 9), ipv4_frame(17, 64, 53),
            ipv4_frame(17, 1, 9), ipv4_frame(6, 64, 80, 0x44), ipv4_frame(1, 32, 0)};
}

std::vector<bpf_sock_addr> sock_addrs() {
    std::vector<bpf_sock_addr> out;
    auto make = [](uint32_t family, const char* ip, uint16_t port) {
        bpf_sock_addr addr{};
        addr.user_family = family;
        addr.family = family;
        in_addr parsed{};
        ::inet_pton(AF_INET, ip, &parsed);
        addr.user_ip4 = parsed.s_addr;
        addr.user_port = htons(port);
        return addr;
    };
    out.push_back(make(AF_INET, "10.0.0.1", 22));
    out.push_back(make(AF_INET, "10.0.0.1", 80));
    out.push_back(make(AF_INET, "10.0.0.1", 8080));
    out.push_back(make(AF_INET, "192.0.2.7", 443));
    out.push_back(make(AF_INET6, "0.0.0.0", 22));
    return out;
}

// What one run of a program produced.
struct Observation {
    std::string what;
    std::string outcome;  // return value or error message
    Bytes data;           // buffer / frame / context after the run
    bool operator==(const Observation&) const = default;
};

std::string run_outcome(const std::function<uint64_t()>& run) {
    try {
        return std::to_string(run());
    } catch (const ebpf::Error& e) {
        return std::string("error: ") + e.what();
    }
}

std::vector<Observation> exercise(const ebpf::LoadedProgram& program) {
    std::vector<Observation> out;
    switch (program.type()) {
    case ebpf::ProgramType::hook:
    case ebpf::ProgramType::raw_memory:
        for (Bytes input : hook_inputs()) {
            std::string outcome = run_outcome([&] { return program.run(input.data(), input.size()); });
            out.push_back({program.name() + " on " + std::to_string(input.size()) + " bytes", outcome, input});
        }
        break;
    case ebpf::ProgramType::xdp:
        for (const Bytes& packet : xdp_frames()) {
            Bytes frame(256 + packet.size() + 64, 0);
            std::copy(packet.begin(), packet.end(), frame.begin() + 256);
            size_t offset = 256, length = packet.size();
            std::string outcome = run_outcome([&] { return program.run_xdp(frame, offset, length); });
            outcome += " offset " + std::to_string(offset) + " length " + std::to_string(length);
            out.push_back({program.name() + " on frame of " + std::to_string(packet.size()), outcome, frame});
        }
        break;
    case ebpf::ProgramType::cgroup_sock_addr:
        for (bpf_sock_addr addr : sock_addrs()) {
            std::string outcome = run_outcome([&] { return program.run(&addr, sizeof addr); });
            Bytes data(reinterpret_cast<uint8_t*>(&addr), reinterpret_cast<uint8_t*>(&addr) + sizeof addr);
            out.push_back({program.name() + " on sock_addr", outcome, data});
        }
        break;
    default:
        break;  // no context the runtime can build (socket, tracing): loading is the test
    }
    return out;
}

// Map contents as text: keys and values, in key order; for maps whose values
// are ids of runtime objects (prog_array, map-in-map) only the keys.
std::map<std::string, std::string> map_contents(const ebpf::LoadedObject& object) {
    std::map<std::string, std::string> contents;
    for (const auto& map : object.maps()) {
        if (!map) continue;
        std::string text;
        bool ids = map->type() == ebpf::MapType::prog_array || map->type() == ebpf::MapType::array_of_maps ||
                   map->type() == ebpf::MapType::hash_of_maps;
        try {
            if (map->type() == ebpf::MapType::queue || map->type() == ebpf::MapType::stack) {
                while (auto value = map->pop()) text += ::testing::PrintToString(*value) + ";";
            } else if (map->type() == ebpf::MapType::ringbuf) {
                ebpf::ringbuf_consume(*map, [&](std::span<const uint8_t> record) {
                    text += ::testing::PrintToString(Bytes(record.begin(), record.end())) + ";";
                });
            } else {
                // In the order of the printed keys (any fixed order does): sorting the
                // byte vectors themselves trips GCC 12's false -Wstringop-overread at -O3.
                std::map<std::string, std::string> entries;
                for (const auto& key : map->keys()) {
                    std::string& value_text = entries[::testing::PrintToString(key)];
                    if (!ids) {
                        auto value = map->lookup(key);
                        value_text = "=" + (value ? ::testing::PrintToString(*value) : std::string("none"));
                    }
                }
                for (const auto& [key_text, value_text] : entries) text += key_text + value_text + ";";
            }
        } catch (const ebpf::Error& e) {
            text = std::string("error: ") + e.what();
        }
        contents[map->name()] = text;
    }
    return contents;
}

class ProgramEquivalence : public ::testing::TestWithParam<const char*> {};

TEST_P(ProgramEquivalence, InterpreterAndNativeAgree) {
    const std::string name = GetParam();
    const std::string path = object_path(name);
    std::unique_ptr<ebpf::LoadedObject> interpreted;
    try {
        interpreted = ebpf::load_object(path, {});
    } catch (const ebpf::Error& e) {
        // Native mode must refuse what the interpreter refuses.
        EXPECT_THROW(ebpf::bpf2c(ebpf::open_object(path)), ebpf::Error);
        GTEST_SKIP() << name << " does not load in the interpreter either: " << e.what();
    }

    if (interpreted->programs().empty())
        GTEST_SKIP() << name << ": the runtime loads no runnable program from it (kernel-only program types)";

    native_test::TempDir dir;
    ebpf::write_file_atomically(dir.file(name + ".c"), ebpf::bpf2c(ebpf::open_object(path)).c_source);
    ebpf::compile_c_to_module(dir.file(name + ".c"), dir.file(name + ".so"));
    ebpf::LoadOptions native_options;
    native_options.mode = ebpf::ExecMode::native;
    auto native = ebpf::load_native_object(dir.file(name + ".so"), native_options);

    // The runtime may leave out programs of types it cannot run (socket,
    // tracing) in one mode only; every program it runs must agree.
    for (size_t i = 0; i < interpreted->programs().size(); ++i) {
        const auto& expected_program = *interpreted->programs()[i];
        const auto& native_program = native->program(expected_program.name());
        EXPECT_EQ(native_program.mode(), ebpf::ExecMode::native);
        EXPECT_EQ(native_program.section(), expected_program.section());
        EXPECT_EQ(native_program.type(), expected_program.type());
        auto expected = exercise(expected_program);
        auto actual = exercise(native_program);
        ASSERT_EQ(actual.size(), expected.size());
        for (size_t run = 0; run < expected.size(); ++run) {
            if (!nondeterministic(expected_program.section())) {
                EXPECT_EQ(actual[run].outcome, expected[run].outcome) << expected[run].what;
            }
            EXPECT_EQ(actual[run].data, expected[run].data) << expected[run].what;
        }
    }
    EXPECT_EQ(map_contents(*native), map_contents(*interpreted));
}

INSTANTIATE_TEST_SUITE_P(TestPrograms, ProgramEquivalence, ::testing::ValuesIn(kObjects),
                         [](const ::testing::TestParamInfo<const char*>& info) { return std::string(info.param); });

}  // namespace
