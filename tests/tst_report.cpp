// Reports and redaction: secrets never leave the tool unless asked, text from
// traces is escaped, every note appears, and the renderers keep raw bytes
// that are not secrets exactly as they were.

#include "annotations.h"
#include "batchwriter.h"
#include "palette.h"
#include "redact.h"
#include "report.h"
#include "testsupport.h"

#include <QDir>
#include <QRegularExpression>
#include <QTemporaryDir>
#include <QTest>

using namespace ls;

namespace {

const QByteArray kDump = "GET /api/orders?id=7&access_token=fake-tok-123&lang=en HTTP/1.1\r\n"
                         "Host: 127.0.0.1:8080\r\n"
                         "Authorization: Bearer fake.eyJhbGciOiJIUzI1NiJ9.sig\r\n"
                         "Cookie: session_id=fake-sess-1; csrftoken=fake-csrf-2\r\n"
                         "X-Api-Key: fake-key-3\r\n"
                         "X-Request-Id: r-1\r\n"
                         "Content-Type: application/json\r\n"
                         "\r\n"
                         "{\"user\":\"ann\",\"password\":\"fake-pw-4\",\"nested\":{\"client_"
                         "secret\":\"fake-cs-5\",\"n\":1},"
                         "\"note\":\"<script>alert(1)</script>\",\"refresh_token\":12345}";

} // namespace

class TstReport : public QObject
{
    Q_OBJECT
private slots:
    void redactsHttp()
    {
        const QByteArray r = redactHttp(kDump, RedactionRules::defaults());
        for (const char *secret : {"fake-tok-123", "fake.eyJ", "fake-sess-1", "fake-csrf-2",
                                   "fake-key-3", "fake-pw-4", "fake-cs-5", "12345"})
            QVERIFY2(!r.contains(secret), secret);
        QVERIFY(r.contains("Authorization: Bearer [redacted]\r\n"));
        QVERIFY(r.contains("Cookie: [redacted]\r\n"));
        QVERIFY(r.contains("?id=7&access_token=[redacted]&lang=en HTTP/1.1\r\n"));
        QVERIFY(r.contains("\"password\":\"[redacted]\""));
        // What is not secret stays byte for byte.
        QVERIFY(r.contains("X-Request-Id: r-1\r\n"));
        QVERIFY(r.contains("\"user\":\"ann\""));
        QVERIFY(r.contains("\"n\":1"));
    }

    void redactsFormBodiesAndExtraHeaders()
    {
        RedactionRules rules = RedactionRules::defaults();
        rules.addHeaders({QStringLiteral("X-Tenant-Secret")});
        const QByteArray raw = "POST /login HTTP/1.1\r\nX-Tenant-Secret: "
                               "abc\r\n\r\nuser=ann&password=hunter2&remember=1";
        const QByteArray r = redactHttp(raw, rules);
        QVERIFY(!r.contains("hunter2"));
        QVERIFY(!r.contains("abc"));
        QVERIFY(r.contains("user=ann&password=[redacted]&remember=1"));
    }

    void keepsBinaryBytes()
    {
        QByteArray bin;
        for (int i = 0; i < 256; ++i)
            bin += char(i);
        const QByteArray raw = "POST /upload HTTP/1.1\r\nContent-Length: 256\r\n\r\n" + bin;
        QCOMPARE(redactHttp(raw, RedactionRules::defaults()), raw);
    }

    void redactsUrls()
    {
        QCOMPARE(redactUrl("https://h/p?q=1&api_key=xyz&sig=abc", RedactionRules::defaults()),
                 QByteArray("https://h/p?q=1&api_key=[redacted]&sig=[redacted]"));
        QCOMPARE(redactUrl("/plain/path", RedactionRules::defaults()), QByteArray("/plain/path"));
    }

    void displayTextEscapesControlBytes()
    {
        // CRLF reads as one line break (a PDF broke twice); a lone CR stays.
        QCOMPARE(displayText(QByteArray("a\x00"
                                        "b\r\n\xff\xc3\xa9\rx",
                                        10)),
                 QStringLiteral("a\\x00b\n\\xffé\rx"));
    }

    void htmlReport()
    {
        test::TempSession ts;
        Db &db = ts.session().db();
        // A session with one request carrying the dump above, two notes.
        inTransaction(db, [&] {
            test::addTestSource(db, 1, QStringLiteral("/x/<b>client</b>.log"));
            BatchWriter w(db, 1);
            RequestRecord r;
            r.key = "r-1";
            r.side = Side::Client;
            r.method = "GET";
            r.url = "/api/orders?id=7&access_token=fake-tok-123";
            r.status = 500;
            r.start = 1000000;
            r.end = 9000000;
            const RequestId id = w.request(r);
            PhaseRecord p;
            p.request = id;
            p.side = Side::Client;
            p.kind = "wait";
            p.start = 2000000;
            p.end = 8000000;
            w.phase(p);
            RawTextRecord t;
            t.request = id;
            t.side = Side::Client;
            t.kind = "request";
            t.data = kDump;
            t.line = 12;
            w.rawText(t);
            w.finish();
        });
        addRequestNote(db, QStringLiteral("r-1"),
                       QStringLiteral("first <img src=x onerror=alert(1)> note"));
        addRangeNote(db, 1000, 2000, QStringLiteral("second note & more"));
        ReportOptions opt;
        const ReportData d = buildReport(db, ts.path(), opt);
        QCOMPARE(d.count, qint64(1));
        QCOMPARE(d.errors, qint64(1));
        const QByteArray html = renderHtml(d);
        for (const char *secret :
             {"fake-tok-123", "fake.eyJ", "fake-sess-1", "fake-key-3", "fake-pw-4", "fake-cs-5"})
            QVERIFY2(!html.contains(secret), secret);
        // Trace text is escaped: no live markup from the trace.
        QVERIFY(!html.contains("<script>"));
        QVERIFY(html.contains("&lt;script&gt;alert(1)&lt;/script&gt;"));
        QVERIFY(!html.contains("<img src=x"));
        QVERIFY(html.contains("first &lt;img src=x onerror=alert(1)&gt; note"));
        QVERIFY(html.contains("second note &amp; more"));
        QVERIFY(!html.contains("<b>client</b>"));
        // Self-contained: no external URL is loaded.
        QVERIFY(!html.contains("src=\"http"));
        QVERIFY(!html.contains("href=\"http"));
        QVERIFY(!html.contains("<link"));
        QVERIFY(html.contains("<svg"));
        QVERIFY(html.contains("Redaction rules in force"));

        ReportOptions raw = opt;
        raw.redact = false;
        const QByteArray unredacted = renderHtml(buildReport(db, ts.path(), raw));
        QVERIFY(unredacted.contains("fake-pw-4"));
        QVERIFY(unredacted.contains("Redaction was switched off"));

        QTemporaryDir dir;
        const QByteArray md =
            renderMarkdown(d, dir.filePath(QStringLiteral("r_files")), QStringLiteral("r"));
        QVERIFY(!md.contains("fake-pw-4"));
        QVERIFY(md.contains("![histogram](r_files/r-histogram.svg)"));
        QVERIFY(QFile::exists(dir.filePath(QStringLiteral("r_files/r-waterfall-1.svg"))));
        QVERIFY(md.contains("first &lt;img src=x onerror=alert(1)&gt; note"));
    }

    void corpusReportHasNoSecrets()
    {
        // Every request of the gen corpus in the report, raw dumps included:
        // its fake secrets (Bearer tokens, session cookies, all starting with
        // "fake") must all be redacted, in HTML and in Markdown.
        test::TempSession ts;
        for (const char *f : {"gen/client.log", "gen/client_httptrace.jsonl", "gen/server.jsonl"})
            QVERIFY(ts.import(test::corpus(QLatin1String(f))).ok);
        addRequestNote(ts.session().db(), QStringLiteral("5cef6b17-f9bd-4457-90b9-58958d45a37a"),
                       QStringLiteral("authenticated request, token redacted"));
        ReportOptions opt;
        opt.top = 1000;
        const ReportData d = buildReport(ts.session().db(), ts.path(), opt);
        QCOMPARE(d.count, qint64(500));
        qint64 rawWithAuth = 0;
        for (const ReportRequest &r : d.slowest)
            for (const ReportRaw &raw : r.raw)
                rawWithAuth += raw.data.contains("Authorization: Bearer [redacted]") ? 1 : 0;
        QCOMPARE(rawWithAuth, qint64(39)); // the corpus's 39 authenticated requests
        const QByteArray html = renderHtml(d);
        QVERIFY(html.contains("Cookie: [redacted]"));
        QVERIFY(!html.contains("fake"));
        QTemporaryDir dir;
        const QByteArray md =
            renderMarkdown(d, dir.filePath(QStringLiteral("r_files")), QStringLiteral("r"));
        QVERIFY(!md.contains("fake"));
        QVERIFY(html.contains("authenticated request, token redacted"));
    }

    void notesApi()
    {
        test::TempSession ts;
        Db &db = ts.session().db();
        QVERIFY(ts.import(test::testData(QStringLiteral("steplog/shapes.log"))).ok);
        const qint64 a = addRequestNote(db, QStringLiteral("r1"), QStringLiteral("slow parse"),
                                        QStringLiteral("#ff0000"));
        const qint64 b = addRangeNote(db, 10, 20, QStringLiteral("gc storm"));
        QVERIFY_THROWS_EXCEPTION(DbError,
                                 addRequestNote(db, QStringLiteral("nope"), QStringLiteral("x")));
        QVERIFY_THROWS_EXCEPTION(DbError, addRangeNote(db, 20, 10, QStringLiteral("x")));
        QVERIFY_THROWS_EXCEPTION(DbError,
                                 addRequestNote(db, QStringLiteral("r1"), QStringLiteral("  ")));
        QVERIFY_THROWS_EXCEPTION(
            DbError,
            addRequestNote(db, QStringLiteral("r1"), QStringLiteral("x"), QStringLiteral("red")));
        updateNote(db, a, QStringLiteral("slow parse, edited"));
        QList<Note> notes = listNotes(db);
        QCOMPARE(notes.size(), 2);
        QCOMPARE(notes[0].id, b); // range at t=10 comes before the request
        QCOMPARE(notes[1].text, QStringLiteral("slow parse, edited"));
        QCOMPARE(notes[1].colour, QStringLiteral("#ff0000"));
        QCOMPARE(notes[1].requestKey, QStringLiteral("r1"));
        deleteNote(db, b);
        QCOMPARE(listNotes(db).size(), 1);
        QVERIFY_THROWS_EXCEPTION(DbError, deleteNote(db, b));
    }
    void latencyClassBars()
    {
        // Slowest requests with an execution trace get a class bar after
        // their waterfall, in HTML and Markdown.
        test::TempSession ts;
        QVERIFY(ts.import(test::corpus(QStringLiteral("gen/server.jsonl"))).ok);
        QVERIFY(ts.import(test::corpus(QStringLiteral("gen/trace.out"))).ok);
        ReportOptions o;
        o.top = 3;
        o.filter = QStringLiteral("key:8c0cccc2-a950-4752-a9c7-f8ae43c91204");
        const ReportData d = buildReport(ts.session().db(), ts.path(), o);
        QCOMPARE(d.slowest.size(), size_t(1));
        QCOMPARE(d.slowest[0].classes.dominant, QStringLiteral("blocked-mutex"));
        const QByteArray svg = classBreakdownSvg(d.slowest[0]);
        QVERIFY(svg.startsWith("<svg"));
        QVERIFY(svg.contains("blocked-mutex"));
        QVERIFY(svg.contains(palette::classColour("blocked-mutex")));
        const QByteArray html = renderHtml(d);
        QVERIFY(html.contains("latency classes"));
        QVERIFY(html.contains("mostly <b>blocked-mutex</b>"));
        // The cause line, as the app and `requests` show it.
        const QString cause = d.slowest[0].row.cause;
        QVERIFY(cause.startsWith(QStringLiteral("138 ms mutex in lock_wait")));
        const QByteArray causeHtml = "<p class=\"cause\">Cause: " + cause.toHtmlEscaped().toUtf8();
        QVERIFY(html.contains(causeHtml));
        QTemporaryDir dir;
        const QByteArray md = renderMarkdown(d, dir.path(), QStringLiteral("r"));
        QVERIFY2(md.contains("r-classes-1.svg"), md.constData());
        const QByteArray causeMd = "Cause: " + cause.toUtf8();
        QVERIFY2(md.contains(causeMd), md.constData());
        QVERIFY(QFile::exists(dir.filePath(QStringLiteral("r-classes-1.svg"))));
        // No classes, no bar.
        ReportRequest none;
        QVERIFY(classBreakdownSvg(none).isEmpty());
    }
};

QTEST_GUILESS_MAIN(TstReport)
#include "tst_report.moc"
