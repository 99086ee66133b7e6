#include "capture.h"

#include "session.h"

#include <QDir>
#include <QFile>
#include <QFileInfo>
#include <QNetworkAccessManager>
#include <QNetworkReply>
#include <QNetworkRequest>

#include <cstdio>
#include <filesystem>

namespace ls {

QUrl captureBaseUrl(const QString &given, QString *error)
{
    QString text = given.trimmed();
    if (!text.contains(QLatin1String("://"))) text.prepend(QLatin1String("http://"));
    QUrl u(text, QUrl::StrictMode);
    if (!u.isValid()) {
        *error = QStringLiteral("'%1' is not a URL").arg(given);
        return {};
    }
    if (u.scheme() != QLatin1String("http") && u.scheme() != QLatin1String("https")) {
        *error = QStringLiteral("only http and https are captured from, not %1").arg(u.scheme());
        return {};
    }
    if (u.host().isEmpty()) {
        *error = QStringLiteral("'%1' names no host").arg(given);
        return {};
    }
    // A base given down to /debug/pprof is the same service.
    QString path = u.path();
    if (path.endsWith(QLatin1Char('/'))) path.chop(1);
    if (path.endsWith(QLatin1String("/debug/pprof"))) path.chop(int(sizeof("/debug/pprof")) - 1);
    u.setPath(path);
    u.setQuery(QString());
    u.setFragment(QString());
    return u;
}

CaptureJob::CaptureJob(CaptureOptions options, QObject *parent)
    : QObject(parent), m_opt(std::move(options))
{
    m_tick.setInterval(1000);
    connect(&m_tick, &QTimer::timeout, this, [this] {
        const int left = std::max(0, m_opt.seconds - int(m_clock.elapsed() / 1000));
        emit progress(left, m_secondStage ? tr("fetching the goroutine dump and profiles")
                                          : tr("recording the execution trace and CPU profile"));
    });
}

CaptureJob::~CaptureJob()
{
    m_done = true; // no signal from a job being destroyed
    const auto replies = m_pending.keys();
    m_pending.clear();
    for (QNetworkReply *r : replies)
        if (!r->isFinished()) r->abort();
}

QStringList CaptureJob::files() const
{
    // The logs first: the execution trace's clock is placed by the request
    // ids it shares with them.
    QStringList logs, rest;
    for (const CaptureArtefact &a : m_artefacts)
        if (!a.file.isEmpty()) (a.log ? logs : rest) << a.file;
    return logs + rest;
}

void CaptureJob::start()
{
    QDir().mkpath(m_opt.outDir);
    m_net = new QNetworkAccessManager(this);
    // Redirects stay on the service's own origin; never to another host.
    m_net->setRedirectPolicy(QNetworkRequest::SameOriginRedirectPolicy);
    connect(m_net, &QNetworkAccessManager::finished, this, &CaptureJob::onReply);
    for (const QString &log : m_opt.logs)
        m_logStart.insert(log, QFileInfo(log).exists() ? QFileInfo(log).size() : 0);
    const int windowMs = (m_opt.seconds + m_opt.slackSeconds) * 1000;
    const QString secs = QString::number(m_opt.seconds);
    fetch(QStringLiteral("trace"), QStringLiteral("trace?seconds=") + secs, true,
          QStringLiteral("trace.out"), windowMs);
    fetch(QStringLiteral("cpu"), QStringLiteral("profile?seconds=") + secs, true,
          QStringLiteral("cpu.pprof"), windowMs);
    m_clock.start();
    m_tick.start();
    emit progress(m_opt.seconds, tr("recording the execution trace and CPU profile"));
}

void CaptureJob::fetch(const QString &name, const QString &path, bool required,
                       const QString &fileName, int timeoutMs)
{
    QUrl u = m_opt.base;
    const qsizetype q = path.indexOf(QLatin1Char('?'));
    u.setPath(m_opt.base.path() + QStringLiteral("/debug/pprof/") + (q < 0 ? path : path.left(q)));
    if (q >= 0) u.setQuery(path.mid(q + 1));
    QNetworkRequest req(u);
    req.setTransferTimeout(timeoutMs);
    req.setHeader(QNetworkRequest::UserAgentHeader, QStringLiteral("lanescope-capture"));
    CaptureArtefact a;
    a.name = name;
    a.required = required;
    a.file = QDir(m_opt.outDir).filePath(fileName); // cleared if it does not arrive
    m_artefacts.push_back(a);
    m_pending.insert(m_net->get(req), m_artefacts.size() - 1);
}

QString CaptureJob::describe(QNetworkReply *reply, const QByteArray &body) const
{
    const QString where = reply->request().url().toString(QUrl::RemoveUserInfo);
    const int status = reply->attribute(QNetworkRequest::HttpStatusCodeAttribute).toInt();
    const QString contentType = reply->header(QNetworkRequest::ContentTypeHeader).toString();
    const QByteArray head = body.left(512).trimmed().toLower();
    bool lengthKnown = false;
    const qint64 length = reply->header(QNetworkRequest::ContentLengthHeader).toLongLong(&lengthKnown);
    const bool shortBody = lengthKnown && body.size() < length;
    switch (shortBody ? QNetworkReply::NoError : reply->error()) {
    case QNetworkReply::NoError:
        break;
    case QNetworkReply::ConnectionRefusedError:
        return QStringLiteral("connection refused by %1:%2: is the service running, and is this "
                              "the address it serves net/http/pprof on?")
            .arg(m_opt.base.host())
            .arg(m_opt.base.port(m_opt.base.scheme() == QLatin1String("https") ? 443 : 80));
    case QNetworkReply::HostNotFoundError:
        return QStringLiteral("host %1 not found").arg(m_opt.base.host());
    case QNetworkReply::OperationCanceledError:
    case QNetworkReply::TimeoutError:
        return m_cancelled ? QStringLiteral("cancelled")
                           : QStringLiteral("%1: no complete answer within %2 s (timed out)")
                                 .arg(where)
                                 .arg(reply->request().transferTimeout() / 1000);
    case QNetworkReply::InsecureRedirectError:
    case QNetworkReply::TooManyRedirectsError:
        return QStringLiteral("%1 redirects elsewhere; only redirects within %2 are followed")
            .arg(where, m_opt.base.authority());
    case QNetworkReply::ContentNotFoundError:
        return QStringLiteral("%1 answered 404: net/http/pprof is not served there (import _ "
                              "\"net/http/pprof\" on this server's mux, or give its address)")
            .arg(where);
    default:
        if (status >= 500 && (body.contains("already") || body.contains("in use")))
            return QStringLiteral("%1 is busy: %2 (another trace or profile is being taken; try "
                                  "again when it ends)")
                .arg(where, QString::fromUtf8(body.left(200)).trimmed());
        if (status > 0)
            return QStringLiteral("%1 answered HTTP %2: %3")
                .arg(where)
                .arg(status)
                .arg(QString::fromUtf8(body.left(200)).trimmed());
        return QStringLiteral("%1: %2").arg(where, reply->errorString());
    }
    if (status != 200 && status != 0)
        return QStringLiteral("%1 answered HTTP %2").arg(where).arg(status);
    if (shortBody)
        return QStringLiteral("%1: the connection closed after %2 of %3 bytes (cut)")
            .arg(where)
            .arg(body.size())
            .arg(length);
    if (contentType.startsWith(QLatin1String("text/html")) || head.startsWith("<!doctype") ||
        head.startsWith("<html"))
        return QStringLiteral("%1 sent an HTML page, not a profile (a proxy's or a login page?)")
            .arg(where);
    if (body.isEmpty()) return QStringLiteral("%1 sent nothing").arg(where);
    return QString();
}

void CaptureJob::onReply(QNetworkReply *reply)
{
    reply->deleteLater();
    const auto it = m_pending.find(reply);
    if (it == m_pending.end()) return;
    CaptureArtefact &a = m_artefacts[it.value()];
    m_pending.erase(it);
    const QByteArray body = reply->readAll();
    a.error = describe(reply, body);
    a.bytes = body.size();
    if (a.error.isEmpty()) {
        QFile f(a.file);
        if (!f.open(QIODevice::WriteOnly | QIODevice::Truncate) || f.write(body) != body.size())
            a.error = QStringLiteral("cannot write %1: %2").arg(a.file, f.errorString());
    }
    if (!a.error.isEmpty()) {
        QFile::remove(a.file);
        a.file.clear();
        if (a.required && m_firstError.isEmpty()) {
            // The capture has failed: stop what is still running.
            m_firstError = a.error;
            cancel();
            return;
        }
    }
    if (m_pending.isEmpty()) {
        if (!m_secondStage && !m_cancelled)
            afterWindow();
        else
            finish();
    }
}

void CaptureJob::afterWindow()
{
    m_secondStage = true;
    const int ms = m_opt.slackSeconds * 1000;
    fetch(QStringLiteral("goroutine"), QStringLiteral("goroutine?debug=2"), false,
          QStringLiteral("goroutines.txt"), ms);
    fetch(QStringLiteral("heap"), QStringLiteral("heap"), false, QStringLiteral("heap.pprof"), ms);
    fetch(QStringLiteral("mutex"), QStringLiteral("mutex"), false, QStringLiteral("mutex.pprof"), ms);
    fetch(QStringLiteral("block"), QStringLiteral("block"), false, QStringLiteral("block.pprof"), ms);
    // What the service logged during the window.
    for (const QString &log : m_opt.logs) {
        CaptureArtefact a;
        a.name = QFileInfo(log).fileName();
        a.log = true;
        QFile in(log);
        if (!in.open(QIODevice::ReadOnly)) {
            a.error = QStringLiteral("cannot read %1: %2").arg(log, in.errorString());
            m_artefacts.push_back(a);
            continue;
        }
        qint64 from = m_logStart.value(log);
        if (in.size() < from) from = 0; // rotated or truncated meanwhile: all of it
        in.seek(from);
        const QByteArray part = in.readAll();
        a.bytes = part.size();
        a.file = QDir(m_opt.outDir).filePath(QFileInfo(log).fileName());
        QFile out(a.file);
        if (part.isEmpty() || !out.open(QIODevice::WriteOnly | QIODevice::Truncate) ||
            out.write(part) != part.size()) {
            a.error = part.isEmpty() ? QStringLiteral("%1: nothing was logged during the window")
                                           .arg(log)
                                     : QStringLiteral("cannot write %1").arg(a.file);
            a.file.clear();
        }
        m_artefacts.push_back(a);
    }
}

void CaptureJob::finish()
{
    if (m_done) return;
    m_done = true;
    m_tick.stop();
    if (!m_firstError.isEmpty()) {
        emit finished(false, m_firstError);
        return;
    }
    for (const CaptureArtefact &a : m_artefacts)
        if (a.required && a.file.isEmpty()) {
            emit finished(false, a.error.isEmpty() ? QStringLiteral("%1 missing").arg(a.name)
                                                   : a.error);
            return;
        }
    emit finished(true, QString());
}

void CaptureJob::cancel()
{
    if (m_done) return;
    m_cancelled = true;
    if (m_firstError.isEmpty()) m_firstError = QStringLiteral("cancelled");
    const auto pending = m_pending;
    m_pending.clear(); // their answers no longer count
    for (auto it = pending.begin(); it != pending.end(); ++it) {
        CaptureArtefact &a = m_artefacts[it.value()];
        a.file.clear();
        if (a.error.isEmpty()) a.error = QStringLiteral("cancelled");
        // Aborted later, on their own turn of the event loop: aborting a
        // reply inside another's error handling upsets Qt's HTTP thread.
        QTimer::singleShot(0, it.key(), [r = it.key()] {
            if (!r->isFinished()) r->abort();
        });
    }
    finish();
}

QStringList CaptureJob::requiredFiles() const
{
    QStringList out;
    for (const CaptureArtefact &a : m_artefacts)
        if (a.required && !a.file.isEmpty()) out << a.file;
    return out;
}

bool commitCapture(const QString &sessionPath, const QStringList &files,
                   const ImporterRegistry &registry, QList<ImportResult> *results, QString *error,
                   const QStringList &whole)
{
    const QString tmp = sessionPath + QStringLiteral(".capture-tmp");
    for (const char *suffix : {"", "-wal", "-shm"})
        QFile::remove(tmp + QLatin1String(suffix));
    if (QFileInfo::exists(sessionPath)) {
        {
            // Fold any write-ahead log into the file before copying it.
            Session s = Session::open(sessionPath);
            checkpointSession(s.db());
        }
        if (!QFile::copy(sessionPath, tmp)) {
            *error = QStringLiteral("cannot copy %1 to %2").arg(sessionPath, tmp);
            return false;
        }
    }
    bool ok = true;
    {
        Session s = Session::open(tmp);
        for (const QString &f : files) {
            ImportResult r = importFile(s, f, registry);
            if (!r.ok && ok) {
                ok = false;
                *error = r.error;
            }
            // A trace or profile the service cut short (its body was whole
            // as HTTP goes, its data not) is a failed capture, not a warning.
            if (ok && whole.contains(f))
                for (const DiagnosticInfo &d : r.diagnostics)
                    if (d.severity == Severity::Error) {
                        ok = false;
                        *error = QStringLiteral("%1 is incomplete: %2 (%3)")
                                     .arg(QFileInfo(f).fileName(), d.message, QString::fromLatin1(d.code));
                        break;
                    }
            results->append(r);
            if (!ok) break;
        }
        if (ok) checkpointSession(s.db());
    }
    if (!ok) {
        for (const char *suffix : {"", "-wal", "-shm"})
            QFile::remove(tmp + QLatin1String(suffix));
        return false;
    }
    std::error_code ec;
    std::filesystem::rename(tmp.toStdString(), sessionPath.toStdString(), ec);
    for (const char *suffix : {"-wal", "-shm"})
        QFile::remove(tmp + QLatin1String(suffix));
    if (ec) {
        *error = QStringLiteral("cannot replace %1: %2")
                     .arg(sessionPath, QString::fromStdString(ec.message()));
        return false;
    }
    return true;
}

} // namespace ls
