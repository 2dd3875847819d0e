// A long-running host for the pinning tests: loads an object (pinned_maps.o,
// or its native module) with share_maps and run statistics on, under
// $EBPF_PIN_ROOT, prints "ready", then obeys one command per stdin line:
//   run ID        runs hook/pin_count on a buffer holding the u32 ID, prints the result
//   get MAP HEX   prints the map's value at key HEX (hex), or "none"
//   quit          exits (unloading: its records and maps/<id> names go)
#include <cstdio>
#include <cstring>
#include <iostream>
#include <string>

#include "ebpf/error.hpp"
#include "ebpf/pinning.hpp"
#include "ebpf/runtime.hpp"

namespace {

std::string hex(const std::vector<uint8_t>& bytes) {
    static const char digits[] = "0123456789abcdef";
    std::string out;
    for (uint8_t b : bytes) {
        out += digits[b >> 4];
        out += digits[b & 15];
    }
    return out;
}

std::vector<uint8_t> unhex(const std::string& text) {
    std::vector<uint8_t> out;
    for (size_t i = 0; i + 1 < text.size(); i += 2) out.push_back(static_cast<uint8_t>(std::stoul(text.substr(i, 2), nullptr, 16)));
    return out;
}

}  // namespace

int main(int argc, char** argv) {
    if (argc != 3) {
        std::fprintf(stderr, "usage: pin_host OBJECT interpret|jit|native\n");
        return 2;
    }
    try {
        ebpf::LoadOptions options;
        const std::string mode = argv[2];
        options.mode = mode == "jit" ? ebpf::ExecMode::jit : mode == "native" ? ebpf::ExecMode::native : ebpf::ExecMode::interpret;
        options.share_maps = true;
        ebpf::set_program_stats(true);
        auto object = ebpf::load_object(argv[1], options);
        const ebpf::LoadedProgram& program = object->program("pin_count");
        std::printf("ready\n");
        std::fflush(stdout);
        std::string command;
        while (std::cin >> command) {
            if (command == "quit") break;
            if (command == "run") {
                uint32_t id = 0;
                std::cin >> id;
                uint8_t buffer[4];
                std::memcpy(buffer, &id, 4);
                std::printf("%lld\n", static_cast<long long>(static_cast<int64_t>(program.run(buffer, sizeof buffer))));
            } else if (command == "get") {
                std::string map, key;
                std::cin >> map >> key;
                auto value = object->map(map).lookup(unhex(key));
                std::printf("%s\n", value ? hex(*value).c_str() : "none");
            } else {
                std::printf("unknown command %s\n", command.c_str());
            }
            std::fflush(stdout);
        }
    } catch (const std::exception& e) {
        std::printf("error: %s\n", e.what());
        std::fflush(stdout);
        return 1;
    }
    return 0;
}
