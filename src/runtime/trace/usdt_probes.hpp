// USDT probes (<sys/sdt.h>): bpf_printk output and program runs, for the
// system's tracers (perf, bpftrace, SystemTap). Provider "ebpf_native":
//   printk(prog_name, message)    every bpf_printk record (all three modes:
//                                 native modules call the runtime's helper)
//   prog_run(prog_name, ret, ns)  every LoadedProgram::run that returns, with
//                                 its result and wall time (tail calls included)
// Each probe has a semaphore that the tracer increments while attached; the
// runtime reads it first, so with nobody listening a probe costs one load and
// a not-taken branch, and no clock is read and no argument is prepared.
// docs/tracing.md shows how to attach.
#pragma once

#include <cstdint>
#include <string_view>

extern "C" {
// Defined in usdt_probes.cpp (section .probes, as dtrace -G makes them);
// nonzero while a tracer is attached to the probe.
extern volatile unsigned short ebpf_native_printk_semaphore;
extern volatile unsigned short ebpf_native_prog_run_semaphore;
}

namespace ebpf::trace_probes {

inline bool printk_enabled() {
    return ebpf_native_printk_semaphore != 0;
}
inline bool prog_run_enabled() {
    return ebpf_native_prog_run_semaphore != 0;
}

// Fire the probes; call only when enabled. Strings are copied to
// NUL-terminated buffers here, so the tracer reads C strings.
void fire_printk(std::string_view program, std::string_view message);
void fire_prog_run(std::string_view program, uint64_t result, uint64_t nanoseconds);

// The program a thread runs, for printk: LoadedProgram::run keeps it in
// run_state().runtime (a const LoadedProgram*, null outside a run, e.g. for an
// engine a test runs directly); the helper reads its name from there.

// CLOCK_MONOTONIC in nanoseconds (for prog_run's duration).
uint64_t monotonic_ns();

}  // namespace ebpf::trace_probes
