#include "sessioncontroller.h"

#include <QFileInfo>

namespace ls {

SessionController::SessionController(const ImporterRegistry &registry, QObject *parent)
    : QObject(parent), m_registry(registry), m_queries(new QueryService(this))
{}

SessionController::~SessionController()
{
    if (m_job) {
        m_job->cancel();
        m_job->wait();
    }
    m_edits.clear();
    m_edits.waitIdle();
}

bool SessionController::open(const QString &path, QString *error)
{
    if (m_job) {
        if (error) *error = tr("An import is running; cancel it before opening another session.");
        return false;
    }
    try {
        // Creates or upgrades the file once, read-write; readers then open it read-only.
        Session::open(path);
    } catch (const DbError &e) {
        if (error) *error = e.message();
        return false;
    }
    m_path = QFileInfo(path).absoluteFilePath();
    bump();
    emit opened(m_path);
    return true;
}

void SessionController::close()
{
    if (m_job) {
        m_job->cancel();
        m_job->wait();
        m_job.reset();
    }
    m_path.clear();
    bump();
}

void SessionController::reload()
{
    if (isOpen()) bump();
}

void SessionController::bump()
{
    ++m_generation;
    m_queries->setSession(m_path, m_generation);
    emit changed(m_generation);
}

bool SessionController::startImport(const QStringList &files)
{
    if (m_job || !isOpen() || files.isEmpty()) return false;
    m_job = std::make_unique<ImportJob>(m_path, files, m_registry, m_generation);
    ImportJob *job = m_job.get();
    // Queued: the job emits on its worker thread.
    connect(job, &ImportJob::progress, this, &SessionController::importProgress,
            Qt::QueuedConnection);
    connect(job, &ImportJob::fileFinished, this, &SessionController::importFileFinished,
            Qt::QueuedConnection);
    connect(
        job, &ImportJob::finished, this,
        [this, job](bool cancelled) {
            if (m_job.get() != job) return;
            m_job->wait();
            m_job.reset();
            // The worker wrote through its own connection: readers see a new generation.
            bump();
            emit importFinished(cancelled);
        },
        Qt::QueuedConnection);
    job->start();
    return true;
}

void SessionController::cancelImport()
{
    if (m_job) m_job->cancel();
}

void SessionController::edit(QObject *receiver, std::function<qint64(Session &)> fn,
                             std::function<void(const Answer<qint64> &)> done)
{
    auto a = std::make_shared<Answer<qint64>>();
    a->generation = m_generation;
    QPointer<QObject> target(receiver);
    const auto deliver = [this, a, target, done] {
        if (!target) return;
        done(*a);
        if (a->ok()) emit edited();
    };
    if (!isOpen() || m_job) {
        a->error = m_job ? tr("An import is running; edit the session when it has finished.")
                         : tr("No session is open.");
        QMetaObject::invokeMethod(this, deliver, Qt::QueuedConnection);
        return;
    }
    m_edits.post([this, a, path = m_path, fn = std::move(fn), deliver] {
        try {
            Session s = Session::open(path);
            a->value = fn(s);
        } catch (const DbError &e) {
            a->error = e.message();
        } catch (const std::exception &e) {
            a->error = QString::fromLocal8Bit(e.what());
        }
        QMetaObject::invokeMethod(this, deliver, Qt::QueuedConnection);
    });
}

} // namespace ls
