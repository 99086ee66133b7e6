// The command-line front end as a user runs it: the real executable, its
// output formats, exit codes and help texts.

#include "queries.h"
#include "testsupport.h"

#include <QCryptographicHash>
#include <QFileInfo>
#include <QImage>
#include <QJsonArray>
#include <QJsonDocument>
#include <QJsonObject>
#include <QProcess>
#include <QTemporaryDir>
#include <QTest>
#include <csignal>
#include <QThread>

using namespace ls;

namespace {

struct Run
{
    int code = -1;
    QByteArray out, err;
};

Run lanescope(const QStringList &args, const QString &program = QStringLiteral(LANESCOPE_BIN),
              const QProcessEnvironment &env = QProcessEnvironment::systemEnvironment())
{
    QProcess p;
    p.setProcessEnvironment(env);
    p.setProgram(program);
    p.setArguments(args);
    p.setProcessChannelMode(QProcess::SeparateChannels);
    p.start();
    if (!p.waitForFinished(120000))
        qFatal("lanescope %s did not finish", qPrintable(args.join(QLatin1Char(' '))));
    return {p.exitCode(), p.readAllStandardOutput(), p.readAllStandardError()};
}

} // namespace

class TstCli : public QObject
{
    Q_OBJECT
    QTemporaryDir m_dir;
    QString m_session;

private slots:
    void initTestCase()
    {
        m_session = m_dir.filePath(QStringLiteral("cli.lanescope"));
        const Run r = lanescope({QStringLiteral("import"), QStringLiteral("-o"), m_session,
                                 test::corpus(QStringLiteral("gen/server.jsonl"))});
        QVERIFY2(r.code == 0, r.err.constData());
        QVERIFY(r.out.contains("steplog, "));
        QVERIFY(r.out.contains("500 requests"));
        QVERIFY(r.out.contains("1 imported, 0 failed"));
    }

    // lanescope-cli is the headless program: it links no Qt GUI library
    // (checked on the loaded image, as the dynamic linker resolves it), runs
    // the commands, writes HTML and Markdown reports, and says which program
    // renders what it cannot.
    void cliProgramNeedsNoGuiLibraries()
    {
        const QString cli = QStringLiteral(LANESCOPE_CLI);
        QProcess ldd;
        ldd.start(QStringLiteral("ldd"), {cli});
        QVERIFY(ldd.waitForFinished(30000));
        const QByteArray libs = ldd.readAllStandardOutput();
        QVERIFY2(libs.contains("libQt6Core"), libs.constData());
        for (const char *gui :
             {"libQt6Gui", "libQt6Widgets", "libQt6Charts", "libqcustomplot", "libGL", "libxcb"})
            QVERIFY2(!libs.contains(gui), gui);

        QTemporaryDir alone;
        const QString s = alone.filePath(QStringLiteral("a.lanescope"));
        Run r = lanescope({QStringLiteral("import"), QStringLiteral("-o"), s,
                           test::corpus(QStringLiteral("gen/server.jsonl"))},
                          cli);
        QVERIFY2(r.code == 0, r.err.constData());
        r = lanescope({QStringLiteral("info"), s}, cli);
        QCOMPARE(r.code, 0);
        QVERIFY(r.out.contains("500"));
        for (const char *ext : {"html", "md"}) {
            const QString out = alone.filePath(QStringLiteral("r.") + QLatin1String(ext));
            r = lanescope({QStringLiteral("report"), s, QStringLiteral("-o"), out}, cli);
            QVERIFY2(r.code == 0, r.err.constData());
            QVERIFY(QFileInfo(out).size() > 1000);
        }
        r = lanescope({QStringLiteral("report"), s, QStringLiteral("-o"),
                       alone.filePath(QStringLiteral("r.pdf"))},
                      cli);
        QCOMPARE(r.code, 1);
        QVERIFY2(r.err.contains("lanescope report"), r.err.constData());
        QVERIFY(!QFile::exists(alone.filePath(QStringLiteral("r.pdf"))));
        r = lanescope({QStringLiteral("screenshot"), s, QStringLiteral("-o"),
                       alone.filePath(QStringLiteral("x.png"))},
                      cli);
        QCOMPARE(r.code, 2);
        QVERIFY2(r.err.contains("'lanescope screenshot"), r.err.constData());
        QVERIFY(!QFile::exists(alone.filePath(QStringLiteral("x.png"))));
        r = lanescope({QStringLiteral("--version")}, cli);
        QCOMPARE(r.code, 0);
        QVERIFY(r.out.startsWith("lanescope "));
    }

    // A machine with no display (CI, a server, a fresh chroot): `screenshot`
    // and its --help choose offscreen rendering by themselves.
    void screenshotNeedsNoDisplay()
    {
        QProcessEnvironment env = QProcessEnvironment::systemEnvironment();
        for (const char *v : {"QT_QPA_PLATFORM", "DISPLAY", "WAYLAND_DISPLAY"})
            env.remove(QLatin1String(v));
        Run r = lanescope({QStringLiteral("screenshot"), QStringLiteral("--help")},
                          QStringLiteral(LANESCOPE_BIN), env);
        QVERIFY2(r.code == 0, r.err.constData());
        QVERIFY(r.out.contains("screenshot"));
        const QString png = m_dir.filePath(QStringLiteral("nodisplay.png"));
        r = lanescope({QStringLiteral("screenshot"), m_session, QStringLiteral("-o"), png,
                       QStringLiteral("--size"), QStringLiteral("800x600")},
                      QStringLiteral(LANESCOPE_BIN), env);
        QVERIFY2(r.code == 0, r.err.constData());
        QImage img(png);
        QCOMPARE(img.size(), QSize(800, 600));
    }

    // A gctrace has no wall clock: `align` places it by hand, every row
    // moves with it, and the method is recorded.
    void alignsASourceByHand()
    {
        const QString s = m_dir.filePath(QStringLiteral("align.lanescope"));
        QFile::remove(s);
        Run r = lanescope({QStringLiteral("import"), QStringLiteral("-o"), s,
                           test::corpus(QStringLiteral("gen/server.jsonl")),
                           test::corpus(QStringLiteral("gen/server_stderr_gctrace.txt"))},
                          QStringLiteral(LANESCOPE_CLI));
        QVERIFY2(r.code == 0, r.err.constData());
        const auto spanStart = [&] {
            Session sess = Session::open(s, Session::Open::ReadOnly);
            return test::scalar(sess.db(),
                                QStringLiteral("SELECT MIN(s.start_ns) FROM span s JOIN lane l ON "
                                               "l.id = s.lane_id JOIN source src ON src.id = "
                                               "l.source_id WHERE src.path LIKE '%gctrace.txt'"));
        };
        const qint64 before = spanStart();
        r = lanescope({QStringLiteral("align"), s, QStringLiteral("gctrace.txt"),
                       QStringLiteral("--shift"), QStringLiteral("-2h13m")},
                      QStringLiteral(LANESCOPE_CLI));
        QVERIFY2(r.code == 0, r.err.constData());
        QVERIFY2(r.out.contains("offset"), r.out.constData());
        QCOMPARE(spanStart(), before - 7'980'000'000'000);
        {
            Session sess = Session::open(s, Session::Open::ReadOnly);
            QCOMPARE(test::sqlText(sess.db(), QStringLiteral("SELECT clock_method FROM source "
                                                             "WHERE path LIKE '%gctrace.txt'")),
                     QStringLiteral("by hand"));
        }
        // --offset sets it outright; bad input says why.
        r = lanescope({QStringLiteral("align"), s, QStringLiteral("gctrace.txt"),
                       QStringLiteral("--offset"), QStringLiteral("0s")},
                      QStringLiteral(LANESCOPE_CLI));
        QCOMPARE(r.code, 0);
        QCOMPARE(lanescope({QStringLiteral("align"), s, QStringLiteral("nothing.txt"),
                            QStringLiteral("--offset"), QStringLiteral("1s")},
                           QStringLiteral(LANESCOPE_CLI))
                     .code,
                 1);
        r = lanescope({QStringLiteral("align"), s, QStringLiteral("gctrace.txt"),
                       QStringLiteral("--offset"), QStringLiteral("soon")},
                      QStringLiteral(LANESCOPE_CLI));
        QCOMPARE(r.code, 2);
        QVERIFY(r.err.contains("not a duration"));

        // By a shared event: the gctrace's process start (its clock origin)
        // at the server log's first event; then GC 3 at a chosen request's
        // first step. The method names both events.
        r = lanescope({QStringLiteral("align"), s, QStringLiteral("gctrace.txt"),
                       QStringLiteral("--list")},
                      QStringLiteral(LANESCOPE_CLI));
        QCOMPARE(r.code, 0);
        QVERIFY2(r.out.startsWith("+0 ns  clock origin"), r.out.left(200).constData());
        QVERIFY(r.out.contains("GC 3 (gc) on GC"));
        r = lanescope({QStringLiteral("align"), s, QStringLiteral("gctrace.txt"),
                       QStringLiteral("--to"), QStringLiteral("server.jsonl")},
                      QStringLiteral(LANESCOPE_CLI));
        QVERIFY2(r.code == 0, r.err.constData());
        qint64 logStart = 0, originNow = 0, gc3 = 0;
        auto read = [&] {
            Session sess = Session::open(s, Session::Open::ReadOnly);
            logStart = test::scalar(sess.db(),
                                    QStringLiteral("SELECT MIN(p.start_ns) FROM phase p JOIN "
                                                   "source src ON src.id = p.source_id WHERE "
                                                   "src.path LIKE '%server.jsonl'"));
            originNow = test::scalar(sess.db(), QStringLiteral("SELECT offset_ns FROM source "
                                                               "WHERE path LIKE '%gctrace.txt'"));
            gc3 = test::scalar(sess.db(),
                               QStringLiteral("SELECT s.start_ns FROM span s JOIN string n ON "
                                              "n.id = s.name_id JOIN lane l ON l.id = s.lane_id "
                                              "JOIN source src ON src.id = l.source_id WHERE "
                                              "src.path LIKE '%gctrace.txt' AND n.value = 'GC 3'"));
            return test::sqlText(sess.db(), QStringLiteral("SELECT clock_method FROM source "
                                                           "WHERE path LIKE '%gctrace.txt'"));
        };
        QString method = read();
        QCOMPARE(originNow, logStart);
        QVERIFY2(method.startsWith(QLatin1String("by event: clock origin")) &&
                     method.endsWith(QLatin1String("in server.jsonl")),
                 qPrintable(method));
        r = lanescope({QStringLiteral("align"), s, QStringLiteral("gctrace.txt"),
                       QStringLiteral("--to"), QStringLiteral("server.jsonl"),
                       QStringLiteral("--event"), QStringLiteral("gc 3 (gc)"),
                       QStringLiteral("--at"), QStringLiteral("step lock_wait")},
                      QStringLiteral(LANESCOPE_CLI));
        QVERIFY2(r.code == 0, r.err.constData());
        method = read();
        {
            Session sess = Session::open(s, Session::Open::ReadOnly);
            const qint64 lockWait = test::scalar(
                sess.db(), QStringLiteral("SELECT MIN(p.start_ns) FROM phase p JOIN source src ON "
                                          "src.id = p.source_id WHERE src.path LIKE "
                                          "'%server.jsonl' AND p.name = 'lock_wait'"));
            QCOMPARE(gc3, lockWait);
        }
        QVERIFY2(method.contains(QLatin1String("GC 3")) && method.contains(QLatin1String("lock_wait")),
                 qPrintable(method));
        // No such event, or the source itself: a clear error, nothing moves.
        r = lanescope({QStringLiteral("align"), s, QStringLiteral("gctrace.txt"),
                       QStringLiteral("--to"), QStringLiteral("server.jsonl"),
                       QStringLiteral("--at"), QStringLiteral("no such event")},
                      QStringLiteral(LANESCOPE_CLI));
        QCOMPARE(r.code, 1);
        QVERIFY(r.err.contains("no event of server.jsonl matches"));
        r = lanescope({QStringLiteral("align"), s, QStringLiteral("gctrace.txt"),
                       QStringLiteral("--to"), QStringLiteral("gctrace.txt")},
                      QStringLiteral(LANESCOPE_CLI));
        QCOMPARE(r.code, 1);
        const qint64 gcBefore = gc3;
        read();
        QCOMPARE(gc3, gcBefore);
    }

    // SIGKILL at several points of a big import, while a reader holds the
    // session open: the session opens, passes integrity_check, and holds
    // exactly what it held before (or, killed after the commit, exactly what
    // a whole import gives) — never something in between.
    void killedImportLeavesTheSessionWhole()
    {
        // Everything but when and how fast a source was imported.
        auto digest = [](const Db &db) {
            QByteArray all;
            for (const char *q :
                 {"SELECT id, path, format, size, sha256, clock, offset_ns, status, event_count, "
                  "request_count, span_count FROM source ORDER BY id",
                  "SELECT * FROM diagnostic ORDER BY id", "SELECT * FROM request ORDER BY id",
                  "SELECT * FROM lane ORDER BY id", "SELECT * FROM string ORDER BY id",
                  "SELECT * FROM span ORDER BY id", "SELECT * FROM span_run ORDER BY 1, 2",
                  "SELECT * FROM instant ORDER BY id", "SELECT * FROM phase ORDER BY id",
                  "SELECT * FROM raw_text ORDER BY id", "SELECT * FROM request_class ORDER BY 1, 2"})
                all += test::queryCsv(db, QString::fromLatin1(q));
            return QCryptographicHash::hash(all, QCryptographicHash::Sha256).toHex();
        };
        // A 40 MB Chrome trace: long enough to be killed mid-way.
        const QString big = m_dir.filePath(QStringLiteral("big.json"));
        {
            QFile f(big);
            QVERIFY(f.open(QIODevice::WriteOnly));
            f.write("[");
            QByteArray chunk;
            for (int i = 0; i < 500'000; ++i) {
                chunk += (i ? "," : "") +
                         QByteArrayLiteral("{\"name\":\"work\",\"ph\":\"X\",\"pid\":1,\"tid\":") +
                         QByteArray::number(i % 64) + ",\"ts\":" + QByteArray::number(qint64(i) * 10) +
                         ",\"dur\":8,\"args\":{\"n\":" + QByteArray::number(i) + "}}\n";
                if (chunk.size() > (1 << 20)) {
                    f.write(chunk);
                    chunk.clear();
                }
            }
            f.write(chunk + "]");
        }
        const QString base = m_dir.filePath(QStringLiteral("kill-base.lanescope"));
        QFile::remove(base);
        QCOMPARE(lanescope({QStringLiteral("import"), QStringLiteral("-o"), base,
                            test::corpus(QStringLiteral("gen/server.jsonl"))},
                           QStringLiteral(LANESCOPE_CLI))
                     .code,
                 0);
        QByteArray before, complete;
        {
            Session s = Session::open(base, Session::Open::ReadOnly);
            before = digest(s.db());
        }
        {
            const QString whole = m_dir.filePath(QStringLiteral("kill-whole.lanescope"));
            QFile::remove(whole);
            QFile::copy(base, whole);
            QCOMPARE(lanescope({QStringLiteral("import"), QStringLiteral("-o"), whole, big},
                               QStringLiteral(LANESCOPE_CLI))
                         .code,
                     0);
            Session s = Session::open(whole, Session::Open::ReadOnly);
            complete = digest(s.db());
        }
        QVERIFY(complete != before);
        int killedMidway = 0;
        for (int ms : {30, 120, 300, 600, 1000, 1600}) {
            const QString path = m_dir.filePath(QStringLiteral("kill-%1.lanescope").arg(ms));
            for (const char *suffix : {"", "-wal", "-shm"})
                QFile::remove(path + QLatin1String(suffix));
            QVERIFY(QFile::copy(base, path));
            Session reader = Session::open(path, Session::Open::ReadOnly); // the app, reading
            QCOMPARE(digest(reader.db()), before);
            QProcess p;
            p.start(QStringLiteral(LANESCOPE_CLI), {QStringLiteral("import"), QStringLiteral("-o"), path, big});
            QVERIFY(p.waitForStarted());
            QThread::msleep(ms);
            // The reader keeps answering meanwhile: the old content, or the
            // whole import once it has committed — never a part of it.
            const QByteArray seen = digest(reader.db());
            QVERIFY(seen == before || seen == complete);
            const bool running = p.state() == QProcess::Running;
            ::kill(pid_t(p.processId()), SIGKILL);
            p.waitForFinished();
            if (running) ++killedMidway;
            Session s = Session::open(path);
            QCOMPARE(test::sqlText(s.db(), QStringLiteral("PRAGMA integrity_check")), QStringLiteral("ok"));
            const QByteArray after = digest(s.db());
            QVERIFY2(after == before || after == complete,
                     qPrintable(QStringLiteral("killed after %1 ms: a partial import is visible").arg(ms)));
        }
        QVERIFY2(killedMidway >= 3, qPrintable(QString::number(killedMidway)));
    }

    void importFailureExitsOne()
    {
        const QString s = m_dir.filePath(QStringLiteral("partial.lanescope"));
        QFile junk(m_dir.filePath(QStringLiteral("junk.bin")));
        QVERIFY(junk.open(QIODevice::WriteOnly));
        junk.write("nothing we know\n");
        junk.close();
        const Run r = lanescope({QStringLiteral("import"), QStringLiteral("-o"), s, junk.fileName(),
                                 test::corpus(QStringLiteral("gen/server.jsonl"))});
        QCOMPARE(r.code, 1);
        QVERIFY2(r.err.contains(QByteArray(junk.fileName().toUtf8() + ": unrecognised format")),
                 r.err.constData());
        QVERIFY(r.out.contains("1 imported, 1 failed"));
        // The good file was still imported.
        Session sess = Session::open(s, Session::Open::ReadOnly);
        QCOMPARE(countRequests(sess.db()), qint64(500));
    }

    void usageErrorsExitTwo_data()
    {
        QTest::addColumn<QStringList>("args");
        QTest::newRow("import without output")
            << QStringList{QStringLiteral("import"), QStringLiteral("x")};
        QTest::newRow("import without files")
            << QStringList{QStringLiteral("import"), QStringLiteral("-o"), QStringLiteral("x")};
        QTest::newRow("unknown option")
            << QStringList{QStringLiteral("info"), QStringLiteral("--bogus"), QStringLiteral("x")};
        QTest::newRow("bad filter")
            << QStringList{QStringLiteral("requests"), QStringLiteral("x"),
                           QStringLiteral("--filter"), QStringLiteral("dur>fast")};
        QTest::newRow("bad format")
            << QStringList{QStringLiteral("requests"), QStringLiteral("x"),
                           QStringLiteral("--format"), QStringLiteral("xml")};
        QTest::newRow("unknown command") << QStringList{QStringLiteral("frobnicate")};
    }
    void usageErrorsExitTwo()
    {
        QFETCH(QStringList, args);
        QCOMPARE(lanescope(args).code, 2);
    }

    void helpForEveryCommand()
    {
        for (const char *cmd : {"import", "info", "requests", "sql"}) {
            const Run r = lanescope({QString::fromLatin1(cmd), QStringLiteral("--help")});
            QCOMPARE(r.code, 0);
            QVERIFY2(r.out.startsWith(QByteArray("Usage: lanescope " + QByteArray(cmd))),
                     r.out.constData());
        }
        const Run h = lanescope({QStringLiteral("--help")});
        QCOMPARE(h.code, 0);
        QVERIFY(h.out.contains("Commands:"));
        const Run v = lanescope({QStringLiteral("--version")});
        QCOMPARE(v.code, 0);
        QVERIFY(v.out.startsWith("lanescope "));
        QVERIFY(lanescope({QStringLiteral("requests"), QStringLiteral("--help")})
                    .out.contains("status>=500"));
    }

    void requestsCsv()
    {
        const Run r =
            lanescope({QStringLiteral("requests"), m_session, QStringLiteral("--slowest"),
                       QStringLiteral("3"), QStringLiteral("--format"), QStringLiteral("csv")});
        QCOMPARE(r.code, 0);
        const QList<QByteArray> lines = r.out.trimmed().split('\n');
        QCOMPARE(lines.size(), 4);
        QCOMPARE(lines[0],
                 QByteArray("key,method,url,status,start_ns,duration_ns,dns_ns,connect_ns,"
                            "tls_ns,send_ns,wait_ns,receive_ns,error"));
        // Slowest first.
        qint64 prev = std::numeric_limits<qint64>::max();
        for (int i = 1; i < lines.size(); ++i) {
            const QList<QByteArray> cells = lines[i].split(',');
            QCOMPARE(cells.size(), 13);
            const qint64 d = cells[5].toLongLong();
            QVERIFY(d <= prev);
            prev = d;
        }
    }

    void requestsFilterAndJson()
    {
        const Run r = lanescope({QStringLiteral("requests"), m_session, QStringLiteral("--filter"),
                                 QStringLiteral("status>=500"), QStringLiteral("--format"),
                                 QStringLiteral("json")});
        QCOMPARE(r.code, 0);
        const QJsonArray arr = QJsonDocument::fromJson(r.out).array();
        QVERIFY(arr.size() > 0);
        for (const QJsonValue &v : arr)
            QVERIFY(v.toObject().value(QStringLiteral("status")).toInt() >= 500);
        const Run t = lanescope({QStringLiteral("requests"), m_session, QStringLiteral("--filter"),
                                 QStringLiteral("url:/api/lock")});
        QCOMPARE(t.code, 0);
        QVERIFY(t.out.contains("/api/lock"));
        QVERIFY(!t.out.contains("/api/order"));
    }

    void info()
    {
        const Run r = lanescope({QStringLiteral("info"), m_session, QStringLiteral("--json")});
        QCOMPARE(r.code, 0);
        const QJsonObject o = QJsonDocument::fromJson(r.out).object();
        const QJsonArray sources = o.value(QStringLiteral("sources")).toArray();
        QCOMPARE(sources.size(), 1);
        QCOMPARE(sources[0].toObject().value(QStringLiteral("format")).toString(),
                 QStringLiteral("steplog"));
        QCOMPARE(sources[0].toObject().value(QStringLiteral("clock_method")).toString(),
                 QStringLiteral("wall clock"));
        QCOMPARE(
            o.value(QStringLiteral("counts")).toObject().value(QStringLiteral("request")).toInt(),
            500);
        const Run t = lanescope({QStringLiteral("info"), m_session});
        QCOMPARE(t.code, 0);
        QVERIFY(t.out.contains("500 requests"));
        QCOMPARE(
            lanescope({QStringLiteral("info"), m_dir.filePath(QStringLiteral("missing.lanescope"))})
                .code,
            1);
    }

    void sqlIsReadOnly()
    {
        const QByteArray before = fileSha256(m_session);
        const Run r =
            lanescope({QStringLiteral("sql"), m_session, QStringLiteral("DELETE FROM request")});
        QCOMPARE(r.code, 1);
        QVERIFY2(r.err.contains("read-only") || r.err.contains("readonly"), r.err.constData());
        QCOMPARE(fileSha256(m_session), before);
        const Run c = lanescope({QStringLiteral("sql"), m_session,
                                 QStringLiteral("SELECT count(*) AS n FROM request"),
                                 QStringLiteral("--format"), QStringLiteral("csv")});
        QCOMPARE(c.code, 0);
        QCOMPARE(c.out, QByteArray("n\n500\n"));
        const Run j = lanescope({QStringLiteral("sql"), m_session,
                                 QStringLiteral("SELECT 1 AS one, NULL AS empty_value"),
                                 QStringLiteral("--format"), QStringLiteral("json")});
        QCOMPARE(QJsonDocument::fromJson(j.out)
                     .array()
                     .at(0)
                     .toObject()
                     .value(QStringLiteral("one"))
                     .toInt(),
                 1);
    }

    void checkExitCodes_data()
    {
        QTest::addColumn<QStringList>("rules");
        QTest::addColumn<int>("code");
        // The server log's p99 is about 190 ms, its error rate 3.6 %.
        QTest::newRow("p99 holds")
            << QStringList{QStringLiteral("--p99"), QStringLiteral("1s")} << 0;
        QTest::newRow("p99 broken")
            << QStringList{QStringLiteral("--p99"), QStringLiteral("100ms")} << 3;
        QTest::newRow("error rate holds")
            << QStringList{QStringLiteral("--error-rate"), QStringLiteral("5%")} << 0;
        QTest::newRow("error rate broken")
            << QStringList{QStringLiteral("--error-rate"), QStringLiteral("1")} << 3;
        QTest::newRow("one of two broken")
            << QStringList{QStringLiteral("--p50"), QStringLiteral("1s"), QStringLiteral("--max"),
                           QStringLiteral("10ms")}
            << 3;
        QTest::newRow("filtered") << QStringList{QStringLiteral("--filter"),
                                                 QStringLiteral("url:/healthz"),
                                                 QStringLiteral("--max"), QStringLiteral("150ms")}
                                  << 0;
        QTest::newRow("nothing matches")
            << QStringList{QStringLiteral("--filter"), QStringLiteral("url:/none"),
                           QStringLiteral("--max"), QStringLiteral("1s")}
            << 3;
        QTest::newRow("no rule") << QStringList{} << 2;
        QTest::newRow("bad duration")
            << QStringList{QStringLiteral("--p99"), QStringLiteral("soon")} << 2;
        QTest::newRow("bad rate") << QStringList{QStringLiteral("--error-rate"),
                                                 QStringLiteral("150")}
                                  << 2;
    }
    void checkExitCodes()
    {
        QFETCH(QStringList, rules);
        QFETCH(int, code);
        const Run r = lanescope(QStringList{QStringLiteral("check"), m_session} + rules);
        QVERIFY2(r.code == code, r.out.constData());
        if (code != 2) QVERIFY(r.out.contains("limit"));
    }

    void reportsAndNotes()
    {
        const QString s = m_dir.filePath(QStringLiteral("notes.lanescope"));
        QVERIFY(QFile::copy(m_session, s));
        Run r = lanescope({QStringLiteral("note"), s, QStringLiteral("--request"),
                           QStringLiteral("8c0cccc2-a950-4752-a9c7-f8ae43c91204"),
                           QStringLiteral("--text"),
                           QStringLiteral("waited 138 ms for <inventoryMu>")});
        QVERIFY2(r.code == 0, r.err.constData());
        r = lanescope({QStringLiteral("note"), s, QStringLiteral("--request"),
                       QStringLiteral("no-such-key"), QStringLiteral("--text"),
                       QStringLiteral("x")});
        QCOMPARE(r.code, 1);
        for (const char *ext : {"html", "md", "pdf"}) {
            const QString outPath = m_dir.filePath(QStringLiteral("report.") + QLatin1String(ext));
            r = lanescope({QStringLiteral("report"), s, QStringLiteral("-o"), outPath,
                           QStringLiteral("--top"), QStringLiteral("3")});
            QVERIFY2(r.code == 0, r.err.constData());
            QFile f(outPath);
            QVERIFY(f.open(QIODevice::ReadOnly));
            const QByteArray body = f.readAll();
            if (QLatin1String(ext) == QLatin1String("pdf")) {
                QVERIFY(body.startsWith("%PDF-"));
                QVERIFY(body.size() > 10000);
            } else {
                QVERIFY(body.contains("waited 138 ms for &lt;inventoryMu&gt;"));
                QVERIFY(body.contains("8c0cccc2-a950-4752-a9c7-f8ae43c91204"));
            }
        }
        QCOMPARE(lanescope({QStringLiteral("report"), s, QStringLiteral("-o"),
                            m_dir.filePath(QStringLiteral("r.doc"))})
                     .code,
                 2);
    }

    void importsFolders()
    {
        QTemporaryDir dir;
        QFile::copy(test::testData(QStringLiteral("steplog/shapes.log")),
                    dir.filePath(QStringLiteral("a.log")));
        QFile junk(dir.filePath(QStringLiteral("notes.txt")));
        QVERIFY(junk.open(QIODevice::WriteOnly));
        junk.write("just some notes\n");
        junk.close();
        const QString s = dir.filePath(QStringLiteral("f.lanescope"));
        const Run r = lanescope({QStringLiteral("import"), QStringLiteral("-o"), s, dir.path()});
        QCOMPARE(r.code, 0);
        QVERIFY2(r.out.contains("skipped"), r.out.constData());
        QVERIFY(r.out.contains("1 imported, 0 failed, 1 skipped"));
    }
    void compareAndClasses()
    {
        // A session with the server's execution trace: classes are computed
        // at the end of the import.
        const QString s = m_dir.filePath(QStringLiteral("traced.lanescope"));
        const Run imp = lanescope({QStringLiteral("import"), QStringLiteral("-o"), s,
                                   test::corpus(QStringLiteral("gen/server.jsonl")),
                                   test::corpus(QStringLiteral("gen/trace.out"))});
        QVERIFY2(imp.code == 0, imp.err.constData());
        const QString lock = QStringLiteral("8c0cccc2-a950-4752-a9c7-f8ae43c91204");
        const QString gc = QStringLiteral("06224e05-d692-4432-888a-31efdd3d2c97");

        const Run t = lanescope({QStringLiteral("compare"), s, lock, gc});
        QVERIFY2(t.code == 0, t.err.constData());
        QVERIFY2(t.out.contains("class blocked-mutex"), t.out.constData());
        QVERIFY2(t.out.contains("   cause: 138 ms mutex in lock_wait"), t.out.constData());
        QVERIFY(t.out.contains("B-A"));
        QVERIFY(t.out.contains("lock_wait"));
        QVERIFY(t.out.contains("alloc_churn"));
        bool gcLine = false;
        for (const QByteArray &line : t.out.split('\n'))
            gcLine = gcLine || (line.startsWith("class ") && line.contains(" gc-assist "));
        QVERIFY2(gcLine, t.out.constData());

        const Run j = lanescope({QStringLiteral("compare"), s, lock, gc, QStringLiteral("--format"),
                                 QStringLiteral("json")});
        QCOMPARE(j.code, 0);
        const QJsonObject o = QJsonDocument::fromJson(j.out).object();
        const QJsonObject ja = o.value(QStringLiteral("a")).toObject();
        QCOMPARE(ja.value(QStringLiteral("class")).toString(), QStringLiteral("blocked-mutex"));
        QVERIFY(ja.value(QStringLiteral("cause"))
                    .toString()
                    .startsWith(QStringLiteral("138 ms mutex")));
        QVERIFY(ja.value(QStringLiteral("classes"))
                    .toObject()
                    .value(QStringLiteral("server"))
                    .toObject()
                    .value(QStringLiteral("blocked-mutex"))
                    .toDouble() > 1.3e8);
        const QJsonObject classes =
            o.value(QStringLiteral("values")).toObject().value(QStringLiteral("class")).toObject();
        QVERIFY(classes.value(QStringLiteral("gc-assist")).toArray().at(1).toDouble() > 0);
        QVERIFY(classes.value(QStringLiteral("blocked-mutex")).toArray().at(0).toDouble() > 1.3e8);

        QCOMPARE(
            lanescope({QStringLiteral("compare"), s, lock, QStringLiteral("no-such-key")}).code, 1);
        QCOMPARE(lanescope({QStringLiteral("compare"), s, lock}).code, 2);
        QCOMPARE(lanescope({QStringLiteral("compare"), s, lock, gc, QStringLiteral("--format"),
                            QStringLiteral("csv")})
                     .code,
                 2);
        const Run h = lanescope({QStringLiteral("compare"), QStringLiteral("--help")});
        QCOMPARE(h.code, 0);
        QVERIFY(h.out.startsWith("Usage: lanescope compare"));

        // `requests` shows the class in table and JSON, not in the CSV.
        const Run rt = lanescope({QStringLiteral("requests"), s, QStringLiteral("--filter"),
                                  QStringLiteral("key:8c0cccc2")});
        QCOMPARE(rt.code, 0);
        QVERIFY(rt.out.startsWith("KEY"));
        QVERIFY(rt.out.split('\n').first().contains("CLASS"));
        QVERIFY2(rt.out.contains("blocked-mutex"), rt.out.constData());
        QVERIFY2(rt.out.contains("  cause: 138 ms mutex in lock_wait"), rt.out.constData());
        const Run rj = lanescope({QStringLiteral("requests"), s, QStringLiteral("--filter"),
                                  QStringLiteral("class:mutex url:/api/lock"),
                                  QStringLiteral("--format"), QStringLiteral("json")});
        QCOMPARE(rj.code, 0);
        const QJsonArray arr = QJsonDocument::fromJson(rj.out).array();
        QVERIFY(arr.size() > 0);
        bool found = false;
        for (const QJsonValue &v : arr) {
            const QJsonObject r = v.toObject();
            QCOMPARE(r.value(QStringLiteral("class")).toString(), QStringLiteral("blocked-mutex"));
            // The cause and the class breakdown, per side, as the app shows them.
            QVERIFY(r.value(QStringLiteral("cause")).toString().contains(QStringLiteral("mutex")));
            const QJsonObject server = r.value(QStringLiteral("classes"))
                                           .toObject()
                                           .value(QStringLiteral("server"))
                                           .toObject();
            qint64 sum = 0;
            for (auto it = server.begin(); it != server.end(); ++it)
                sum += qint64(it.value().toDouble());
            QVERIFY(sum > 0 && sum <= qint64(r.value(QStringLiteral("duration_ns")).toDouble()));
            found = found || r.value(QStringLiteral("key")).toString() == lock;
        }
        QVERIFY(found);
        const Run rc =
            lanescope({QStringLiteral("requests"), s, QStringLiteral("--slowest"),
                       QStringLiteral("1"), QStringLiteral("--format"), QStringLiteral("csv")});
        QVERIFY(rc.out.startsWith("key,method,url,status,start_ns,duration_ns,dns_ns,connect_ns,"
                                  "tls_ns,send_ns,wait_ns,receive_ns,error\n"));
    }
};

QTEST_GUILESS_MAIN(TstCli)
#include "tst_cli.moc"
