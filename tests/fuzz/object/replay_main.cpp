// Replays fuzz corpora through LLVMFuzzerTestOneInput without libFuzzer, so
// every build (gcc included) checks that the seeds and past findings load or
// fail cleanly. Arguments: files or directories (not recursive).
#include <cstdint>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <iterator>
#include <vector>

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size);
// Optional: a target may batch work over the whole replay (the verifier target
// builds one native module for every accepted program at the end).
extern "C" __attribute__((weak)) void ebpf_fuzz_replay_begin();
extern "C" __attribute__((weak)) void ebpf_fuzz_replay_end();

int main(int argc, char** argv) {
    namespace fs = std::filesystem;
    size_t replayed = 0;
    if (ebpf_fuzz_replay_begin) ebpf_fuzz_replay_begin();
    for (int i = 1; i < argc; ++i) {
        std::vector<fs::path> files;
        std::error_code error;
        if (fs::is_directory(argv[i], error)) {
            for (const auto& entry : fs::directory_iterator(argv[i])) {
                if (entry.is_regular_file()) files.push_back(entry.path());
            }
        } else {
            files.emplace_back(argv[i]);
        }
        for (const auto& file : files) {
            std::ifstream in(file, std::ios::binary);
            if (!in) {
                std::fprintf(stderr, "replay: cannot open %s\n", file.c_str());
                return 1;
            }
            std::vector<uint8_t> bytes{std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>()};
            LLVMFuzzerTestOneInput(bytes.data(), bytes.size());
            ++replayed;
        }
    }
    if (ebpf_fuzz_replay_end) ebpf_fuzz_replay_end();
    std::printf("replayed %zu inputs\n", replayed);
    return replayed > 0 ? 0 : 1;  // an empty corpus means a broken setup
}
