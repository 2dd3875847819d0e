// bpf_trace_printk, bpf_trace_vprintk (bpf_printk) and bpf_snprintf, all formatting with
// format_bpf_string (trace/format.cpp): numbers only, no %s.
#include <cerrno>
#include <string>

#include "../trace/safe_read.hpp"
#include "../trace/usdt_probes.hpp"
#include "ebpf/runtime.hpp"
#include "helper_registry.hpp"

namespace ebpf::runtime_detail {
namespace {

constexpr size_t kMaxFormat = 1024;  // longest format string we read
constexpr uint64_t kMaxSnprintfArgs = 12;  // Linux MAX_BPRINTF_VARARGS

// The format as the program gave it: fmt_size bytes, stopping at a NUL.
std::string_view bounded_format(uint64_t fmt, uint64_t fmt_size) {
    const auto* text = as_pointer<const char>(fmt);
    size_t length = 0;
    while (length < fmt_size && length < kMaxFormat && text[length] != '\0') ++length;
    return {text, length};
}

// One trace record (and the printk USDT probe); returns its length.
uint64_t print_record(std::string message) {
    while (!message.empty() && message.back() == '\n') message.pop_back();  // one record per call
    trace_write(message);
    if (trace_probes::printk_enabled()) {
        const auto* program = static_cast<const LoadedProgram*>(run_state().runtime);
        trace_probes::fire_printk(program != nullptr ? program->name() : std::string_view(), message);
    }
    return message.size();
}

uint64_t trace_printk(uint64_t fmt, uint64_t fmt_size, uint64_t a1, uint64_t a2, uint64_t a3) {
    uint64_t args[] = {a1, a2, a3};
    std::string message;
    if (!format_bpf_string(bounded_format(fmt, fmt_size), args, message)) return from_errno(-EINVAL);
    return print_record(std::move(message));
}

// bpf_printk with more than three arguments: the arguments are an array of
// u64 (data_size bytes, a multiple of 8, at most 12 of them), as Linux.
uint64_t trace_vprintk(uint64_t fmt, uint64_t fmt_size, uint64_t data, uint64_t data_size, uint64_t) {
    if (data_size % 8 || data_size / 8 > kMaxSnprintfArgs || (data_size && !data)) return from_errno(-EINVAL);
    uint64_t args[kMaxSnprintfArgs] = {};
    if (data_size) std::memcpy(args, as_pointer<const void>(data), data_size);
    std::string message;
    if (!format_bpf_string(bounded_format(fmt, fmt_size), std::span<const uint64_t>(args, data_size / 8), message))
        return from_errno(-EINVAL);
    return print_record(message);
}

// Returns the length of the formatted string plus its NUL (what it needed,
// even when str_size cut it short), as Linux. The verifier counts all
// str_size bytes as written, so every one is: the text, its NUL, then zeros —
// and zeros only when the format or its data is refused.
uint64_t bpf_snprintf(uint64_t str, uint64_t str_size, uint64_t fmt, uint64_t data, uint64_t data_size) {
    if (str_size > 0) std::memset(as_pointer<char>(str), 0, str_size);
    if (data_size % 8 || data_size / 8 > kMaxSnprintfArgs || (data_size && !data)) return from_errno(-EINVAL);
    char format[kMaxFormat];
    // The format is a constant string in a read-only map value: read it safely,
    // up to its NUL.
    size_t length = safe_read_string(fmt, format, sizeof(format));
    if (length == sizeof(format)) return from_errno(-EINVAL);  // no NUL within the limit
    uint64_t args[kMaxSnprintfArgs] = {};
    if (data_size) std::memcpy(args, as_pointer<const void>(data), data_size);
    std::string out;
    if (!format_bpf_string({format, length}, std::span<const uint64_t>(args, data_size / 8), out))
        return from_errno(-EINVAL);
    if (str_size > 0) {
        size_t copy = std::min<size_t>(out.size(), str_size - 1);
        std::memcpy(as_pointer<char>(str), out.data(), copy);
        as_pointer<char>(str)[copy] = '\0';
    }
    return out.size() + 1;
}

}  // namespace

void register_trace_helpers(HelperTable& table) {
    table.set(helper_id::trace_printk, trace_printk);
    table.set(helper_id::snprintf, bpf_snprintf);
    table.set(helper_id::trace_vprintk, trace_vprintk);
}

}  // namespace ebpf::runtime_detail
