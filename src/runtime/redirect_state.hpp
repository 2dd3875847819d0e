// The redirect helpers' side of redirect_state.cpp (internal).
#pragma once

#include "ebpf/runtime.hpp"

namespace ebpf::runtime_detail {

// Clones one thread may hold between two take_cloned_frames() calls.
inline constexpr size_t kMaxClonedFrames = 1024;

// The redirect a helper sets in this run (sets redirect_pending).
RedirectTarget& redirect_slot();
// True when this thread's slot may hold a redirect: every outermost run
// clears it then (clear_redirect), one TLS load otherwise.
extern constinit thread_local bool redirect_pending;
void clear_redirect();
void add_cloned_frame(ClonedFrame frame);
bool cloned_frames_full();

}  // namespace ebpf::runtime_detail
