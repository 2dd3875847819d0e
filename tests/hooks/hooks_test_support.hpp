// Shared pieces of the hook tests: temporary directories, pcap files built
// and read with libpcap, Ethernet/IPv4 frames, objects loaded in every mode
// (native modules built with bpf2c + cc), and child processes with captured output.
#pragma once

#include <cstdint>
#include <filesystem>
#include <map>
#include <memory>
#include <string>
#include <vector>

#include "ebpf/exec.hpp"
#include "ebpf/runtime.hpp"

namespace hooks_test {

class TempDir {
public:
    TempDir();
    ~TempDir();
    TempDir(const TempDir&) = delete;
    TempDir& operator=(const TempDir&) = delete;
    std::string file(const std::string& name) const { return (path_ / name).string(); }

private:
    std::filesystem::path path_;
};

using Bytes = std::vector<uint8_t>;

struct PcapPacket {
    Bytes data;           // the captured bytes
    uint32_t wire_length; // the header's len
};

// Ethernet (DLT_EN10MB) pcap files.
void write_pcap(const std::string& path, const std::vector<Bytes>& packets);
std::vector<PcapPacket> read_pcap(const std::string& path);

// Frames: Ethernet with the given EtherType; IPv4 with protocol, TTL and
// (for UDP/TCP) the destination port; `payload` bytes of 0x5a after the headers.
Bytes ethernet_frame(uint16_t ether_type, size_t payload);
Bytes ipv4_frame(uint8_t protocol, uint8_t ttl, uint16_t destination_port, size_t payload = 18);

// Loads tests/programs/<name>.o in `mode`; for native, builds the module
// with bpf2c and cc into `dir` first.
std::unique_ptr<ebpf::LoadedObject> load_in_mode(const std::string& name, ebpf::ExecMode mode, const TempDir& dir);
// Builds tests/programs/<name>.o into a native module and returns its path.
std::string build_native_module(const std::string& name, const TempDir& dir);
std::string program_path(const std::string& name);

struct ProcessResult {
    int exit_code = -1;  // -1: killed by a signal
    std::string out, err;
};
// Runs argv[0] (a path) with extra environment variables; waits for it.
ProcessResult run_process(const std::vector<std::string>& argv, const std::map<std::string, std::string>& env,
                          const TempDir& dir);

// Every mode this build can run: interpret, jit and native.
std::vector<ebpf::ExecMode> all_modes();

}  // namespace hooks_test
