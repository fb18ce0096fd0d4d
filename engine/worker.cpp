// Worker threads (see worker.hpp).
#include "engine/worker.hpp"

#include <pthread.h>

#include <boost/asio/post.hpp>
#include <future>

namespace weft::engine {

Worker::Worker(MakeExecutor make_executor) : guard_(boost::asio::make_work_guard(io_)) {
  std::promise<void> ready;
  thread_ = std::thread([this, &make_executor, &ready] {
    pthread_setname_np(pthread_self(), "weft-worker");
    executor_ = make_executor(io_, [this](std::function<void()> fn) { post(std::move(fn)); });
    ready.set_value();
    io_.run();
    executor_.reset();  // the Lua state dies on the thread that used it
  });
  ready.get_future().wait();
}

Worker::~Worker() { stop(); }

void Worker::stop() {
  if (!thread_.joinable()) return;
  guard_.reset();
  io_.stop();
  thread_.join();
}

void Worker::post(std::function<void()> fn) {
  bool first;
  {
    std::lock_guard lock(inbox_mutex_);
    first = inbox_.empty();
    inbox_.push_back(std::move(fn));
  }
  if (first) boost::asio::post(io_, [this] { drain(); });
}

void Worker::drain() {
  std::vector<std::function<void()>> batch;
  {
    std::lock_guard lock(inbox_mutex_);
    batch.swap(inbox_);
  }
  for (auto& fn : batch) fn();
}

void Worker::start_run(Run run, bool fresh) {
  post([this, run = std::move(run), fresh]() mutable { executor_->start(std::move(run), fresh); });
}

void Worker::release_runs() {
  post([this] { executor_->release_runs(); });
}

void Worker::cancel(const std::string& run_id) {
  post([this, run_id] { executor_->cancel(run_id); });
}

}  // namespace weft::engine
