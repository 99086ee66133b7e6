// `lanescope capture`: against a local server that serves the corpus's real
// artefacts, and one that misbehaves on purpose (refused, 404, too slow, an
// HTML page, a busy profiler, a truncated body, a redirect to another host):
// a clear message, exit status 1 and the session unchanged. Then end to end
// with the example service and load client in examples/, built with the Go
// toolchain of scripts/packages.txt, on 127.0.0.1 only.

#include "fakeservice.h"
#include "testsupport.h"

#include "queries.h"
#include "registry.h"
#include "session.h"
#include "sha256.h"

#include <QDir>
#include <QElapsedTimer>
#include <QEventLoop>
#include <QFile>
#include <QFileInfo>
#include <QProcess>
#include <QStandardPaths>
#include <QTcpServer>
#include <QTcpSocket>
#include <QTemporaryDir>
#include <QTest>
#include <QTimer>

#include <csignal>
#include <functional>
#include <memory>

using namespace ls;
using namespace ls::test;

namespace {

struct Run
{
    int code = -1;
    QByteArray out, err;
};

// Runs the CLI while this thread's event loop keeps serving the fake server.
Run runCli(const QStringList &args, int timeoutMs = 60000)
{
    QProcess p;
    p.setProgram(QStringLiteral(LANESCOPE_CLI));
    p.setArguments(args);
    QEventLoop loop;
    QObject::connect(&p, &QProcess::finished, &loop, &QEventLoop::quit);
    QObject::connect(&p, &QProcess::errorOccurred, &loop, &QEventLoop::quit);
    QTimer::singleShot(timeoutMs, &loop, &QEventLoop::quit);
    p.start();
    loop.exec();
    if (p.state() != QProcess::NotRunning) {
        p.kill();
        p.waitForFinished();
        qWarning("lanescope %s did not finish in time", qPrintable(args.join(QLatin1Char(' '))));
    }
    return {p.exitCode(), p.readAllStandardOutput(), p.readAllStandardError()};
}

QString findGo()
{
    QString go = QStandardPaths::findExecutable(QStringLiteral("go"));
    if (go.isEmpty())
        go = QStandardPaths::findExecutable(QStringLiteral("go"), {QStringLiteral("/usr/lib/go/bin")});
    return go;
}

} // namespace

class TstCapture : public QObject
{
    Q_OBJECT
    QTemporaryDir m_dir;

    // A session with the corpus's server log, and its digest and file hash.
    QString baseSession(const QString &name, QByteArray *digest, QByteArray *sha)
    {
        const QString path = m_dir.filePath(name);
        QFile::remove(path);
        {
            Session s = Session::open(path);
            const ImportResult r = importFile(s, test::corpus(QStringLiteral("gen/server.jsonl")),
                                              builtinImporters());
            if (!r.ok) qFatal("%s", qPrintable(r.error));
            *digest = test::contentDigest(s.db());
        }
        *sha = fileSha256(path);
        return path;
    }

private slots:
    void capturesEverythingIntoTheSession()
    {
        QByteArray digest, sha;
        const QString session = baseSession(QStringLiteral("good.lanescope"), &digest, &sha);
        // The service logs one line before the window and two during it:
        // only those two are kept.
        const QString log = m_dir.filePath(QStringLiteral("service.jsonl"));
        QFile f(log);
        QVERIFY(f.open(QIODevice::WriteOnly));
        f.write("{\"time\":\"2026-11-27T03:19:07.1Z\",\"level\":\"INFO\",\"msg\":\"before\",\"req_id\":\"old\"}\n");
        f.close();
        FakeService svc([log](const QByteArray &path) {
            if (path.startsWith("/debug/pprof/trace")) {
                QFile f(log);
                f.open(QIODevice::Append);
                f.write("{\"time\":\"2026-11-27T03:19:08.5Z\",\"level\":\"INFO\",\"msg\":\"write_db\","
                        "\"dur_ns\":2000000,\"req_id\":\"during-1\"}\n"
                        "{\"time\":\"2026-11-27T03:19:08.6Z\",\"level\":\"INFO\",\"msg\":\"write_db\","
                        "\"dur_ns\":3000000,\"req_id\":\"during-2\"}\n");
            }
            return goodAnswer(path);
        });
        const Run r = runCli({QStringLiteral("capture"), svc.url(), QStringLiteral("-o"), session,
                              QStringLiteral("--seconds"), QStringLiteral("1"),
                              QStringLiteral("--log"), log});
        QVERIFY2(r.code == 0, r.err.constData());
        QVERIFY2(r.out.contains("requests in"), r.out.constData());
        // Both window fetches ran, with the window's length.
        QVERIFY(svc.paths.contains("/debug/pprof/trace?seconds=1"));
        QVERIFY(svc.paths.contains("/debug/pprof/profile?seconds=1"));
        QVERIFY(svc.paths.contains("/debug/pprof/goroutine?debug=2"));
        Session s = Session::open(session, Session::Open::ReadOnly);
        QStringList formats;
        for (const SourceRow &src : querySources(s.db()))
            formats << QFileInfo(src.path).fileName() + QLatin1Char('=') + src.format;
        for (const char *want : {"trace.out=go-exectrace", "cpu.pprof=pprof",
                                 "goroutines.txt=goroutine-dump", "heap.pprof=pprof",
                                 "mutex.pprof=pprof", "block.pprof=pprof", "service.jsonl=steplog"})
            QVERIFY2(formats.contains(QLatin1String(want)), qPrintable(formats.join(QLatin1Char(' '))));
        // The artefacts stay beside the session.
        const QStringList dirs = QDir(m_dir.path())
                                     .entryList({QStringLiteral("good.lanescope.capture-*")},
                                                QDir::Dirs);
        QCOMPARE(dirs.size(), 1);
        QVERIFY(QFileInfo::exists(m_dir.filePath(dirs[0] + QStringLiteral("/trace.out"))));
        // Only the window's log lines.
        QCOMPARE(test::scalar(s.db(), QStringLiteral("SELECT COUNT(*) FROM request WHERE key IN "
                                                     "('during-1', 'during-2')")),
                 qint64(2));
        QCOMPARE(test::scalar(s.db(), QStringLiteral("SELECT COUNT(*) FROM request WHERE key = 'old'")),
                 qint64(0));
        // The trace's CPU samples and the profile's labels link to requests.
        QVERIFY(test::scalar(s.db(), QStringLiteral("SELECT COUNT(*) FROM sample WHERE request_id "
                                                    "IS NOT NULL")) > 0);
    }

    void failuresLeaveTheSessionUnchanged_data()
    {
        QTest::addColumn<QString>("kind");
        QTest::addColumn<QString>("expect");
        QTest::newRow("refused") << "refused" << "connection refused";
        QTest::newRow("404: pprof not mounted") << "404" << "net/http/pprof is not served there";
        QTest::newRow("too slow") << "slow" << "timed out";
        QTest::newRow("an HTML page") << "html" << "HTML page, not a profile";
        QTest::newRow("busy profiler") << "busy" << "is busy";
        QTest::newRow("truncated trace body") << "truncated" << "trace.out";
        QTest::newRow("cut connection") << "cut" << "bytes (cut)";
        QTest::newRow("redirect to another host") << "redirect" << "redirects elsewhere";
    }

    void failuresLeaveTheSessionUnchanged()
    {
        QFETCH(QString, kind);
        QFETCH(QString, expect);
        QByteArray digest, sha;
        const QString session = baseSession(kind + QStringLiteral(".lanescope"), &digest, &sha);
        FakeService svc([kind](const QByteArray &path) -> QByteArray {
            if (kind == QLatin1String("404")) return response(404, "404 page not found\n", "text/plain");
            if (kind == QLatin1String("slow")) return QByteArray();
            if (kind == QLatin1String("html"))
                return response(200, "<!DOCTYPE html><html><body>Sign in</body></html>", "text/html");
            if (kind == QLatin1String("busy") && path.startsWith("/debug/pprof/profile"))
                return response(500,
                                "Could not enable CPU profiling: cpu profiling already in use\n",
                                "text/plain");
            if (kind == QLatin1String("truncated") && path.startsWith("/debug/pprof/trace")) {
                const QByteArray t = corpusBytes("gen/trace.out");
                return response(200, t.left(t.size() / 3));
            }
            if (kind == QLatin1String("cut") && path.startsWith("/debug/pprof/trace")) {
                const QByteArray t = corpusBytes("gen/trace.out");
                return response(200, t.left(t.size() / 3), "application/octet-stream", t.size());
            }
            if (kind == QLatin1String("redirect"))
                return response(302, QByteArray(), "text/plain", 0,
                                "Location: http://127.0.0.2:9/debug/pprof/trace\r\n");
            return goodAnswer(path);
        });
        QString url = svc.url();
        if (kind == QLatin1String("refused")) {
            QTcpServer closed;
            closed.listen(QHostAddress::LocalHost);
            url = QStringLiteral("http://127.0.0.1:%1").arg(closed.serverPort());
            closed.close();
        }
        QElapsedTimer t;
        t.start();
        const Run r = runCli({QStringLiteral("capture"), url, QStringLiteral("-o"), session,
                              QStringLiteral("--seconds"), QStringLiteral("1"),
                              QStringLiteral("--timeout"), QStringLiteral("2s")});
        QCOMPARE(r.code, 1);
        QVERIFY2(r.err.contains(expect.toUtf8()), r.err.constData());
        QVERIFY2(r.err.contains("unchanged"), r.err.constData());
        QVERIFY(t.elapsed() < 30000); // bounded: the window, the slack, and no retry loop
        QCOMPARE(fileSha256(session), sha);
        Session s = Session::open(session, Session::Open::ReadOnly);
        QCOMPARE(test::contentDigest(s.db()), digest);
        QVERIFY(!QFileInfo::exists(session + QStringLiteral(".capture-tmp")));
    }

    // Ctrl+C during the window: the capture stops at once, exit status 1,
    // the session as it was.
    void interruptCancels()
    {
        QByteArray digest, sha;
        const QString session = baseSession(QStringLiteral("interrupt.lanescope"), &digest, &sha);
        FakeService silent([](const QByteArray &) { return QByteArray(); });
        QProcess p;
        p.setProgram(QStringLiteral(LANESCOPE_CLI));
        p.setArguments({QStringLiteral("capture"), silent.url(), QStringLiteral("-o"), session,
                        QStringLiteral("--seconds"), QStringLiteral("30")});
        QEventLoop loop;
        QObject::connect(&p, &QProcess::finished, &loop, &QEventLoop::quit);
        QTimer::singleShot(1500, &p, [&p] { ::kill(pid_t(p.processId()), SIGINT); });
        QTimer::singleShot(20000, &loop, &QEventLoop::quit);
        QElapsedTimer t;
        t.start();
        p.start();
        loop.exec();
        QCOMPARE(p.state(), QProcess::NotRunning);
        QVERIFY(t.elapsed() < 10000); // not the 30 s window
        QCOMPARE(p.exitCode(), 1);
        const QByteArray err = p.readAllStandardError();
        QVERIFY2(err.contains("cancelled") && err.contains("unchanged"), err.constData());
        QCOMPARE(fileSha256(session), sha);
    }

    void badArguments()
    {
        const QString session = m_dir.filePath(QStringLiteral("args.lanescope"));
        for (const QStringList &args :
             {QStringList{QStringLiteral("capture"), QStringLiteral("ftp://127.0.0.1:1"),
                          QStringLiteral("-o"), session},
              QStringList{QStringLiteral("capture"), QStringLiteral("http://127.0.0.1:1")},
              QStringList{QStringLiteral("capture"), QStringLiteral("127.0.0.1:1"),
                          QStringLiteral("-o"), session, QStringLiteral("--seconds"),
                          QStringLiteral("zero")}}) {
            const Run r = runCli(args);
            QCOMPARE(r.code, 2);
            QVERIFY(!r.err.isEmpty());
        }
        const Run r = runCli({QStringLiteral("capture"), QStringLiteral("127.0.0.1:1"),
                              QStringLiteral("-o"), session, QStringLiteral("--log"),
                              m_dir.filePath(QStringLiteral("no-such.log"))});
        QCOMPARE(r.code, 1);
        QVERIFY(r.err.contains("no such file"));
        QVERIFY(!QFileInfo::exists(session));
    }

    // The example service and load client, built from examples/ with the Go
    // kit, on 127.0.0.1: capture the service with its log while the client
    // runs, import the client's httptrace lines, and check that requests have
    // client phases, server steps, a handler goroutine and CPU samples joined
    // by request id, and the classes their situations should give.
    void endToEndWithTheExampleService()
    {
        const QString go = findGo();
        QVERIFY2(!go.isEmpty(), "no Go toolchain: scripts/setup.sh installs golang-go");
        const QString bin = m_dir.filePath(QStringLiteral("bin"));
        QProcessEnvironment env = QProcessEnvironment::systemEnvironment();
        env.insert(QStringLiteral("GOPROXY"), QStringLiteral("off")); // never the network
        env.insert(QStringLiteral("GOFLAGS"), QStringLiteral("-mod=mod"));
        env.insert(QStringLiteral("GOTOOLCHAIN"), QStringLiteral("local"));
        env.insert(QStringLiteral("GOCACHE"), QStringLiteral(LANESCOPE_GO_CACHE));
        env.insert(QStringLiteral("GOPATH"), QStringLiteral(LANESCOPE_GO_CACHE "/path"));
        QProcess build;
        build.setProcessEnvironment(env);
        build.setWorkingDirectory(QStringLiteral(LANESCOPE_SOURCE_DIR "/examples"));
        build.start(go, {QStringLiteral("build"), QStringLiteral("-o"), bin + QLatin1Char('/'),
                         QStringLiteral("./service"), QStringLiteral("./load")});
        QVERIFY(build.waitForFinished(300000));
        QVERIFY2(build.exitCode() == 0, build.readAllStandardError().constData());

        const QString addrFile = m_dir.filePath(QStringLiteral("addr"));
        const QString log = m_dir.filePath(QStringLiteral("e2e-service.jsonl"));
        QProcess service;
        service.start(bin + QStringLiteral("/service"),
                      {QStringLiteral("-addr"), QStringLiteral("127.0.0.1:0"),
                       QStringLiteral("-addr-file"), addrFile, QStringLiteral("-log"), log,
                       QStringLiteral("-max-life"), QStringLiteral("90s")});
        QVERIFY(service.waitForStarted());
        QTRY_VERIFY_WITH_TIMEOUT(QFileInfo(addrFile).size() > 0, 10000);
        const QString addr = QString::fromLatin1(test::readFile(addrFile)).trimmed();
        QVERIFY(addr.startsWith(QLatin1String("127.0.0.1:")));
        const QString clientTrace = m_dir.filePath(QStringLiteral("e2e-client.jsonl"));
        QProcess load;
        load.start(bin + QStringLiteral("/load"),
                   {QStringLiteral("-url"), QStringLiteral("http://") + addr, QStringLiteral("-n"),
                    QStringLiteral("0"), QStringLiteral("-duration"), QStringLiteral("5s"),
                    QStringLiteral("-c"), QStringLiteral("6"), QStringLiteral("-trace"), clientTrace,
                    QStringLiteral("-paths"),
                    QStringLiteral("/api/lock,/api/lock,/api/lock,/api/downstream,/api/alloc,"
                                   "/api/delay,/api/panic,/api/flaky")});
        QVERIFY(load.waitForStarted());
        const QString session = m_dir.filePath(QStringLiteral("e2e.lanescope"));
        const Run r = runCli({QStringLiteral("capture"), QStringLiteral("http://") + addr,
                              QStringLiteral("-o"), session, QStringLiteral("--seconds"),
                              QStringLiteral("3"), QStringLiteral("--log"), log});
        QVERIFY(load.waitForFinished(30000));
        service.terminate();
        service.waitForFinished(5000);
        QVERIFY2(r.code == 0, r.err.constData());
        QVERIFY2(load.exitCode() == 0, load.readAllStandardError().constData());
        {
            Session s = Session::open(session);
            const ImportResult c = importFile(s, clientTrace, builtinImporters());
            QVERIFY2(c.ok, qPrintable(c.error));
        }
        Session s = Session::open(session, Session::Open::ReadOnly);
        const Db &db = s.db();
        // Joined by request id: client phases, server steps, a handler
        // goroutine (the trace's task) and CPU samples on one request.
        const qint64 joined = test::scalar(
            db, QStringLiteral(
                    "SELECT COUNT(*) FROM request r WHERE EXISTS (SELECT 1 FROM phase p WHERE "
                    "p.request_id = r.id AND p.side = 'client') AND EXISTS (SELECT 1 FROM phase p "
                    "WHERE p.request_id = r.id AND p.kind = 'step') AND EXISTS (SELECT 1 FROM "
                    "span s WHERE s.request_id = r.id)"));
        QVERIFY2(joined >= 20, qPrintable(QString::number(joined)));
        QVERIFY(test::scalar(db, QStringLiteral("SELECT COUNT(*) FROM sample s JOIN request r ON "
                                                "r.id = s.request_id")) > 0);
        // The situations' classes.
        auto classed = [&db](const char *url, const char *cls) {
            return test::scalar(
                db, QStringLiteral("SELECT COUNT(*) FROM request r JOIN request_class c ON "
                                   "c.request_id = r.id WHERE r.url = '%1' AND c.class = '%2'")
                        .arg(QLatin1String(url), QLatin1String(cls)));
        };
        QVERIFY2(classed("/api/lock", "blocked-mutex") > 0, "no mutex wait on /api/lock");
        QVERIFY2(classed("/api/downstream", "blocked-net") > 0, "no network wait on /api/downstream");
        QVERIFY2(classed("/api/alloc", "gc-assist") + classed("/api/alloc", "stw") > 0,
                 "no GC on /api/alloc");
        QVERIFY(test::scalar(db, QStringLiteral("SELECT COUNT(*) FROM request WHERE url = "
                                                "'/api/lock' AND dominant_class = "
                                                "'blocked-mutex'")) > 0);
        QVERIFY(test::scalar(db, QStringLiteral("SELECT COUNT(*) FROM request WHERE url = "
                                                "'/api/downstream' AND dominant_class = "
                                                "'blocked-net'")) > 0);
        // The panic and the flaky 500s.
        QVERIFY(test::scalar(db, QStringLiteral("SELECT COUNT(*) FROM raw_text WHERE kind = "
                                                "'stack'")) > 0);
        QVERIFY(test::scalar(db, QStringLiteral("SELECT COUNT(*) FROM request WHERE url LIKE "
                                                "'%/api/flaky' AND status = 500")) > 0);
    }
};

QTEST_GUILESS_MAIN(TstCapture)
#include "tst_capture.moc"
