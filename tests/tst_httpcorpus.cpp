// The HTTP side of the generated corpus, imported together: client dumps,
// httptrace events, the server's step log and ApacheBench's results. Checked
// against truth.json (written by the generator from its own records, not
// from these logs) and against the raw bytes of client.log.
//
// Request count: 300 client requests (seen by client and server, one row
// each) plus the 200 ApacheBench requests the server logged with ids it
// generated = 500 logical requests. ab's own rows carry no id and cannot be
// joined to the server's records of the same requests, so they stay separate
// load-test rows (200 of them, one per server-only request); the logical
// count is the non-load-test rows.

#include "testsupport.h"

#include "queries.h"

#include <QFile>
#include <QHash>
#include <QJsonArray>
#include <QJsonDocument>
#include <QJsonObject>
#include <QTest>

using namespace ls;
using ls::test::TempSession;

namespace {

QByteArray readAll(const QString &path)
{
    QFile f(path);
    if (!f.open(QIODevice::ReadOnly)) qFatal("cannot read %s", qPrintable(path));
    return f.readAll();
}

} // namespace

class TestHttpCorpus : public QObject
{
    Q_OBJECT

    std::optional<TempSession> m_s;
    QJsonObject m_truth;

    // The README's ten slowest request keys, in order.
    QStringList readmeSlowestTen() const
    {
        QStringList keys;
        for (const QJsonValue &v : m_truth.value(QStringLiteral("slowest10")).toArray())
            keys << v.toString();
        return keys;
    }
    static QStringList slowestKeys(const Db &db, const RequestQuery &q)
    {
        QStringList keys;
        for (const RequestRow &r : queryRequests(db, q))
            keys << r.key;
        return keys;
    }

private slots:
    void initTestCase()
    {
        m_truth =
            QJsonDocument::fromJson(readAll(ls::test::corpus(QStringLiteral("gen/truth.json"))))
                .object()
                .value(QStringLiteral("main_run"))
                .toObject();
        QVERIFY(!m_truth.isEmpty());
        m_s.emplace();
        for (const char *f :
             {"gen/client.log", "gen/client_httptrace.jsonl", "gen/server.log", "gen/ab.tsv"}) {
            const ImportResult r = m_s->import(ls::test::corpus(QString::fromLatin1(f)));
            QVERIFY2(r.ok, qPrintable(r.error));
        }
    }

    void formats()
    {
        const auto sources = querySources(m_s->session().db());
        QStringList formats;
        for (const SourceRow &s : sources)
            formats << s.format;
        QCOMPARE(formats, QStringList({QStringLiteral("httpdump"), QStringLiteral("httptrace"),
                                       QStringLiteral("steplog"), QStringLiteral("ab")}));
    }

    void requestCount()
    {
        Db &db = m_s->session().db();
        const int client = int(m_truth.value(QStringLiteral("requests")).toArray().size());
        const int serverOnly =
            int(m_truth.value(QStringLiteral("server_only_requests")).toArray().size());
        QCOMPARE(client, 300);
        QCOMPARE(serverOnly, 200);
        auto count = [&](const char *where) {
            return ls::test::queryCsv(db, QStringLiteral("SELECT count(*) FROM request WHERE ") +
                                              QLatin1String(where))
                .split('\n')
                .value(1)
                .toInt();
        };
        QCOMPARE(count("1"), client + serverOnly); // the README's 500, one row each
        // Every client request met its server side, and every ApacheBench
        // result was joined to the server's record of it (by start second and
        // duration: ab sends no request id).
        QCOMPARE(count("side = 'both' AND load_test = 0"), client);
        QCOMPARE(count("side = 'both' AND load_test = 1"), serverOnly);
        QCOMPARE(count("side != 'both'"), 0);
        for (const QJsonValue &v :
             m_truth.value(QStringLiteral("server_only_requests")).toArray()) {
            const auto r = requestByKey(db, v[QStringLiteral("req_id")].toString());
            QVERIFY(r);
            QCOMPARE(r->status, v[QStringLiteral("status")].toInt());
        }
    }

    // The same count with the JSON server log, and with both server logs.
    void requestCountOtherServerLogs_data()
    {
        QTest::addColumn<QStringList>("serverFiles");
        QTest::newRow("server.jsonl") << QStringList{QStringLiteral("gen/server.jsonl")};
        QTest::newRow("both server logs")
            << QStringList{QStringLiteral("gen/server.jsonl"), QStringLiteral("gen/server.log")};
    }

    void requestCountOtherServerLogs()
    {
        QFETCH(QStringList, serverFiles);
        TempSession s;
        QStringList files{QStringLiteral("gen/client.log"),
                          QStringLiteral("gen/client_httptrace.jsonl")};
        files += serverFiles;
        files << QStringLiteral("gen/ab.tsv");
        for (const QString &f : files) {
            const ImportResult r = s.import(ls::test::corpus(f));
            QVERIFY2(r.ok, qPrintable(r.error));
        }
        const QByteArray counts = ls::test::queryCsv(
            s.session().db(), QStringLiteral("SELECT count(*), sum(side = 'both'), "
                                             "sum(load_test = 1), (SELECT count(*) FROM phase "
                                             "WHERE kind = 'step') FROM request"));
        QCOMPARE(counts.split('\n').value(1), QByteArray("500,500,200,1819"));
    }

    // Without the client files, the client run's requests are server-only
    // too; the one second where they overlap ApacheBench's does not balance
    // and is left unjoined rather than guessed.
    void loadTestJoinIsConservative()
    {
        TempSession s;
        for (const char *f : {"gen/ab.tsv", "gen/server.log"}) {
            const ImportResult r = s.import(ls::test::corpus(QLatin1String(f)));
            QVERIFY2(r.ok, qPrintable(r.error));
        }
        const QByteArray counts = ls::test::queryCsv(
            s.session().db(),
            QStringLiteral("SELECT sum(side = 'both' AND load_test = 1), "
                           "sum(side = 'client' AND load_test = 1) FROM request"));
        const QList<QByteArray> c = counts.split('\n').value(1).split(',');
        QCOMPARE(c.value(0).toInt() + c.value(1).toInt(), 200);
        QVERIFY(c.value(0).toInt() >= 150);
        // Joined pairs agree: the client saw at least what the server spent, give or take ab's ms
        // rounding.
        const QByteArray diff = ls::test::queryCsv(
            s.session().db(),
            QStringLiteral("SELECT min((client_end_ns - client_start_ns) - (server_end_ns - "
                           "server_start_ns)) >= -1000000, max((client_end_ns - client_start_ns) - "
                           "(server_end_ns - server_start_ns)) < 5000000 FROM request WHERE side = "
                           "'both'"));
        QCOMPARE(diff.split('\n').value(1), QByteArray("1,1"));
    }

    void everyClientRequestByKey()
    {
        Db &db = m_s->session().db();
        for (const QJsonValue &v : m_truth.value(QStringLiteral("requests")).toArray()) {
            const QString key = v[QStringLiteral("req_id")].toString();
            const auto r = requestByKey(db, key);
            QVERIFY2(r, qPrintable(key));
            QCOMPARE(r->status, v[QStringLiteral("status")].toInt());
            QCOMPARE(r->method, v[QStringLiteral("method")].toString());
            QCOMPARE(r->side, QStringLiteral("both"));
            // Duration is the client-observed latency, to the nanosecond.
            QCOMPARE(r->duration(), v[QStringLiteral("latency_ns")].toInteger());
            QCOMPARE(r->clientStart, v[QStringLiteral("start_unix_ns")].toInteger());
            const QString err = v[QStringLiteral("client_error")].toString();
            if (!err.isEmpty()) QCOMPARE(r->error, err);
        }
    }

    void notableRequests()
    {
        Db &db = m_s->session().db();
        QHash<QString, int> status;
        for (const QJsonValue &v : m_truth.value(QStringLiteral("requests")).toArray())
            status.insert(v[QStringLiteral("req_id")].toString(),
                          v[QStringLiteral("status")].toInt());
        int checked = 0;
        for (const char *list : {"errored", "panicked", "client_errors"}) {
            for (const QJsonValue &v : m_truth.value(QLatin1String(list)).toArray()) {
                const QString key =
                    v.isString() ? v.toString() : v[QStringLiteral("req_id")].toString();
                const auto r = requestByKey(db, key);
                QVERIFY2(r, qPrintable(key));
                QCOMPARE(r->status, status.value(key));
                ++checked;
            }
        }
        QVERIFY(checked >= 18 + 9 + 2);
        const auto timeout =
            requestByKey(db, QStringLiteral("7962a0d9-b134-48f5-8b45-6cf38fbad426"));
        QVERIFY(timeout);
        QCOMPARE(timeout->status, 0);
        QVERIFY(timeout->error.contains(QStringLiteral("context deadline exceeded")));
        const auto head = requestByKey(db, QStringLiteral("1f56901d-49c1-48f1-be31-d85ee4f30d7d"));
        QVERIFY(head);
        QCOMPARE(head->method, QStringLiteral("HEAD"));
        QCOMPARE(head->status, 200);
    }

    void slowestTen()
    {
        // `lanescope requests --slowest 10`, over the requests with client
        // evidence (the README's list is client-observed).
        RequestQuery q;
        q.filter = QStringLiteral("-side:server -loadtest");
        q.limit = 10;
        QCOMPARE(slowestKeys(m_s->session().db(), q), readmeSlowestTen());
    }

    void slowestTenClientFilesOnly()
    {
        // With only the client's files, the plain `requests --slowest 10`
        // (sorted by duration, no filter) is the README's list.
        TempSession s;
        for (const char *f : {"gen/client_httptrace.jsonl", "gen/client.log"})
            QVERIFY(s.import(ls::test::corpus(QLatin1String(f))).ok);
        RequestQuery q;
        q.limit = 10;
        QCOMPARE(slowestKeys(s.session().db(), q), readmeSlowestTen());
    }

    void clientLogAloneIsClose()
    {
        // client.log alone: latency from its `done` lines (µs log times, exact
        // latency): the same ten, each within the log's precision.
        TempSession s;
        QVERIFY(s.import(ls::test::corpus(QStringLiteral("gen/client.log"))).ok);
        RequestQuery q;
        q.limit = 10;
        QCOMPARE(slowestKeys(s.session().db(), q), readmeSlowestTen());
        QCOMPARE(countRequests(s.session().db()), qint64(300));
    }

    void phasesEqualTraceDifferences()
    {
        // Recompute each request's phases from the raw events, independently.
        struct Ev
        {
            QHash<QString, qint64> first; // event -> first ts_ns
        };
        QHash<QString, Ev> evs;
        const QList<QByteArray> lines =
            readAll(ls::test::corpus(QStringLiteral("gen/client_httptrace.jsonl"))).split('\n');
        for (const QByteArray &l : lines) {
            if (l.isEmpty()) continue;
            const QJsonObject o = QJsonDocument::fromJson(l).object();
            Ev &e = evs[o.value(QStringLiteral("req_id")).toString()];
            const QString name = o.value(QStringLiteral("event")).toString();
            const qint64 ts = o.value(QStringLiteral("ts_ns")).toInteger();
            if (!e.first.contains(name)) e.first.insert(name, ts);
        }
        QCOMPARE(evs.size(), 300);
        int withDns = 0, withTls = 0, withConnect = 0;
        for (auto it = evs.cbegin(); it != evs.cend(); ++it) {
            const auto r = requestByKey(m_s->session().db(), it.key());
            QVERIFY(r);
            const auto &f = it.value().first;
            auto diff = [&](const char *a, const char *b) -> qint64 {
                const QString sa = QLatin1String(a), sb = QLatin1String(b);
                return f.contains(sa) && f.contains(sb) ? f.value(sb) - f.value(sa) : -1;
            };
            auto ph = [&](PhaseKind k) { return r->phaseNs[size_t(k)]; };
            QCOMPARE(ph(PhaseKind::Dns), diff("DNSStart", "DNSDone"));
            QCOMPARE(ph(PhaseKind::Connect), diff("ConnectStart", "ConnectDone"));
            QCOMPARE(ph(PhaseKind::Tls), diff("TLSHandshakeStart", "TLSHandshakeDone"));
            QCOMPARE(ph(PhaseKind::Send), diff("WroteHeaders", "WroteRequest"));
            if (f.contains(QStringLiteral("Wait100Continue")))
                QCOMPARE(ph(PhaseKind::Wait), diff("Wait100Continue", "GotFirstResponseByte"));
            else
                QCOMPARE(ph(PhaseKind::Wait), diff("WroteRequest", "GotFirstResponseByte"));
            QCOMPARE(ph(PhaseKind::Receive), diff("GotFirstResponseByte", "request_done"));
            withDns += ph(PhaseKind::Dns) >= 0;
            withTls += ph(PhaseKind::Tls) >= 0;
            withConnect += ph(PhaseKind::Connect) >= 0;
        }
        QCOMPARE(withDns, 17);
        QCOMPARE(withTls, 4);
        QCOMPARE(withConnect, 34);
        // getconn is kept too (not one of the waterfall columns).
        QCOMPARE(
            ls::test::queryCsv(m_s->session().db(),
                               QStringLiteral("SELECT count(*) FROM phase WHERE kind='getconn'")),
            QByteArray("count(*)\n300\n"));
    }

    void rawBytesRoundTrip_data()
    {
        QTest::addColumn<QString>("key");
        QTest::addColumn<qint64>("bodySize");
        QTest::newRow("binary body")
            << QStringLiteral("83437951-fe54-4060-a630-cb05525eb281") << qint64(4096);
        QTest::newRow("200 KB body")
            << QStringLiteral("a324cbbf-73fa-4316-9d8c-a0799c3dc353") << qint64(204981);
    }

    void rawBytesRoundTrip()
    {
        QFETCH(QString, key);
        QFETCH(qint64, bodySize);
        const QByteArray file = readAll(ls::test::corpus(QStringLiteral("gen/client.log")));
        // Find the dump independently: the request line before the key's
        // header, the blank line after it, then Content-Length bytes.
        const qsizetype hdr = file.indexOf(QByteArray("X-Request-Id: " + key.toLatin1() + "\r\n"));
        QVERIFY(hdr > 0);
        const qsizetype start = file.lastIndexOf("Raw outbound request:\n", hdr) + 22;
        const qsizetype headEnd = file.indexOf("\r\n\r\n", hdr) + 4;
        QVERIFY(
            file.mid(start, headEnd - start)
                .contains(QByteArray("Content-Length: " + QByteArray::number(bodySize) + "\r\n")));
        const QByteArray expected = file.mid(start, headEnd - start + bodySize);

        Stmt st(m_s->session().db(),
                "SELECT t.data, t.offset FROM raw_text t JOIN request r ON r.id = t.request_id "
                "WHERE r.key = ? AND t.kind = 'request'");
        st.bindText(1, key);
        QVERIFY(st.step());
        const QByteArray raw = st.text(0);
        QCOMPARE(st.int64(1), qint64(start));
        QCOMPARE(raw.size(), expected.size());
        QVERIFY(raw == expected);
        // And the byte after the body is the log's newline before the next record.
        QCOMPARE(file.at(start + raw.size()), '\n');
        QVERIFY(file.mid(start + raw.size() + 1, 5) == "2026/");
    }

    void everyDumpIsFileBytes()
    {
        // Every dump stored from client.log is the file's bytes at its offset,
        // and is followed by the log's newline and the next record.
        const QByteArray file = readAll(ls::test::corpus(QStringLiteral("gen/client.log")));
        Stmt st(m_s->session().db(),
                "SELECT t.data, t.offset, t.kind FROM raw_text t JOIN source s ON s.id = "
                "t.source_id WHERE s.format = 'httpdump' ORDER BY t.offset");
        int n = 0, chunked = 0, chunkedComplete = 0;
        while (st.step()) {
            const QByteArray data = st.text(0);
            const qint64 off = st.int64(1);
            QVERIFY2(file.mid(off, data.size()) == data, qPrintable(QString::number(off)));
            const qsizetype after = qsizetype(off + data.size());
            const QByteArray next = file.mid(after, 6);
            QVERIFY2(next.startsWith("2026/") || next.startsWith("\n2026/") || after == file.size(),
                     qPrintable(QString::number(off)));
            if (data.contains("Transfer-Encoding: chunked\r\n")) {
                ++chunked;
                chunkedComplete += data.endsWith("\r\n0\r\n\r\n");
            }
            ++n;
        }
        QCOMPARE(n, 300 + 298); // every request; every response but the two timeouts'
        QVERIFY(chunked >= 2);  // the chunked upload and the streamed responses
        QCOMPARE(chunkedComplete, chunked);
    }

    void panics()
    {
        Db &db = m_s->session().db();
        QCOMPARE(
            ls::test::queryCsv(db, QStringLiteral("SELECT count(*), count(DISTINCT i.request_id) "
                                                  "FROM instant i JOIN string s ON "
                                                  "s.id = i.name_id WHERE s.value = 'panic'")),
            QByteArray("count(*),count(DISTINCT i.request_id)\n9,9\n"));
        for (const QJsonValue &v : m_truth.value(QStringLiteral("panicked")).toArray()) {
            const QString key =
                v.isString() ? v.toString() : v[QStringLiteral("req_id")].toString();
            Stmt st(db, "SELECT t.data, l.kind FROM raw_text t JOIN request r ON r.id = "
                        "t.request_id JOIN instant i ON i.request_id = r.id JOIN lane l ON l.id = "
                        "i.lane_id WHERE r.key = ? AND t.kind = 'stack'");
            st.bindText(1, key);
            QVERIFY2(st.step(), qPrintable(key));
            const QByteArray stack = st.text(0);
            QVERIFY(stack.contains("panic recovered"));
            QVERIFY(stack.contains("\ngoroutine "));
            QVERIFY(stack.contains("main.handlePanic"));
            QCOMPARE(st.text(1), QByteArray("goroutine"));
        }
    }
};

QTEST_GUILESS_MAIN(TestHttpCorpus)
#include "tst_httpcorpus.moc"
