// Metrics, the build gate and the rate limiter (service_state.hpp).
#include "service_state.hpp"

#include <fmt/format.h>

namespace ebpf::service {

void Metrics::count_build(const std::string& outcome, double seconds) {
    std::lock_guard guard(mutex_);
    outcomes_[outcome] += 1;
    if (seconds < 0) return;  // refused before building: no duration
    for (size_t i = 0; i < kBuckets.size(); ++i)
        if (seconds <= kBuckets[i]) bucket_counts_[i] += 1;
    duration_count_ += 1;
    duration_sum_ += seconds;
}

void Metrics::set_queue(uint64_t waiting, uint64_t running) {
    std::lock_guard guard(mutex_);
    waiting_ = waiting;
    running_ = running;
}

std::string Metrics::text() const {
    std::lock_guard guard(mutex_);
    std::string out;
    out += "# HELP ebpf_serve_builds_total Build requests by outcome.\n# TYPE ebpf_serve_builds_total counter\n";
    for (const char* outcome : {"signed", "rejected", "invalid", "failed", "unauthenticated", "forbidden", "throttled"})
        out += fmt::format("ebpf_serve_builds_total{{outcome=\"{}\"}} {}\n", outcome,
                           outcomes_.contains(outcome) ? outcomes_.at(outcome) : 0);
    out += "# HELP ebpf_serve_build_duration_seconds Time from request to answer of builds that ran.\n"
           "# TYPE ebpf_serve_build_duration_seconds histogram\n";
    for (size_t i = 0; i < kBuckets.size(); ++i)
        out += fmt::format("ebpf_serve_build_duration_seconds_bucket{{le=\"{}\"}} {}\n", kBuckets[i], bucket_counts_[i]);
    out += fmt::format("ebpf_serve_build_duration_seconds_bucket{{le=\"+Inf\"}} {}\n", duration_count_);
    out += fmt::format("ebpf_serve_build_duration_seconds_sum {}\n", duration_sum_);
    out += fmt::format("ebpf_serve_build_duration_seconds_count {}\n", duration_count_);
    out += "# HELP ebpf_serve_queue_depth Builds waiting for a slot.\n# TYPE ebpf_serve_queue_depth gauge\n";
    out += fmt::format("ebpf_serve_queue_depth {}\n", waiting_);
    out += "# HELP ebpf_serve_builds_running Builds running now.\n# TYPE ebpf_serve_builds_running gauge\n";
    out += fmt::format("ebpf_serve_builds_running {}\n", running_);
    return out;
}

bool BuildGate::enter() {
    std::unique_lock lock(mutex_);
    if (running_ + waiting_ >= max_running_ + max_queued_) return false;
    ++waiting_;
    metrics_.set_queue(waiting_, running_);
    slot_free_.wait(lock, [&] { return running_ < max_running_; });
    --waiting_;
    ++running_;
    metrics_.set_queue(waiting_, running_);
    return true;
}

void BuildGate::leave() {
    {
        std::lock_guard guard(mutex_);
        --running_;
        metrics_.set_queue(waiting_, running_);
    }
    slot_free_.notify_one();
}

bool RateLimiter::allow(const std::string& identity) {
    if (per_minute_ <= 0) return true;
    std::lock_guard guard(mutex_);
    const auto now = std::chrono::steady_clock::now();
    auto [it, inserted] = buckets_.try_emplace(identity, Bucket{static_cast<double>(burst_), now});
    Bucket& bucket = it->second;
    const double minutes = std::chrono::duration<double>(now - bucket.last).count() / 60.0;
    bucket.tokens = std::min<double>(burst_, bucket.tokens + minutes * per_minute_);
    bucket.last = now;
    if (bucket.tokens < 1) return false;
    bucket.tokens -= 1;
    return true;
}

}  // namespace ebpf::service
