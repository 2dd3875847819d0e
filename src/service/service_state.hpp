// The service's shared state besides HTTP: metrics, the build queue and the
// per-identity rate limiter. Each is small and locked on its own.
#pragma once

#include <array>
#include <chrono>
#include <condition_variable>
#include <cstdint>
#include <map>
#include <mutex>
#include <string>

namespace ebpf::service {

// Prometheus text exposition (version 0.0.4) of what /metrics reports.
class Metrics {
public:
    void count_build(const std::string& outcome, double seconds);
    void set_queue(uint64_t waiting, uint64_t running);
    std::string text() const;

private:
    static constexpr std::array<double, 11> kBuckets = {0.05, 0.1, 0.25, 0.5, 1, 2, 5, 10, 30, 60, 120};
    mutable std::mutex mutex_;
    std::map<std::string, uint64_t> outcomes_;
    std::array<uint64_t, kBuckets.size()> bucket_counts_{};
    uint64_t duration_count_ = 0;
    double duration_sum_ = 0;
    uint64_t waiting_ = 0;
    uint64_t running_ = 0;
};

// At most `running` builds at once and `queued` waiting for a slot; a
// request beyond both is refused at once (429) rather than waiting unbounded.
class BuildGate {
public:
    BuildGate(unsigned running, unsigned queued, Metrics& metrics)
        : max_running_(running), max_queued_(queued), metrics_(metrics) {}
    // False when the queue is full; otherwise waits for a slot.
    bool enter();
    void leave();

private:
    std::mutex mutex_;
    std::condition_variable slot_free_;
    unsigned max_running_, max_queued_;
    unsigned running_ = 0, waiting_ = 0;
    Metrics& metrics_;
};

// A token bucket per identity: `per_minute` builds on average, `burst` at once.
class RateLimiter {
public:
    RateLimiter(double per_minute, unsigned burst) : per_minute_(per_minute), burst_(burst) {}
    // True when `identity` may build now (and takes a token).
    bool allow(const std::string& identity);

private:
    struct Bucket {
        double tokens;
        std::chrono::steady_clock::time_point last;
    };
    std::mutex mutex_;
    double per_minute_;
    unsigned burst_;
    std::map<std::string, Bucket> buckets_;
};

}  // namespace ebpf::service
