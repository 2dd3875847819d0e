// bpf_printk → the shared-memory trace buffer, read in this process and
// from a second process (fork), with lost records counted when a reader falls
// behind.
#include <gtest/gtest.h>
#include <sys/wait.h>
#include <unistd.h>

#include <chrono>
#include <thread>

#include "test_support.hpp"

using namespace runtime_test;

namespace {

TEST(Trace, PrintkReachesTheTraceBuffer) {
    ebpf::TraceReader reader(ebpf::trace_buffer_path(), /*start_at_end=*/true);
    auto object = load("runtime_helpers");
    uint8_t buffer[3] = {};
    EXPECT_EQ(object->program("hook/printk").run(buffer, 3), 0u);
    auto records = reader.poll();
    ASSERT_EQ(records.size(), 2u);
    EXPECT_EQ(records[0].message, "runtime printk -5 7 ff");
    EXPECT_EQ(records[1].message, "len=3 char=z pct=%");
    EXPECT_EQ(records[0].pid, static_cast<uint32_t>(getpid()));
    EXPECT_EQ(records[1].sequence, records[0].sequence + 1);
    EXPECT_TRUE(reader.poll().empty());
}

TEST(Trace, ASecondProcessReadsWhatARunningProgramPrints) {
    auto object = load("global_data");  // hook/greeting: bpf_printk("greeting for %llu bytes", len)
    int ready[2], done[2];
    ASSERT_EQ(pipe(ready), 0);
    ASSERT_EQ(pipe(done), 0);
    pid_t child = fork();
    ASSERT_GE(child, 0);
    if (child == 0) {
        // The reader process: sees the records written after it started.
        ebpf::TraceReader reader(ebpf::trace_buffer_path(), true);
        char c = 'r';
        if (write(ready[1], &c, 1) != 1) _exit(3);
        if (read(done[0], &c, 1) != 1) _exit(4);
        auto records = reader.poll();
        bool ok = records.size() == 5;
        for (size_t i = 0; ok && i < records.size(); ++i)
            ok = records[i].message == "greeting for " + std::to_string(i + 1) + " bytes";
        _exit(ok ? 0 : 1);
    }
    char c;
    ASSERT_EQ(read(ready[0], &c, 1), 1);
    std::vector<uint8_t> buffer(8);
    for (size_t len = 1; len <= 5; ++len) object->program("hook/greeting").run(buffer.data(), len);
    ASSERT_EQ(write(done[1], &c, 1), 1);
    int status = 0;
    ASSERT_EQ(waitpid(child, &status, 0), child);
    ASSERT_TRUE(WIFEXITED(status));
    EXPECT_EQ(WEXITSTATUS(status), 0) << "the reader process did not see the 5 records in order";
}

TEST(Trace, ASlowReaderCountsWhatWasOverwritten) {
    ebpf::TraceReader reader(ebpf::trace_buffer_path(), true);
    for (int i = 0; i < 5000; ++i) ebpf::trace_write("line " + std::to_string(i));
    auto records = reader.poll();
    // The ring keeps the newest 4096 records; the 904 before are lost.
    EXPECT_EQ(reader.lost() + records.size(), 5000u);
    EXPECT_GE(reader.lost(), 5000u - 4096u);
    ASSERT_FALSE(records.empty());
    EXPECT_EQ(records.back().message, "line 4999");
    // Messages longer than a record are cut, never spilled.
    ebpf::trace_write(std::string(1000, 'x'));
    auto longer = reader.poll();
    ASSERT_EQ(longer.size(), 1u);
    EXPECT_EQ(longer[0].message, std::string(224, 'x'));
}

TEST(Trace, ConcurrentWritersNeverBlockAndReadersSeeWholeRecords) {
    ebpf::TraceReader reader(ebpf::trace_buffer_path(), true);
    std::vector<std::thread> writers;
    for (int t = 0; t < 4; ++t)
        writers.emplace_back([t] {
            for (int i = 0; i < 2000; ++i) ebpf::trace_write("writer " + std::to_string(t) + " message " + std::to_string(i));
        });
    size_t seen = 0;
    for (int polls = 0; polls < 50; ++polls) {
        for (auto& record : reader.poll()) {
            EXPECT_EQ(record.message.rfind("writer ", 0), 0u) << record.message;
            ++seen;
        }
    }
    for (auto& w : writers) w.join();
    // Records whose writer dropped them (slot busy) are given up after a while.
    auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(5);
    while (seen + reader.lost() < 8000u && std::chrono::steady_clock::now() < deadline) {
        seen += reader.poll().size();
        std::this_thread::sleep_for(std::chrono::milliseconds(20));
    }
    EXPECT_EQ(seen + reader.lost(), 8000u);
    EXPECT_GT(seen, 0u);
}

}  // namespace
