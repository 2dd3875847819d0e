#include "hooks_test_support.hpp"

#include <pcap/pcap.h>
#include <sys/wait.h>
#include <unistd.h>

#include <algorithm>
#include <atomic>
#include <cstdlib>
#include <fstream>
#include <iterator>
#include <stdexcept>

#include "ebpf/native.hpp"
#include "ebpf/object.hpp"

namespace hooks_test {

TempDir::TempDir() {
    static std::atomic<int> counter{0};
    path_ = std::filesystem::temp_directory_path() /
            ("ebpf-hooks-test-" + std::to_string(::getpid()) + "-" + std::to_string(counter++));
    std::filesystem::remove_all(path_);
    std::filesystem::create_directories(path_);
}

TempDir::~TempDir() {
    std::error_code ignored;
    std::filesystem::remove_all(path_, ignored);
}

void write_pcap(const std::string& path, const std::vector<Bytes>& packets) {
    pcap_t* dead = pcap_open_dead(DLT_EN10MB, 65535);
    pcap_dumper_t* dumper = pcap_dump_open(dead, path.c_str());
    if (!dumper) throw std::runtime_error(path + ": " + pcap_geterr(dead));
    uint32_t second = 1700000000;
    for (const auto& packet : packets) {
        pcap_pkthdr header{};
        header.ts.tv_sec = second++;
        header.caplen = header.len = static_cast<uint32_t>(packet.size());
        pcap_dump(reinterpret_cast<u_char*>(dumper), &header, packet.data());
    }
    pcap_dump_close(dumper);
    pcap_close(dead);
}

std::vector<PcapPacket> read_pcap(const std::string& path) {
    char error[PCAP_ERRBUF_SIZE] = {};
    pcap_t* handle = pcap_open_offline(path.c_str(), error);
    if (!handle) throw std::runtime_error(path + ": " + error);
    std::vector<PcapPacket> packets;
    pcap_pkthdr* header = nullptr;
    const u_char* data = nullptr;
    while (pcap_next_ex(handle, &header, &data) == 1)
        packets.push_back({Bytes(data, data + header->caplen), header->len});
    pcap_close(handle);
    return packets;
}

Bytes ethernet_frame(uint16_t ether_type, size_t payload) {
    const uint8_t header[] = {0x02, 0x00, 0x00, 0x00, 0x00, 0x01,   // destination MAC
                              0x02, 0x00, 0x00, 0x00, 0x00, 0x02,   // source MAC
                              static_cast<uint8_t>(ether_type >> 8), static_cast<uint8_t>(ether_type)};
    // Sized once, then filled: GCC 12 at -O3 reports a false -Warray-bounds
    // when a 14-byte vector grown by resize() is inlined.
    Bytes frame(sizeof(header) + payload, 0x5a);
    std::copy(std::begin(header), std::end(header), frame.begin());
    return frame;
}

Bytes ipv4_frame(uint8_t protocol, uint8_t ttl, uint16_t destination_port, size_t payload) {
    const size_t transport = protocol == 6 ? 20 : 8;  // TCP or UDP header
    const size_t total = 20 + transport + payload;
    // Sized once (the payload bytes are 0x5a), then filled: see ethernet_frame.
    Bytes frame = ethernet_frame(0x0800, total);
    const uint8_t ip[20] = {0x45, 0, static_cast<uint8_t>(total >> 8), static_cast<uint8_t>(total),
                            0, 1, 0, 0, ttl, protocol, 0, 0,
                            10, 0, 0, 1, 10, 0, 0, 2};
    std::copy(std::begin(ip), std::end(ip), frame.begin() + 14);
    uint8_t* header = frame.data() + 14 + 20;  // zeros but for the ports
    std::fill(header, header + transport, 0);
    header[0] = 0x30;  // source port 12345
    header[1] = 0x39;
    header[2] = static_cast<uint8_t>(destination_port >> 8);
    header[3] = static_cast<uint8_t>(destination_port);
    return frame;
}

std::string program_path(const std::string& name) { return std::string(EBPF_TEST_PROGRAMS_DIR) + "/" + name + ".o"; }

std::string build_native_module(const std::string& name, const TempDir& dir) {
    const std::string c_path = dir.file(name + ".c");
    const std::string so_path = dir.file(name + ".so");
    ebpf::write_file_atomically(c_path, ebpf::bpf2c(ebpf::open_object(program_path(name))).c_source);
    ebpf::compile_c_to_module(c_path, so_path);
    return so_path;
}

std::unique_ptr<ebpf::LoadedObject> load_in_mode(const std::string& name, ebpf::ExecMode mode, const TempDir& dir) {
    ebpf::LoadOptions options;
    options.mode = mode;
    if (mode == ebpf::ExecMode::native) return ebpf::load_object(build_native_module(name, dir), options);
    return ebpf::load_object(program_path(name), options);
}

namespace {

std::string read_all(const std::string& path) {
    std::ifstream in(path, std::ios::binary);
    return std::string((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
}

}  // namespace

ProcessResult run_process(const std::vector<std::string>& argv, const std::map<std::string, std::string>& env,
                          const TempDir& dir) {
    static std::atomic<int> counter{0};
    const int id = counter++;
    const std::string out_path = dir.file("out" + std::to_string(id)), err_path = dir.file("err" + std::to_string(id));
    std::vector<char*> args;
    for (const auto& word : argv) args.push_back(const_cast<char*>(word.c_str()));
    args.push_back(nullptr);
    const pid_t child = fork();
    if (child < 0) throw std::runtime_error("fork failed");
    if (child == 0) {
        // In sanitizer builds the shim is instrumented too: preloading it
        // puts it before the ASan runtime, which ASan refuses unless told the
        // order is intended (harmless in other builds).
        setenv("ASAN_OPTIONS", "verify_asan_link_order=0", 1);
        for (const auto& [name, value] : env) setenv(name.c_str(), value.c_str(), 1);
        if (!freopen(out_path.c_str(), "w", stdout) || !freopen(err_path.c_str(), "w", stderr)) _exit(126);
        execv(args[0], args.data());
        _exit(127);
    }
    int status = 0;
    waitpid(child, &status, 0);
    ProcessResult result;
    result.exit_code = WIFEXITED(status) ? WEXITSTATUS(status) : -1;
    result.out = read_all(out_path);
    result.err = read_all(err_path);
    return result;
}

std::vector<ebpf::ExecMode> all_modes() {
    return {ebpf::ExecMode::interpret, ebpf::ExecMode::jit, ebpf::ExecMode::native};
}

}  // namespace hooks_test
