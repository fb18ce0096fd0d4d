// A worker thread: its own event loop (Asio) and its own Lua state, in
// which many runs are in flight at once as coroutines.
#pragma once
#include <boost/asio/executor_work_guard.hpp>
#include <boost/asio/io_context.hpp>

#include <functional>
#include <memory>
#include <mutex>
#include <thread>
#include <vector>

#include "engine/executor.hpp"

namespace weft::engine {

class Worker {
 public:
  // `make_executor` is called on the worker's thread with the worker's
  // event loop and a `post` that schedules work on that same thread.
  using MakeExecutor = std::function<std::unique_ptr<Executor>(
      boost::asio::io_context& io, std::function<void(std::function<void()>)> post)>;

  explicit Worker(MakeExecutor make_executor);
  ~Worker();
  Worker(const Worker&) = delete;
  Worker& operator=(const Worker&) = delete;

  // Stops the loop and joins the thread; posting afterwards is harmless
  // (nothing runs). Called by the destructor if not before.
  void stop();

  void start_run(Run run, bool fresh);
  void cancel(const std::string& run_id);
  void release_runs();  // see Executor::release_runs
  void post(std::function<void()> fn);

 private:
  void drain();

  // Work posted from other threads is queued here and handed to the loop
  // in one go: a commit of a hundred writes wakes the worker once, not a
  // hundred times.
  std::mutex inbox_mutex_;
  std::vector<std::function<void()>> inbox_;
  boost::asio::io_context io_;
  boost::asio::executor_work_guard<boost::asio::io_context::executor_type> guard_;
  std::unique_ptr<Executor> executor_;
  std::thread thread_;
};

}  // namespace weft::engine
