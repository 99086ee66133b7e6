// The limits of core/importlimits.h (docs/limits.md), importer by importer:
// an input just past each one imports with a diagnostic that names the limit,
// or fails with an error that does and leaves the session as it was. Nothing
// past a limit is allocated: the length fields below ask for terabytes.

#include "importlimits.h"
#include "inputstream.h"
#include "testsupport.h"

#include <QTemporaryDir>
#include <QTest>

using namespace ls;

namespace {

const QByteArray kLong(int(limits::kLineBytes) + 4096, 'a');

QByteArray nestedJson(qint64 depth)
{
    return QByteArray(qsizetype(depth), '[') + QByteArray(qsizetype(depth), ']');
}

QByteArray lines(const QString &corpusFile, int n)
{
    const QList<QByteArray> all = test::readFile(test::corpus(corpusFile)).split('\n');
    QByteArray out;
    for (int i = 0; i < n && i < all.size(); ++i)
        out += all[i] + '\n';
    return out;
}

QByteArray steplogLines()
{
    return "{\"time\":\"2026-11-27T03:19:07.625137372Z\",\"level\":\"INFO\",\"msg\":\"request_start\","
           "\"method\":\"GET\",\"path\":\"/a\",\"req_id\":\"r1\"}\n"
           "{\"time\":\"2026-11-27T03:19:07.725137372Z\",\"level\":\"INFO\",\"msg\":\"access\","
           "\"status\":200,\"dur_ns\":100000000,\"req_id\":\"r1\"}\n";
}

// A text-form Go 1.22 execution trace of one generation with the given
// Stacks and Strings batch bodies.
QByteArray textTrace(const QByteArray &stacks, const QByteArray &strings)
{
    return "Trace Go1.22\n" +
           test::goTextGeneration(1, 100, "ProcStatus dt=1 p=0 pstatus=1\nGoStatus dt=1 g=1 m=0 gstatus=2\n",
                                  stacks, strings);
}

QByteArray uvarint(quint64 v)
{
    QByteArray out;
    do {
        char b = char(v & 0x7f);
        v >>= 7;
        if (v) b = char(b | 0x80);
        out += b;
    } while (v);
    return out;
}

} // namespace

class TestLimits : public QObject
{
    Q_OBJECT
private slots:
    void limitsAreStated();
    void readAllNamesItsLimit();
    void pastTheLimit_data();
    void pastTheLimit();
};

// The diagnostics say the limits in the units docs/limits.md uses.
void TestLimits::limitsAreStated()
{
    QCOMPARE(limits::bytesText(limits::kLineBytes), QStringLiteral("1 MiB"));
    QCOMPARE(limits::bytesText(limits::kWholeFileBytes), QStringLiteral("2 GiB"));
    QCOMPARE(limits::bytesText(limits::kRecordBytes), QStringLiteral("64 MiB"));
    QCOMPARE(limits::bytesText(limits::kBodyBytes), QStringLiteral("256 MiB"));
    QCOMPARE(limits::bytesText(1536), QStringLiteral("1536 bytes"));
    QCOMPARE(limits::bytesText(4096), QStringLiteral("4 KiB"));
    const QString doc = QString::fromUtf8(
        test::readFile(QStringLiteral(LANESCOPE_SOURCE_DIR "/docs/limits.md")));
    for (const QString &stated :
         {QStringLiteral("1 MiB"), QStringLiteral("2 GiB"), QStringLiteral("64 MiB"),
          QStringLiteral("256 MiB"), QString::number(limits::kStackFrames),
          QString::number(limits::kNestingDepth), QString::number(limits::kJsonDepth)})
        QVERIFY2(doc.contains(stated), qPrintable(stated));
}

// A format read whole refuses a file past its limit before holding more of it.
void TestLimits::readAllNamesItsLimit()
{
    InputStream in(QByteArray(8 << 20, 'x'), QStringLiteral("big"));
    try {
        in.readAll(4 << 20);
        QFAIL("no error past the limit");
    } catch (const ImportError &e) {
        QVERIFY2(e.reason().contains(QStringLiteral("larger than 4 MiB")), qPrintable(e.reason()));
    }
}

void TestLimits::pastTheLimit_data()
{
    QTest::addColumn<QByteArray>("format");
    QTest::addColumn<QByteArray>("bytes");
    QTest::addColumn<QByteArray>("code"); // a diagnostic; empty: the import fails
    QTest::addColumn<QString>("says");    // in the diagnostic's or the error's message

    const QString line = QStringLiteral("longer than 1 MiB (the limit for one line)");
    QTest::newRow("steplog: line") << QByteArray("steplog") << steplogLines() + kLong + '\n'
                                   << QByteArray("line-too-long") << line;
    QTest::newRow("steplog: JSON nesting")
        << QByteArray("steplog") << steplogLines() + "{\"a\":" + nestedJson(1100) + "}\n"
        << QByteArray("bad-json") << QStringLiteral("nested deeper than 1024 levels");
    QTest::newRow("httptrace: line")
        << QByteArray("httptrace") << lines(QStringLiteral("gen/client_httptrace.jsonl"), 40) + kLong + '\n'
        << QByteArray("line-too-long") << line;
    QTest::newRow("vegeta: line")
        << QByteArray("vegeta")
        << QByteArray("1795749552000000000,200,12500000,0,13,,,load,0,GET,http://h/a,\n") + kLong + '\n'
        << QByteArray("line-too-long") << line;
    QTest::newRow("gctrace: line")
        << QByteArray("gctrace") << lines(QStringLiteral("gen/server_stderr_gctrace.txt"), 20) + kLong + '\n'
        << QByteArray("line-too-long") << line;
    QTest::newRow("schedtrace: line")
        << QByteArray("schedtrace") << lines(QStringLiteral("gen/schedtrace_stderr.txt"), 20) + kLong + '\n'
        << QByteArray("line-too-long") << line;
    QTest::newRow("ab: line") << QByteArray("ab") << lines(QStringLiteral("gen/ab.tsv"), 5) + kLong + '\n'
                              << QByteArray("line-too-long") << line;
    QTest::newRow("dlv trace: line")
        << QByteArray("dlv-trace") << lines(QStringLiteral("gen/dlv_trace_handlers.txt"), 8) + kLong + '\n'
        << QByteArray("line-too-long") << line;
    QTest::newRow("folded: line") << QByteArray("folded") << QByteArray("main;f 1\n") + kLong + " 1\n"
                                  << QByteArray("line-too-long") << line;
    QTest::newRow("goroutine dump: line")
        << QByteArray("goroutine-dump") << lines(QStringLiteral("gen/goroutine_stacks.txt"), 12) + kLong + '\n'
        << QByteArray("line-too-long") << line;

    QByteArray deepDump = "goroutine 1 [running]:\n";
    for (qint64 i = 0; i <= limits::kStackFrames; ++i)
        deepDump += "main.f" + QByteArray::number(i) + "()\n\t/src/main.go:" + QByteArray::number(i + 1) + " +0x1\n";
    QTest::newRow("goroutine dump: stack depth")
        << QByteArray("goroutine-dump") << deepDump << QByteArray("stack-too-deep")
        << QStringLiteral("more than 1000 frames (the limit for one stack)");

    QByteArray deepCalls;
    for (qint64 i = 0; i <= limits::kNestingDepth; ++i)
        deepCalls += "> goroutine(1): main.f" + QByteArray::number(i) + "()\n";
    QTest::newRow("dlv trace: nesting") << QByteArray("dlv-trace") << deepCalls << QByteArray("too-deep")
                                        << QStringLiteral("deeper than 10000 (the limit for nesting)");

    const QByteArray dumpHead = "2026/11/27 03:19:07.625137 outbound request\n"
                                "POST /a HTTP/1.1\r\nHost: h\r\n";
    QTest::newRow("httpdump: Content-Length")
        << QByteArray("httpdump") << dumpHead + "Content-Length: 999999999999999\r\n\r\nhello\n"
        << QByteArray("body-too-large") << QStringLiteral("beyond 256 MiB (the limit for one body)");
    QTest::newRow("httpdump: chunk size")
        << QByteArray("httpdump")
        << dumpHead + "Transfer-Encoding: chunked\r\n\r\nffffffffffff\r\nhello\r\n0\r\n\r\n"
        << QByteArray("bad-chunk") << QStringLiteral("beyond 256 MiB (the limit for one body)");

    const QString nesting = QStringLiteral("nested deeper than 1024 levels (the limit for one JSON document)");
    QTest::newRow("har: JSON nesting")
        << QByteArray("har") << "{\"log\":{\"entries\":[{\"x\":" + nestedJson(1100) + "}]}}"
        << QByteArray() << nesting;
    QTest::newRow("otlp: JSON nesting")
        << QByteArray("otlp-json") << "{\"resourceSpans\":[{\"x\":" + nestedJson(1100) + "}]}"
        << QByteArray() << nesting;
    QTest::newRow("jaeger: JSON nesting")
        << QByteArray("jaeger-json") << "{\"data\":[{\"traceID\":\"1\",\"spans\":" + nestedJson(1100) + "}]}"
        << QByteArray() << nesting;
    QTest::newRow("chrome: JSON nesting")
        << QByteArray("chrome-json")
        << "{\"traceEvents\":[{\"ph\":\"X\",\"ts\":1,\"dur\":1,\"pid\":1,\"tid\":1,\"name\":\"a\"},"
           "{\"ph\":\"X\",\"ts\":2,\"args\":" + nestedJson(1100) + "}]}"
        << QByteArray("bad-event-json") << nesting;

    QByteArray deepStack = "Stack id=1 nframes=" + QByteArray::number(limits::kStackFrames + 1) + "\n";
    for (qint64 i = 0; i <= limits::kStackFrames; ++i)
        deepStack += "pc=" + QByteArray::number(i + 1) + " func=0 file=0 line=1\n";
    QTest::newRow("Go 1.22 trace: stack depth")
        << QByteArray("go-exectrace") << textTrace(deepStack, QByteArray()) << QByteArray("bad-batch")
        << QStringLiteral("1001 frames is deeper than 1000 (the limit for one stack)");
    QTest::newRow("Go 1.22 trace: string")
        << QByteArray("go-exectrace")
        << textTrace(QByteArray(), "String id=1\ndata=\"" + kLong + "\"\n") << QByteArray("bad-batch")
        << QStringLiteral("longer than 1 MiB (the limit for one string)");
    // A batch header asking for a terabyte: refused from the header alone.
    QByteArray huge("go 1.22 trace\0\0\0", 16);
    huge += char(1) + uvarint(1) + uvarint(0) + uvarint(100) + uvarint(quint64(1) << 40);
    QTest::newRow("Go 1.22 trace: batch size")
        << QByteArray("go-exectrace") << huge << QByteArray()
        << QStringLiteral("larger than 64 MiB (the limit for one batch");
}

void TestLimits::pastTheLimit()
{
    QFETCH(QByteArray, format);
    QFETCH(QByteArray, bytes);
    QFETCH(QByteArray, code);
    QFETCH(QString, says);
    test::TempSession s;
    QTemporaryDir dir;
    // Something already in the session, which a failed import must keep as it was.
    QVERIFY(s.import(test::writeFile(dir, QStringLiteral("before.jsonl"), steplogLines())).ok);
    const QByteArray before = test::contentDigest(s.session().db());

    ImportOptions opt;
    opt.format = format;
    const ImportResult r = s.import(test::writeFile(dir, QStringLiteral("input"), bytes), opt);
    if (code.isEmpty()) {
        QVERIFY2(!r.ok, "imported past the limit");
        QVERIFY2(r.error.contains(says), qPrintable(r.error));
        QVERIFY2(r.error.contains(QStringLiteral("input")), qPrintable(r.error)); // names the file
        QCOMPARE(test::contentDigest(s.session().db()), before);
        return;
    }
    QVERIFY2(r.ok, qPrintable(r.error));
    QString got;
    for (const DiagnosticInfo &d : r.diagnostics) {
        got += QString::fromLatin1(d.code) + QStringLiteral(": ") + d.message + QLatin1Char('\n');
        if (d.code == code) {
            QVERIFY2(d.message.contains(says), qPrintable(d.message));
            QVERIFY2(d.firstOffset >= 0 || d.firstLine >= 0 || format == "go-exectrace",
                     "no position");
            return;
        }
    }
    QFAIL(qPrintable(QStringLiteral("no %1 diagnostic; got:\n%2").arg(QLatin1String(code), got)));
}

QTEST_GUILESS_MAIN(TestLimits)
#include "tst_limits.moc"
