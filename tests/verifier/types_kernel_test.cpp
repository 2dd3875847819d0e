// The cases of tests/verifier/types/*.txt through the running kernel's
// verifier: the same bytecode, loaded with BPF_PROG_LOAD as the case's
// program type and attach point, must get the same verdict as ours. Skipped
// (with the reason) where bpf() cannot load programs; BTF-typed types, which
// we refuse on purpose, are not compared.
#include <gtest/gtest.h>
#include <linux/bpf.h>
#include <sys/syscall.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <map>
#include <string>
#include <vector>

#include "case_file.hpp"
#include "ebpf/isa.hpp"

namespace ebpf::testing {
namespace {

// Linux enum bpf_attach_type for the attach points the cases use (the
// expected_attach_type libbpf derives from the section name).
uint32_t expected_attach_type(ProgramType type, const std::string& attach) {
    static const std::map<std::string, uint32_t> kAttach = {
        {"ingress", BPF_CGROUP_INET_INGRESS},  {"egress", BPF_CGROUP_INET_EGRESS},
        {"sock_create", BPF_CGROUP_INET_SOCK_CREATE}, {"sock_release", BPF_CGROUP_INET_SOCK_RELEASE},
        {"post_bind4", BPF_CGROUP_INET4_POST_BIND}, {"post_bind6", BPF_CGROUP_INET6_POST_BIND},
        {"bind4", BPF_CGROUP_INET4_BIND},      {"bind6", BPF_CGROUP_INET6_BIND},
        {"connect4", BPF_CGROUP_INET4_CONNECT}, {"connect6", BPF_CGROUP_INET6_CONNECT},
        {"recvmsg4", BPF_CGROUP_UDP4_RECVMSG}, {"getsockopt", BPF_CGROUP_GETSOCKOPT},
        {"setsockopt", BPF_CGROUP_SETSOCKOPT}, {"stream_parser", BPF_SK_SKB_STREAM_PARSER},
        {"stream_verdict", BPF_SK_SKB_STREAM_VERDICT}};
    if (auto it = kAttach.find(attach); it != kAttach.end()) return it->second;
    switch (type) {  // what libbpf sets for the bare section names
    case ProgramType::cgroup_sock: return BPF_CGROUP_INET_SOCK_CREATE;
    case ProgramType::cgroup_sockopt: return BPF_CGROUP_GETSOCKOPT;
    case ProgramType::cgroup_sock_addr: return BPF_CGROUP_INET4_CONNECT;
    case ProgramType::sk_msg: return BPF_SK_MSG_VERDICT;
    case ProgramType::flow_dissector: return BPF_FLOW_DISSECTOR;
    case ProgramType::cgroup_device: return BPF_CGROUP_DEVICE;
    case ProgramType::cgroup_sysctl: return BPF_CGROUP_SYSCTL;
    case ProgramType::sk_lookup: return BPF_SK_LOOKUP;
    case ProgramType::sk_reuseport: return BPF_SK_REUSEPORT_SELECT;
    case ProgramType::sk_skb: return BPF_SK_SKB_STREAM_VERDICT;
    default: return 0;
    }
}

// Whether the kernel loads the program; errno and log in `why` otherwise.
bool kernel_loads(ProgramType type, const std::string& attach, const std::vector<Instruction>& insns, std::string& why) {
    std::vector<char> log(1 << 16);
    static const char license[] = "GPL";
    union bpf_attr attr;
    std::memset(&attr, 0, sizeof(attr));
    attr.prog_type = static_cast<uint32_t>(type);
    attr.insn_cnt = static_cast<uint32_t>(insns.size());
    attr.insns = reinterpret_cast<uintptr_t>(insns.data());
    attr.license = reinterpret_cast<uintptr_t>(license);
    attr.log_level = 1;
    attr.log_size = static_cast<uint32_t>(log.size());
    attr.log_buf = reinterpret_cast<uintptr_t>(log.data());
    attr.expected_attach_type = expected_attach_type(type, attach);
    const long fd = syscall(SYS_bpf, BPF_PROG_LOAD, &attr, sizeof(attr));
    if (fd >= 0) {
        close(static_cast<int>(fd));
        return true;
    }
    why = std::string(std::strerror(errno)) + ": " + log.data();
    return false;
}

// Why the kernel cannot be asked here ("" when it can).
std::string kernel_unusable() {
    const std::vector<Instruction> insns = assemble("r0 = 0\nexit\n");
    std::string why;
    return kernel_loads(ProgramType::kprobe, "", insns, why) ? "" : "bpf() cannot load a kprobe program here: " + why;
}

class TypesKernelTest : public ::testing::TestWithParam<VerifierCase> {};

TEST_P(TypesKernelTest, SameVerdictAsLinux) {
    const VerifierCase& c = GetParam();
    if (!case_runs_here(c)) GTEST_SKIP() << c.name << ": a case for " << c.arch << " (this build: " << kCaseHostArch << ")";
    static const std::string unusable = kernel_unusable();
    if (!unusable.empty()) GTEST_SKIP() << unusable;
    if (!program_type_info(c.type).unverifiable.empty())
        GTEST_SKIP() << c.name << ": BTF-typed (" << program_type_name(c.type) << "), refused here on purpose";
    std::string why;
    const bool loads = kernel_loads(c.type, c.attach, assemble(c.assembly), why);
    if (c.expect_accept)
        EXPECT_TRUE(loads) << c.file << ": " << c.name << ": we accept it, the kernel rejects it: " << why;
    else
        EXPECT_FALSE(loads) << c.file << ": " << c.name << ": we reject it (" << c.phrase << "), the kernel loads it";
}

std::string case_name(const ::testing::TestParamInfo<VerifierCase>& info) {
    std::string name = info.param.file.substr(0, info.param.file.find('.')) + "_" + info.param.name;
    for (char& ch : name)
        if (!std::isalnum(static_cast<unsigned char>(ch))) ch = '_';
    return name;
}

INSTANTIATE_TEST_SUITE_P(Kernel, TypesKernelTest, ::testing::ValuesIn(load_cases(EBPF_VERIFIER_TYPES_DIR)),
                         case_name);

}  // namespace
}  // namespace ebpf::testing
