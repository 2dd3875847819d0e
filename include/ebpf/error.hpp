// The one error type of ebpf-native. The library never prints or exits:
// every failure travels as an ebpf::Error whose message a user can act on
// ("where: what"), and the tools decide how to show it.
#pragma once

#include <stdexcept>
#include <string>

namespace ebpf {

class Error : public std::runtime_error {
public:
    using std::runtime_error::runtime_error;
};

}  // namespace ebpf
