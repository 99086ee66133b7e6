#include "pipeline.h"

#include "analysis.h"
#include "batchwriter.h"
#include "correlate.h"
#include "schema.h"
#include "sha256.h"
#include "timeline.h"

#include <QDateTime>
#include <QDir>
#include <QDirIterator>
#include <QElapsedTimer>
#include <QFile>
#include <QFileInfo>
#include <QLoggingCategory>
#include <QThread>

#ifdef __linux__
#include <pthread.h>
#include <sched.h>
#endif

#include <atomic>
#include <map>
#include <thread>

Q_LOGGING_CATEGORY(lcImport, "lanescope.import")

namespace ls {

const char *severityName(Severity s)
{
    switch (s) {
    case Severity::Info:
        return "info";
    case Severity::Warning:
        return "warning";
    case Severity::Error:
        return "error";
    }
    return "warning";
}

QString ImportError::message(const QString &file) const
{
    QString pos;
    if (m_line >= 0)
        pos = QStringLiteral("line %1: ").arg(m_line);
    else if (m_offset >= 0)
        pos = QStringLiteral("offset %1: ").arg(m_offset);
    return QStringLiteral("%1: %2%3").arg(file, pos, m_reason);
}

void ImporterRegistry::add(std::unique_ptr<Importer> imp)
{
    m_importers.push_back(std::move(imp));
}

const Importer *ImporterRegistry::byId(QByteArrayView id) const
{
    for (const auto &imp : m_importers)
        if (imp->id() == id) return imp.get();
    return nullptr;
}

const Importer *ImporterRegistry::pick(const SniffInput &in) const
{
    const Importer *best = nullptr;
    int bestScore = 0;
    bool bestExt = false;
    const QString name = in.fileName.toLower();
    for (const auto &imp : m_importers) {
        const int s = imp->sniff(in);
        if (s <= 0 || s < bestScore) continue;
        bool ext = false;
        for (const QString &e : imp->extensions())
            ext = ext || name.endsWith(QLatin1Char('.') + e) ||
                  name.endsWith(QLatin1Char('.') + e + QLatin1String(".gz"));
        // Content decides; the extension only breaks a tie.
        if (s > bestScore || (ext && !bestExt)) {
            best = imp.get();
            bestScore = s;
            bestExt = ext;
        }
    }
    return best;
}

namespace {

// SHA-256 of a file. In the background it runs on a thread of idle priority,
// which fills the time the parser and the writer leave (their waits for each
// other, the commit) instead of taking a core from them; finish() stops that
// thread between two chunks and hashes what is left at the caller's own
// priority, so a busy machine can slow the hash but never starve it.
class FileHasher
{
public:
    enum class Mode
    {
        Background,
        Now
    };
    FileHasher(const QString &path, Mode mode) : m_file(path), m_chunk(1 << 18, Qt::Uninitialized)
    {
        m_failed = !m_file.open(QIODevice::ReadOnly);
        if (mode == Mode::Background && !m_failed)
            m_thread = std::thread([this] {
                lowerThisThreadPriority();
                while (!m_stop.load(std::memory_order_relaxed) && step()) {
                }
            });
    }
    ~FileHasher() { stopThread(); }
    FileHasher(const FileHasher &) = delete;
    FileHasher &operator=(const FileHasher &) = delete;

    // Lowercase hex digest; empty when the file could not be read.
    QByteArray finish()
    {
        stopThread();
        while (step()) {
        }
        return m_failed ? QByteArray() : m_hash.result().toHex();
    }

private:
    static void lowerThisThreadPriority()
    {
#ifdef __linux__
        const sched_param param{};
        pthread_setschedparam(pthread_self(), SCHED_IDLE, &param);
#endif
    }
    void stopThread()
    {
        m_stop = true;
        if (m_thread.joinable()) m_thread.join();
    }
    // Hashes the next chunk; false at the end of the file or on an error.
    bool step()
    {
        if (m_done || m_failed) return false;
        const qint64 n = m_file.read(m_chunk.data(), m_chunk.size());
        if (n < 0) m_failed = true;
        if (n <= 0) {
            m_done = true;
            return false;
        }
        m_hash.addData(QByteArrayView(m_chunk.constData(), n));
        return true;
    }

    QFile m_file;
    Sha256 m_hash;
    QByteArray m_chunk;
    bool m_done = false, m_failed = false;
    std::atomic<bool> m_stop{false};
    std::thread m_thread;
};

} // namespace

QByteArray fileSha256(const QString &path)
{
    return FileHasher(path, FileHasher::Mode::Now).finish();
}

QStringList expandInputs(const QStringList &args)
{
    QStringList out;
    for (const QString &a : args) {
        const QFileInfo fi(a);
        if (fi.isDir()) {
            QStringList files;
            QDirIterator it(a, QDir::Files | QDir::NoDotAndDotDot, QDirIterator::Subdirectories);
            while (it.hasNext()) {
                const QString f = it.next();
                const QString base = QFileInfo(f).fileName();
                if (base.startsWith(QLatin1Char('.')) || base.endsWith(QLatin1String(".lanescope")))
                    continue;
                files << f;
            }
            files.sort();
            out += files;
        } else {
            out << a;
        }
    }
    return out;
}

namespace {

class Context final : public ImportContext
{
public:
    Context(InputStream &in, QString path, const ImportOptions &opt)
        : m_in(in), m_path(std::move(path)), m_opt(opt)
    {
        m_in.setReadHook([this](qint64 pos) { report(pos); });
    }
    InputStream &input() override { return m_in; }
    QString path() const override { return m_path; }
    void diag(QByteArrayView code, Severity sev, qint64 offset, qint64 line,
              const QString &message) override
    {
        const QByteArray c = code.toByteArray();
        auto it = m_diags.find(c);
        if (it == m_diags.end()) {
            DiagnosticInfo d;
            d.code = c;
            d.severity = sev;
            d.count = 1;
            d.firstOffset = offset;
            d.firstLine = line;
            d.message = message;
            m_order.push_back(c);
            m_diags.emplace(c, std::move(d));
        } else {
            ++it->second.count;
            if (sev > it->second.severity) it->second.severity = sev;
        }
    }
    void checkpoint() override
    {
        if (m_opt.cancel && m_opt.cancel->load(std::memory_order_relaxed)) throw ImportCancelled();
    }
    void setStage(const QString &stage) override
    {
        m_stage = stage;
        emitProgress(std::max(0, m_lastPermille), true);
    }
    void addEvents(qint64 n) override { m_events += n; }

    void report(qint64 rawPos)
    {
        checkpoint();
        const qint64 total = m_in.rawSize();
        const int permille = total > 0 ? int(std::min<qint64>(1000, rawPos * 1000 / total)) : 0;
        m_rawPos = rawPos;
        emitProgress(permille, false);
    }
    void emitProgress(int permille, bool force)
    {
        if (!m_opt.progress || (!force && permille == m_lastPermille)) return;
        m_lastPermille = permille;
        ImportProgress p;
        p.permille = permille;
        p.stage = m_stage;
        p.bytesRead = m_rawPos;
        p.bytesTotal = m_in.rawSize();
        p.events = m_events;
        m_opt.progress(p);
    }
    QList<DiagnosticInfo> diagnostics() const
    {
        QList<DiagnosticInfo> out;
        for (const QByteArray &c : m_order)
            out << m_diags.at(c);
        return out;
    }
    qint64 events() const { return m_events; }

private:
    InputStream &m_in;
    QString m_path;
    const ImportOptions &m_opt;
    std::map<QByteArray, DiagnosticInfo> m_diags;
    std::vector<QByteArray> m_order;
    QString m_stage = QStringLiteral("reading");
    int m_lastPermille = -1;
    qint64 m_rawPos = 0;
    qint64 m_events = 0;
};

QString describeHead(const QByteArray &head)
{
    QString out;
    for (int i = 0; i < std::min<qsizetype>(16, head.size()); ++i) {
        const uchar c = uchar(head[i]);
        out += (c >= 0x20 && c < 0x7f) ? QString(QLatin1Char(char(c)))
                                       : QStringLiteral("\\x%1").arg(c, 2, 16, QLatin1Char('0'));
    }
    return out;
}

} // namespace

ImportResult importFile(Session &session, const QString &path, const ImporterRegistry &registry,
                        const ImportOptions &options)
{
    ImportResult res;
    res.path = path;
    QElapsedTimer timer;
    timer.start();
    const QString abs = QFileInfo(path).absoluteFilePath();
    Db &db = session.db();
    bool inTx = false;
    try {
        if (session.readOnly()) throw ImportError(QStringLiteral("the session is open read-only"));
        InputStream in(abs);
        res.bytes = in.rawSize();
        const QByteArray head = in.peek(64 * 1024);
        if (head.isEmpty())
            throw ImportError(in.gzipped() ? QStringLiteral("empty after decompression")
                                           : QStringLiteral("empty file"));
        const Importer *imp = nullptr;
        if (!options.format.isEmpty()) {
            imp = registry.byId(options.format);
            if (!imp)
                throw ImportError(QStringLiteral("unknown format id '%1'")
                                      .arg(QString::fromUtf8(options.format)));
        } else {
            SniffInput si;
            si.head = head;
            si.fileName = QFileInfo(path).fileName();
            si.gzipped = in.gzipped();
            imp = registry.pick(si);
            if (!imp)
                throw ImportError(QStringLiteral("unrecognised format (first bytes: \"%1\"); "
                                                 "see 'lanescope formats' for what can be read")
                                      .arg(describeHead(head)));
        }
        res.format = imp->id();
        res.formatName = imp->displayName();
        // The same bytes imported before would double every lane: skip them
        // unless forced. Only a source of the same size needs the digest now
        // (a second read of this file, in the rare case that one exists).
        if (!options.force) {
            Stmt same(db, "SELECT id, sha256 FROM source WHERE size = ?");
            same.bind(1, res.bytes);
            std::vector<std::pair<qint64, QByteArray>> candidates;
            while (same.step())
                candidates.emplace_back(same.int64(0), same.text(1));
            if (!candidates.empty()) {
                const QByteArray digest = fileSha256(abs);
                for (const auto &[id, sha] : candidates)
                    if (sha == digest) {
                        res.duplicateOf = id;
                        res.error = QStringLiteral("%1: already in this session as source %2 "
                                                   "(same SHA-256); force to import it again")
                                        .arg(path)
                                        .arg(id);
                        res.ms = timer.elapsed();
                        return res;
                    }
            }
        }
        // Hash on another thread while the import runs: it is the single
        // most expensive pass over the bytes and needs nothing from the parse.
        FileHasher sha(abs, FileHasher::Mode::Background);

        Context ctx(in, abs, options);
        db.exec("BEGIN IMMEDIATE");
        inTx = true;
        // Rebuilding the bulk indexes at the end reads every row of the
        // session; for a file small next to the session, keeping them up to
        // date row by row costs less (a 6 KB profile into the whole gen
        // corpus: 35 -> 1 ms).
        // A gzipped file holds several times its size (8 x is typical of
        // traces and logs).
        const qint64 sessionBytes = QFileInfo(session.path()).size();
        const qint64 inputBytes = in.gzipped() ? res.bytes * 8 : res.bytes;
        if (inputBytes * 8 >= sessionBytes)
            db.exec(dropBulkIndexSql());
        else
            db.exec(liveIndexSql());
        Stmt src(db, "INSERT INTO source(path, format, size, sha256, importer_version, "
                     "imported_at, status) VALUES(?,?,?,?,?,?,'ok')");
        src.bindText(1, abs)
            .bindText(2, res.format)
            .bind(3, res.bytes)
            .bindText(4, QByteArrayView("pending"))
            .bind(5, imp->version())
            .bind(6, QDateTime::currentMSecsSinceEpoch() * 1000000)
            .run();
        res.sourceId = db.lastInsertId();
        BatchWriter writer(db, res.sourceId, [&ctx](QByteArrayView code, const QString &msg) {
            // A phase another source already holds is a second log of the
            // same events (text and JSON) merging: worth knowing, not a warning.
            ctx.diag(code, code == "duplicate-phase" ? Severity::Info : Severity::Warning, -1, -1,
                     msg);
        });
        ctx.setStage(QStringLiteral("parsing"));
        const_cast<Importer *>(imp)->run(ctx, writer);
        ctx.checkpoint();
        ctx.setStage(QStringLiteral("indexing"));
        writer.finish();
        if (const qint64 joined = joinLoadTestRows(db))
            ctx.diag("load-test-joined", Severity::Info, -1, -1,
                     QStringLiteral("%1 load-test results without request ids were joined to "
                                    "server requests by start second and duration")
                         .arg(joined));
        db.exec(bulkIndexSql());
        // Long lanes' levels, for the timeline of a session too big to hold.
        {
            QElapsedTimer t;
            t.start();
            if (storeLaneLevels(db, {}, nullptr, res.sourceId) > 0) res.levelsMs = t.elapsed();
        }
        // Classes of every request when this file touched any: merging by
        // key may have moved any request's window or linked it to a trace
        // (see core/analysis.cpp). Files without requests change nothing
        // the classes read.
        if (writer.counts().requests > 0) {
            ctx.setStage(QStringLiteral("analysing"));
            res.analysisMs = analyzeRequests(db).ms;
        }

        res.diagnostics = ctx.diagnostics();
        Stmt d(db, "INSERT INTO diagnostic(source_id, code, severity, count, first_offset, "
                   "first_line, message) VALUES(?,?,?,?,?,?,?)");
        bool hasError = false;
        for (const DiagnosticInfo &di : std::as_const(res.diagnostics)) {
            hasError = hasError || di.severity == Severity::Error;
            d.bind(1, res.sourceId)
                .bindText(2, di.code)
                .bindText(3, QByteArrayView(severityName(di.severity)))
                .bind(4, di.count)
                .bindOrNull(5, di.firstOffset, -1)
                .bindOrNull(6, di.firstLine, -1)
                .bindText(7, di.message)
                .run();
        }
        const WriterCounts &c = writer.counts();
        res.events = ctx.events();
        res.requests = c.requests;
        res.spans = c.spans;
        res.phases = c.phases;
        res.samples = c.samples;
        res.ms = timer.elapsed();
        Stmt u(db, "UPDATE source SET status=?, event_count=?, request_count=?, span_count=?, "
                   "import_ms=?, sha256=? WHERE id=?");
        u.bindText(1, QByteArrayView(hasError ? "partial" : "ok"))
            .bind(2, res.events)
            .bind(3, res.requests)
            .bind(4, res.spans)
            .bind(5, res.ms)
            .bindText(6, sha.finish())
            .bind(7, res.sourceId)
            .run();
        db.exec("COMMIT");
        inTx = false;
        res.ok = true;
        // Copy the committed pages into the session file and empty the log,
        // so the file alone holds the session (users copy and share it). A
        // reader still on an older snapshot makes this a partial copy; the
        // log is then folded in by a later checkpoint or at close.
        checkpointSession(db);
    } catch (const ImportError &e) {
        res.error = e.message(path);
    } catch (const ImportCancelled &) {
        res.cancelled = true;
        res.error = QStringLiteral("%1: import cancelled").arg(path);
    } catch (const DbError &e) {
        res.error = QStringLiteral("%1: session database error: %2").arg(path, e.message());
    } catch (const std::bad_alloc &) {
        res.error = QStringLiteral("%1: out of memory").arg(path);
    } catch (const std::exception &e) {
        res.error = QStringLiteral("%1: %2").arg(path, QString::fromLocal8Bit(e.what()));
    }
    if (inTx) {
        try {
            db.exec("ROLLBACK");
        } catch (const DbError &e) {
            qCWarning(lcImport) << "rollback failed:" << e.message();
        }
        res.sourceId = 0;
        res.diagnostics.clear();
    }
    if (!res.ok) res.ms = timer.elapsed();
    return res;
}

// ---------------------------------------------------------------------------

ImportJob::ImportJob(QString sessionPath, QStringList files, const ImporterRegistry &registry,
                     quint64 generation)
    : m_sessionPath(std::move(sessionPath)), m_files(std::move(files)), m_registry(registry),
      m_generation(generation)
{
    qRegisterMetaType<ls::ImportProgress>();
    qRegisterMetaType<ls::ImportResult>();
}

ImportJob::~ImportJob()
{
    cancel();
    wait();
}

void ImportJob::start()
{
    m_worker = std::make_unique<Worker>("import");
    m_worker->post([this] {
        bool cancelled = false;
        try {
            Session s = Session::open(m_sessionPath);
            const int n = int(m_files.size());
            for (int i = 0; i < n && !cancelled; ++i) {
                ImportOptions opt;
                opt.cancel = &m_cancel;
                opt.progress = [this, i, n](const ImportProgress &p) { emit progress(i, n, p); };
                ImportResult r = importFile(s, m_files[i], m_registry, opt);
                cancelled = r.cancelled || m_cancel.load();
                emit fileFinished(r);
            }
        } catch (const DbError &e) {
            ImportResult r;
            r.error = e.message();
            emit fileFinished(r);
        }
        emit finished(cancelled);
    });
}

bool ImportJob::wait(unsigned long ms)
{
    return !m_worker ||
           m_worker->waitIdle(ms == ULONG_MAX ? -1 : int(std::min<unsigned long>(ms, INT_MAX)));
}

} // namespace ls
