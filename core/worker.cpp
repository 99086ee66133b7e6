#include "worker.h"

#include <QLoggingCategory>

#include <pthread.h>

namespace ls {

Q_LOGGING_CATEGORY(lcWorker, "lanescope.worker")

Worker::Worker(std::string name) : m_name(std::move(name))
{
    m_thread = std::thread([this] { loop(); });
}

Worker::~Worker()
{
    {
        std::lock_guard lock(m_mutex);
        m_stop = true;
        m_queue.clear();
    }
    m_wake.notify_all();
    m_thread.join();
}

void Worker::post(std::function<void()> task)
{
    {
        std::lock_guard lock(m_mutex);
        m_queue.push_back(std::move(task));
    }
    m_wake.notify_one();
}

int Worker::clear()
{
    std::lock_guard lock(m_mutex);
    const int n = int(m_queue.size());
    m_queue.clear();
    if (!m_busy) m_idle.notify_all();
    return n;
}

bool Worker::waitIdle(int ms)
{
    std::unique_lock lock(m_mutex);
    const auto idle = [this] { return !m_busy && m_queue.empty(); };
    if (ms < 0) {
        m_idle.wait(lock, idle);
        return true;
    }
    return m_idle.wait_for(lock, std::chrono::milliseconds(ms), idle);
}

bool Worker::isIdle() const
{
    std::lock_guard lock(m_mutex);
    return !m_busy && m_queue.empty();
}

void Worker::loop()
{
    // Named for debuggers and `top -H` (at most 15 characters).
    pthread_setname_np(pthread_self(), m_name.substr(0, 15).c_str());
    std::unique_lock lock(m_mutex);
    for (;;) {
        m_wake.wait(lock, [this] { return m_stop || !m_queue.empty(); });
        if (m_stop) return;
        std::function<void()> task = std::move(m_queue.front());
        m_queue.pop_front();
        m_busy = true;
        lock.unlock();
        try {
            task();
        } catch (const std::exception &e) {
            // A task reports its own errors; this is a bug, not a user error.
            qCCritical(lcWorker) << m_name.c_str() << "task threw:" << e.what();
        }
        task = nullptr; // its captures die on this thread, before idle is signalled
        lock.lock();
        m_busy = false;
        if (m_queue.empty()) m_idle.notify_all();
    }
}

} // namespace ls
