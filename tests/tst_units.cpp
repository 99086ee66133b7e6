// Units shared by every importer and the filter language: Go durations,
// RFC 3339 and Go log timestamps, request filter parsing, percentiles.

#include "palette.h"
#include "queries.h"
#include "sha256.h"
#include "testsupport.h"
#include "units.h"

#include <QCryptographicHash>
#include <QSet>
#include <QTest>

using namespace ls;

class TstUnits : public QObject
{
    Q_OBJECT
private slots:
    // One rule for error requests, summaries and histogram bins (queries.h).
    void counters()
    {
        QCOMPARE(formatCounter(QStringLiteral("heap"), 5'551'000.0), QStringLiteral("5.3 MiB"));
        QCOMPARE(formatCounter(QStringLiteral("heap goal"), 900.0), QStringLiteral("900 B"));
        QCOMPARE(formatCounter(QStringLiteral("goroutines"), 5'551'000.0),
                 QStringLiteral("5,551,000"));
        QCOMPARE(formatCounter(QStringLiteral("load"), 0.25), QStringLiteral("0.25"));
        QCOMPARE(formatCounter(QStringLiteral("GOMAXPROCS"), 2.0), QStringLiteral("2"));
    }

    void offsets()
    {
        QCOMPARE(formatOffset(0, 1000), QStringLiteral("0ns"));
        QCOMPARE(formatOffset(4'750'000'000, 50'000'000), QStringLiteral("4.75s"));
        QCOMPARE(formatOffset(850'000, 10'000), QStringLiteral("850µs"));
        QCOMPARE(formatOffset(-2'500'000, 100'000), QStringLiteral("−2.5ms"));
        QCOMPARE(formatOffset(723'500'000'000, 100'000'000), QStringLiteral("12:03.5"));
        QCOMPARE(formatOffset(11'523'250'000'000, 10'000'000), QStringLiteral("3:12:03.25"));
        // Years away at a microsecond step: days and a clock, never 1e+16.
        const TimeNs far =
            1337 * 86'400'000'000'000 + 3 * 3'600'000'000'000 + 19 * 60'000'000'000 + 7'623'456'000;
        QCOMPARE(formatOffset(far, 1000), QStringLiteral("1337d 03:19:07.623456"));
        QCOMPARE(formatOffset(far, 86'400'000'000'000), QStringLiteral("1337d 03:19:07"));
    }

    void requestRules()
    {
        RequestRow ok, fail, none, clientErr, unknown;
        ok.status = 200;
        fail.status = 503;
        none.status = 0;
        clientErr.status = 200;
        clientErr.error = QStringLiteral("context deadline exceeded");
        QVERIFY(!isErrorRequest(ok));
        QVERIFY(isErrorRequest(fail));
        QVERIFY(isErrorRequest(none));
        QVERIFY(isErrorRequest(clientErr));
        QVERIFY(!isErrorRequest(unknown)); // status -1: not known to be an error
        std::vector<RequestRow> rows{ok, fail, none, clientErr, unknown};
        for (size_t i = 0; i < rows.size(); ++i) {
            rows[i].start = 0;
            rows[i].end = qint64(i + 1) * 1000000; // 1..5 ms
        }
        rows[4].end = kNoTime; // an unknown duration is not counted
        const RequestSummary sum = summarizeRequests(rows);
        QCOMPARE(sum.count, qint64(5));
        QCOMPARE(sum.errors, qint64(3));
        QCOMPARE(sum.durations.size(), size_t(4));
        QCOMPARE(sum.p50, qint64(2500000));
        QCOMPARE(sum.max, qint64(4000000));
        QCOMPARE(sum.errorPercent(), 60.0);
        const LatencyHistogram h = latencyHistogram({1000000, 10000000, 100000000, -1, 0});
        QCOMPARE(h.bins(), 2 * kHistogramBinsPerDecade + 1); // two decades, the top edge padded
        int total = 0;
        for (int c : h.counts)
            total += c;
        QCOMPARE(total, 3);
        QCOMPARE(h.counts.front(), 1);
        QCOMPARE(h.counts.back(), 1);
        QCOMPARE(h.edges.front(), qint64(1000000));
        QVERIFY(h.edges.back() > 100000000);
        QVERIFY(latencyHistogram({}).counts.empty());
    }

    void sha256MatchesQt()
    {
        // Every length around the block and padding edges, then a large
        // buffer fed in odd-sized pieces: both engines against Qt's digest.
        QByteArray data(3 * 1024 * 1024 + 17, Qt::Uninitialized);
        quint32 x = 2463534242u;
        for (char &c : data) {
            x ^= x << 13;
            x ^= x >> 17;
            x ^= x << 5;
            c = char(x);
        }
        for (Sha256::Engine engine : {Sha256::Engine::Best, Sha256::Engine::Portable}) {
            for (int len = 0; len <= 200; ++len) {
                Sha256 h(engine);
                h.addData(QByteArrayView(data.constData(), len));
                QCOMPARE(
                    h.result().toHex(),
                    QCryptographicHash::hash(data.left(len), QCryptographicHash::Sha256).toHex());
            }
            Sha256 h(engine);
            for (qsizetype at = 0, step = 1; at < data.size(); at += step, step = step * 3 + 1)
                h.addData(QByteArrayView(data).sliced(at, std::min(step, data.size() - at)));
            QCOMPARE(h.result(), QCryptographicHash::hash(data, QCryptographicHash::Sha256));
        }
        Sha256 abc;
        abc.addData("abc");
        QCOMPARE(abc.result().toHex(),
                 QByteArray("ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad"));
        qInfo("hardware SHA-256: %s", Sha256::hardwareAvailable() ? "yes" : "no");
    }

    void goDuration_data()
    {
        QTest::addColumn<QByteArray>("text");
        QTest::addColumn<qint64>("ns");
        QTest::addColumn<bool>("ok");
        QTest::newRow("ms with fraction") << QByteArray("1.234ms") << qint64(1234000) << true;
        QTest::newRow("micro sign") << QByteArray("850\xc2\xb5s") << qint64(850000) << true;
        QTest::newRow("greek mu") << QByteArray("850\xce\xbcs") << qint64(850000) << true;
        QTest::newRow("us") << QByteArray("850us") << qint64(850000) << true;
        QTest::newRow("minutes and seconds")
            << QByteArray("2m3.5s") << qint64(123500000000) << true;
        QTest::newRow("hours") << QByteArray("1h0m0s") << qint64(3600000000000) << true;
        QTest::newRow("ns") << QByteArray("17ns") << qint64(17) << true;
        QTest::newRow("zero") << QByteArray("0") << qint64(0) << true;
        QTest::newRow("zero seconds") << QByteArray("0s") << qint64(0) << true;
        QTest::newRow("negative") << QByteArray("-1.5s") << qint64(-1500000000) << true;
        QTest::newRow("nanosecond digits kept")
            << QByteArray("207.914123ms") << qint64(207914123) << true;
        QTest::newRow("no unit") << QByteArray("12") << qint64(0) << false;
        QTest::newRow("bad unit") << QByteArray("12x") << qint64(0) << false;
        QTest::newRow("empty") << QByteArray("") << qint64(0) << false;
    }
    void goDuration()
    {
        QFETCH(QByteArray, text);
        QFETCH(qint64, ns);
        QFETCH(bool, ok);
        const auto v = parseGoDuration(text);
        QCOMPARE(v.has_value(), ok);
        if (ok) QCOMPARE(*v, ns);
    }

    void rfc3339_data()
    {
        QTest::addColumn<QByteArray>("text");
        QTest::addColumn<qint64>("ns");
        QTest::newRow("nano Z") << QByteArray("2026-11-27T03:19:07.520332218Z")
                                << qint64(1795749547520332218);
        QTest::newRow("trimmed fraction")
            << QByteArray("2026-11-27T03:19:07.6246937Z") << qint64(1795749547624693700);
        QTest::newRow("no fraction") << QByteArray("1970-01-01T00:00:01Z") << qint64(1000000000);
        QTest::newRow("offset") << QByteArray("2023-03-29T17:37:42.482-07:00")
                                << qint64(1680136662482000000);
        QTest::newRow("positive offset") << QByteArray("1970-01-01T01:00:00+01:00") << qint64(0);
    }
    void rfc3339()
    {
        QFETCH(QByteArray, text);
        QFETCH(qint64, ns);
        const auto v = parseRfc3339(text);
        QVERIFY(v.has_value());
        QCOMPARE(*v, ns);
    }

    void rfc3339Rejects()
    {
        QVERIFY(!parseRfc3339("2026-13-01T00:00:00Z"));
        // Years nanoseconds since 1970 cannot hold (fuzzing found them
        // overflowing): not a time, in both layouts.
        QVERIFY(!parseRfc3339("4052-11-27T03:19:07.1Z"));
        QVERIFY(!parseRfc3339("1001-11-27T03:19:07.1Z"));
        QVERIFY(!parseGoLogTime("4052/11/27 03:19:07.623275 x"));
        QVERIFY(parseRfc3339("2260-12-31T23:59:59Z").has_value());
        QVERIFY(parseGoLogTime("1970/01/01 00:00:00 x").value() == 0);
        QVERIFY(!parseRfc3339("2026-11-27"));
        QVERIFY(!parseRfc3339("2026-11-27T03:19:07Zjunk"));
        QVERIFY(!parseRfc3339(""));
    }

    void goLogTime()
    {
        int consumed = 0;
        auto v = parseGoLogTime("2026/11/27 03:19:07.520269 server_listening", &consumed);
        QVERIFY(v);
        QCOMPARE(*v, qint64(1795749547520269000));
        QCOMPARE(consumed, 26);
        v = parseGoLogTime("2026/11/27 03:19:07 msg", &consumed);
        QVERIFY(v);
        QCOMPARE(consumed, 19);
        QVERIFY(!parseGoLogTime("2026-11-27 03:19:07 msg"));
        QVERIFY(!parseGoLogTime("GET / HTTP/1.1"));
    }

    void formatting()
    {
        QCOMPARE(formatDuration(999), QStringLiteral("999 ns"));
        QCOMPARE(formatDuration(1500), QStringLiteral("1.50 µs"));
        QCOMPARE(formatDuration(191600000), QStringLiteral("192 ms"));
        QCOMPARE(formatDuration(2100000000), QStringLiteral("2.10 s"));
        QCOMPARE(formatTime(1795749547520332218), QStringLiteral("2026-11-27T03:19:07.520332Z"));
    }

    void filter_data()
    {
        QTest::addColumn<QString>("expr");
        QTest::addColumn<bool>("ok");
        QTest::newRow("status") << QStringLiteral("status>=500") << true;
        QTest::newRow("duration") << QStringLiteral("dur>200ms") << true;
        QTest::newRow("bare ms") << QStringLiteral("ttfb>50") << true;
        QTest::newRow("host") << QStringLiteral("host:api") << true;
        QTest::newRow("class") << QStringLiteral("status:5xx") << true;
        QTest::newRow("negated text") << QStringLiteral("-url:/health error") << true;
        QTest::newRow("free text") << QStringLiteral("fd6f") << true;
        QTest::newRow("quoted") << QStringLiteral("error:\"deadline exceeded\"") << true;
        QTest::newRow("empty") << QString() << true;
        QTest::newRow("unknown field") << QStringLiteral("colour>3") << false;
        QTest::newRow("bad duration") << QStringLiteral("dur>fast") << false;
        QTest::newRow("bad status") << QStringLiteral("status:abc") << false;
        QTest::newRow("open quote") << QStringLiteral("url:\"abc") << false;
        QTest::newRow("comparison without value") << QStringLiteral("status>=500 dur>") << false;
    }
    void filter()
    {
        QFETCH(QString, expr);
        QFETCH(bool, ok);
        FilterError fe;
        const auto f = RequestFilter::parse(expr, &fe);
        QCOMPARE(f.has_value(), ok);
        if (!ok) QVERIFY(!fe.message.isEmpty());
    }

    void jsonStrings()
    {
        QByteArray out;
        appendJsonString(out, QByteArrayView("a\"b\\c\n\x01\xc3\xa9\xff", 10));
        QCOMPARE(out, QByteArray("\"a\\\"b\\\\c\\n\\u0001\xc3\xa9\xef\xbf\xbd\""));
    }

    void percentiles()
    {
        std::vector<qint64> v{10, 20, 30, 40, 50};
        QCOMPARE(percentile(v, 50), qint64(30));
        QCOMPARE(percentile(v, 100), qint64(50));
        QCOMPARE(percentile(v, 0), qint64(10));
        QCOMPARE(percentile(v, 75), qint64(40));
        QCOMPARE(percentile({}, 50), qint64(-1));
    }

    void laneVisibleSlice()
    {
        // A long span that starts first must be found for a window far to its right.
        LaneSpans s;
        const std::vector<std::pair<TimeNs, TimeNs>> spans{
            {0, 1000}, {10, 20}, {30, 40}, {500, 510}, {900, 950}};
        TimeNs runMax = 0;
        for (auto [a, b] : spans) {
            s.start.push_back(a);
            s.end.push_back(b);
            runMax = std::max(runMax, b);
            s.maxEnd.push_back(runMax);
        }
        auto [f, l] = s.visible(600, 700);
        QCOMPARE(f, size_t(0)); // the enclosing span is inside the slice
        QCOMPARE(l, size_t(4));
        std::tie(f, l) = s.visible(2000, 3000);
        QCOMPARE(f, l);
        std::tie(f, l) = s.visible(15, 35);
        QCOMPARE(f, size_t(0));
        QCOMPARE(l, size_t(3));
    }

    // The categorical palette: any two colours differ by CIEDE2000 >= 11 as
    // seen and >= 5 under each simulated colour vision deficiency; none is
    // too light for white or too dark for black text.
    void categoricalPaletteIsDistinct()
    {
        double seen = 1e9, cvd = 1e9;
        const auto &p = palette::kCategorical;
        for (size_t i = 0; i < p.size(); ++i)
            for (size_t j = i + 1; j < p.size(); ++j) {
                seen = std::min(seen, test::colourDistance(p[i], p[j]));
                for (int k = 1; k <= 3; ++k)
                    cvd = std::min(cvd, test::colourDistance(p[i], p[j], k));
            }
        QVERIFY2(seen >= 11, qPrintable(QString::number(seen)));
        QVERIFY2(cvd >= 5, qPrintable(QString::number(cvd)));
        // Distinct from the client phases they share the waterfall with.
        double phase = 1e9, phaseCvd = 1e9;
        for (const char *c : p)
            for (const char *k : {"blocked", "dns", "connect", "tls", "send", "wait", "receive"}) {
                phase = std::min(phase, test::colourDistance(c, palette::phaseColour(k)));
                for (int v = 1; v <= 3; ++v)
                    phaseCvd =
                        std::min(phaseCvd, test::colourDistance(c, palette::phaseColour(k), v));
            }
        QVERIFY2(phase >= 8.5, qPrintable(QString::number(phase)));
        QVERIFY2(phaseCvd >= 4, qPrintable(QString::number(phaseCvd)));
        for (const char *c : p) {
            QVERIFY(test::colourDistance(c, "#ffffff") > 15);
            QVERIFY(test::colourDistance(c, "#000000") > 30);
        }
        // The distance itself: known CIEDE2000 pairs (Sharma et al. 2005, pair 1
        // in sRGB approximation) and symmetry.
        QCOMPARE(test::colourDistance("#ff0000", "#ff0000"), 0.0);
        QVERIFY(std::abs(test::colourDistance("#ff0000", "#00ff00") -
                         test::colourDistance("#00ff00", "#ff0000")) < 1e-9);
        QVERIFY(test::colourDistance("#ff0000", "#00ff00", 2) <
                test::colourDistance("#ff0000", "#00ff00") / 2); // red/green under deuteranopia
    }

    // Names of one set never share a colour (up to 24); a name without a
    // rival keeps its preferred colour in any set; the order names come in
    // does not matter.
    void categoricalAssignment()
    {
        QList<QByteArray> names;
        for (int i = 0; i < 24; ++i)
            names.append("step_" + QByteArray::number(i));
        palette::CategoricalColours a;
        a.assign(names);
        QSet<int> taken;
        for (const QByteArray &n : names)
            taken.insert(a.slot(n));
        QCOMPARE(taken.size(), 24);
        QList<QByteArray> reversed(names.rbegin(), names.rend());
        palette::CategoricalColours b;
        b.assign(reversed);
        for (const QByteArray &n : names)
            QCOMPARE(b.slot(n), a.slot(n));
        // Alone, or beside a name that prefers another colour: its own colour.
        palette::CategoricalColours one;
        one.assign({"inject_delay"});
        QCOMPARE(one.slot("inject_delay"), palette::preferredCategory("inject_delay"));
        QCOMPARE(a.slot("never_seen"), palette::preferredCategory("never_seen"));
        // Two names wanting one colour: the first in byte order keeps it.
        QByteArray rival;
        for (int i = 0; rival.isEmpty(); ++i) {
            const QByteArray n = "x" + QByteArray::number(i);
            if (palette::preferredCategory(n) == palette::preferredCategory("write_db")) rival = n;
        }
        palette::CategoricalColours two;
        two.assign({rival, "write_db"});
        const QByteArray first = std::min(rival, QByteArray("write_db"));
        const QByteArray second = std::max(rival, QByteArray("write_db"));
        QCOMPARE(two.slot(first), palette::preferredCategory(first));
        QVERIFY(two.slot(second) != two.slot(first));
        // 25 names: one must share, nothing breaks.
        names.append("step_24");
        a.assign(names);
        QVERIFY(a.slot("step_24") >= 0 && a.slot("step_24") < 24);
    }
};

QTEST_GUILESS_MAIN(TstUnits)
#include "tst_units.moc"
