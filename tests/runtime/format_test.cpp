// The bpf_printk / bpf_snprintf format language.
#include <gtest/gtest.h>

#include "ebpf/runtime.hpp"

namespace {

std::string format(std::string_view fmt, std::vector<uint64_t> args) {
    std::string out, error;
    EXPECT_TRUE(ebpf::format_bpf_string(fmt, args, out, &error)) << error;
    return out;
}

std::string failure(std::string_view fmt, std::vector<uint64_t> args) {
    std::string out, error;
    EXPECT_FALSE(ebpf::format_bpf_string(fmt, args, out, &error));
    return error;
}

TEST(Format, Conversions) {
    EXPECT_EQ(format("%d %i %u %x", {static_cast<uint64_t>(-5), 0xffffffffu, 7, 255}), "-5 -1 7 ff");
    EXPECT_EQ(format("%ld %lu %lx", {static_cast<uint64_t>(-5), 1ull << 40, 1ull << 40}), "-5 1099511627776 10000000000");
    EXPECT_EQ(format("%lld %llu %llx", {static_cast<uint64_t>(-9), ~0ull, ~0ull}),
              "-9 18446744073709551615 ffffffffffffffff");
    EXPECT_EQ(format("%u", {0x1'0000'0007ull}), "7");  // without l: the low 32 bits
    EXPECT_EQ(format("%c%c 100%%", {'o', 'k'}), "ok 100%");
    EXPECT_EQ(format("%p", {0x1234}), "0x0000000000001234");
    EXPECT_EQ(format("[%5d|%-4x|%05u]", {42, 10, 7}), "[   42|a   |00007]");
}

TEST(Format, StringsAreRefusedBecauseTheirArgumentIsAnAddress) {
    // A program passes only numbers; %s would read host memory at one of them.
    const char* text = "hello";
    EXPECT_NE(failure("<%s>", {reinterpret_cast<uint64_t>(text)}).find("%s at offset 1 is not supported"),
              std::string::npos);
    EXPECT_NE(failure("%d %s", {1, 0}).find("%s at offset 3"), std::string::npos);
}

TEST(Format, WideConversionsAreNotCut) {
    EXPECT_EQ(format("%999d", {1}).size(), 999u);
}

TEST(Format, BadFormatsAreRefused) {
    EXPECT_NE(failure("%n", {1}).find("unsupported conversion '%n'"), std::string::npos);
    EXPECT_NE(failure("%d %d", {1}).find("more conversions than arguments"), std::string::npos);
    EXPECT_NE(failure("abc %", {}).find("incomplete"), std::string::npos);
    EXPECT_NE(failure("%pK", {1}).find("%p extensions"), std::string::npos);
}

}  // namespace
