// The bpf_printk / bpf_snprintf format language, as Linux's
// bpf_bprintf_prepare accepts it: %[flags][width][.precision][l|ll]conv with
// conv in d i u x X c p, and %%. Without 'l' a number is the low 32 bits
// (signed for d/i). Arguments are 64-bit numbers. %s is refused: its argument
// would be an address to read from, and a program may pass only numbers
// (the verifier rejects pointer arguments), so it could only read host memory
// the program was never given.
#include <cctype>
#include <cinttypes>
#include <cstdio>
#include <string>

#include "ebpf/runtime.hpp"

namespace ebpf {
namespace {

// Width and precision have at most 3 digits: one conversion prints fewer bytes.
constexpr size_t kMaxConversion = 1024;

bool fail_with(std::string* error, std::string message) {
    if (error) *error = std::move(message);
    return false;
}

}  // namespace

bool format_bpf_string(std::string_view format, std::span<const uint64_t> args, std::string& out,
                       std::string* error) {
    out.clear();
    size_t next_arg = 0;
    for (size_t i = 0; i < format.size(); ++i) {
        char c = format[i];
        if (c != '%') {
            out.push_back(c);
            continue;
        }
        size_t start = i++;
        if (i < format.size() && format[i] == '%') {
            out.push_back('%');
            continue;
        }
        std::string spec = "%";
        while (i < format.size() && std::string_view("-+ 0#").find(format[i]) != std::string_view::npos) spec += format[i++];
        int digits = 0;
        while (i < format.size() && format[i] >= '0' && format[i] <= '9' && digits++ < 3) spec += format[i++];
        if (i < format.size() && format[i] == '.') {
            spec += format[i++];
            digits = 0;
            while (i < format.size() && format[i] >= '0' && format[i] <= '9' && digits++ < 3) spec += format[i++];
        }
        int longs = 0;
        while (i < format.size() && format[i] == 'l' && longs < 2) {
            ++longs;
            ++i;
        }
        if (i >= format.size())
            return fail_with(error, "format: incomplete conversion at offset " + std::to_string(start));
        char conversion = format[i];
        if (conversion == 's')
            return fail_with(error, "format: %s at offset " + std::to_string(start) +
                                        " is not supported (it would read memory at an address the program chose)");
        if (std::string_view("diuxXcp").find(conversion) == std::string_view::npos)
            return fail_with(error, std::string("format: unsupported conversion '%") + conversion + "' at offset " +
                                        std::to_string(start));
        if (conversion == 'p' && i + 1 < format.size() && std::isalnum(static_cast<unsigned char>(format[i + 1])))
            return fail_with(error, "format: %p extensions (%pK, %pI4, ...) are not supported, at offset " +
                                        std::to_string(start));
        if (next_arg >= args.size())
            return fail_with(error, "format: more conversions than arguments (" + std::to_string(args.size()) + ")");
        uint64_t value = args[next_arg++];
        char buffer[kMaxConversion + 64];
        int written = 0;
        switch (conversion) {
        case 'd':
        case 'i': {
            int64_t number = longs ? static_cast<int64_t>(value) : static_cast<int64_t>(static_cast<int32_t>(value));
            written = std::snprintf(buffer, sizeof(buffer), (spec + PRId64).c_str(), number);
            break;
        }
        case 'u':
        case 'x':
        case 'X': {
            uint64_t number = longs ? value : static_cast<uint32_t>(value);
            const char* length = conversion == 'u' ? PRIu64 : conversion == 'x' ? PRIx64 : PRIX64;
            written = std::snprintf(buffer, sizeof(buffer), (spec + length).c_str(), number);
            break;
        }
        case 'c':
            written = std::snprintf(buffer, sizeof(buffer), (spec + "c").c_str(), static_cast<int>(static_cast<uint8_t>(value)));
            break;
        case 'p':
            written = std::snprintf(buffer, sizeof(buffer), "0x%016" PRIx64, value);
            break;
        }
        if (written > 0) out.append(buffer, std::min<size_t>(static_cast<size_t>(written), sizeof(buffer) - 1));
    }
    return true;
}

}  // namespace ebpf
