#pragma once
// Worker: the one way Lanescope runs background work — a thread of its own
// that runs posted tasks one after another, in order. Imports, the timeline
// model load and the query service each own one; what a task needs on its
// thread (an SQLite connection) it keeps there, since a connection is never
// shared across threads. Tasks hand results back to the GUI thread
// themselves (a queued call); a long task polls its own cancel flag.
//
// Inside a computation, data-parallel helpers (the timeline's level build)
// and an import's writer and hashing threads are part of that computation,
// not background jobs; they end before the task does.

#include <condition_variable>
#include <deque>
#include <functional>
#include <mutex>
#include <string>
#include <thread>

namespace ls {

class Worker
{
public:
    explicit Worker(std::string name);
    // Drops what is queued and waits for the running task.
    ~Worker();
    Worker(const Worker &) = delete;
    Worker &operator=(const Worker &) = delete;

    void post(std::function<void()> task);
    // Drops the queued tasks (the running one goes on); returns how many.
    int clear();
    // Waits until nothing runs or waits; false when `ms` passed first (-1: forever).
    bool waitIdle(int ms = -1);
    bool isIdle() const;
    const std::string &name() const { return m_name; }

private:
    void loop();
    std::string m_name;
    mutable std::mutex m_mutex;
    std::condition_variable m_wake, m_idle;
    std::deque<std::function<void()>> m_queue;
    bool m_busy = false, m_stop = false;
    std::thread m_thread;
};

} // namespace ls
