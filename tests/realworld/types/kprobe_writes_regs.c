// A kprobe that tries to change the probed function's argument by writing
// struct pt_regs: Linux refuses (the registers are read-only; only
// bpf_override_return may change a result).
#include <linux/bpf.h>
#include <linux/ptrace.h>
#include <bpf/bpf_helpers.h>
#include <bpf/bpf_tracing.h>

SEC("kprobe/do_sys_openat2")
int clobber_arg(struct pt_regs *ctx)
{
    /* Through its address: arm64's PT_REGS_PARM2 is a const lvalue. */
    *(unsigned long *)&PT_REGS_PARM2(ctx) = 0;
    return 0;
}

char LICENSE[] SEC("license") = "GPL";
