// One thread for SQLite writes that must not stall the engine's strand: jobs run in the order
// they were posted. A disk that pauses (a WAL checkpoint's fsync can take hundreds of ms here)
// delays the record, never the path from a sensor report to the signs.
#pragma once

#include <condition_variable>
#include <deque>
#include <functional>
#include <mutex>
#include <thread>

namespace parkd {

class StoreWorker {
 public:
  StoreWorker();
  ~StoreWorker();
  StoreWorker(const StoreWorker&) = delete;
  StoreWorker& operator=(const StoreWorker&) = delete;

  // A job that throws is logged and the next one runs: a store thread never takes parkd down.
  void post(std::function<void()> job);
  // Blocks until every job posted so far has run (at shut-down).
  void wait_idle();
  // Runs what was posted, then ends the thread; later posts are dropped (logged). At shut-down,
  // before whatever the jobs refer to is destroyed; the destructor does it too.
  void stop();

 private:
  void run();

  std::mutex mutex_;
  std::condition_variable changed_;
  std::deque<std::function<void()>> jobs_;
  bool busy_ = false;
  bool stopping_ = false;
  bool stopped_ = false;  // the thread has ended
  std::thread thread_;
};

}  // namespace parkd
