// The command-line front end as a user runs it: the real executable, its
// output formats, exit codes and help texts.

#include "queries.h"
#include "testsupport.h"

#include <QJsonArray>
#include <QJsonDocument>
#include <QJsonObject>
#include <QProcess>
#include <QTemporaryDir>
#include <QTest>

using namespace ls;

namespace {

struct Run
{
    int code = -1;
    QByteArray out, err;
};

Run lanescope(const QStringList &args)
{
    QProcess p;
    p.setProgram(QStringLiteral(LANESCOPE_BIN));
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
};

QTEST_GUILESS_MAIN(TstCli)
#include "tst_cli.moc"
