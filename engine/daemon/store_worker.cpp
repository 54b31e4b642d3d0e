// The store thread's queue.
#include "store_worker.h"

#include <exception>

#include "log.h"

namespace parkd {

StoreWorker::StoreWorker() : thread_([this] { run(); }) {}

StoreWorker::~StoreWorker() { stop(); }

void StoreWorker::stop() {
  {
    std::lock_guard lock(mutex_);
    stopping_ = true;
  }
  changed_.notify_all();
  if (thread_.joinable()) thread_.join();  // what was posted still runs
  std::lock_guard lock(mutex_);
  stopped_ = true;
}

void StoreWorker::post(std::function<void()> job) {
  {
    std::lock_guard lock(mutex_);
    if (stopped_) {
      Log::warn("store", "a store job came after the store thread stopped; dropped");
      return;
    }
    jobs_.push_back(std::move(job));
  }
  changed_.notify_all();
}

void StoreWorker::wait_idle() {
  std::unique_lock lock(mutex_);
  changed_.wait(lock, [this] { return jobs_.empty() && !busy_; });
}

void StoreWorker::run() {
  std::unique_lock lock(mutex_);
  for (;;) {
    changed_.wait(lock, [this] { return stopping_ || !jobs_.empty(); });
    if (jobs_.empty()) return;  // stopping, and nothing left
    std::function<void()> job = std::move(jobs_.front());
    jobs_.pop_front();
    busy_ = true;
    lock.unlock();
    try {
      job();
    } catch (const std::exception& e) {
      Log::error("store", "a store job failed: {}", e.what());
    } catch (...) {
      Log::error("store", "a store job failed with an unknown exception");
    }
    lock.lock();
    busy_ = false;
    changed_.notify_all();
  }
}

}  // namespace parkd
