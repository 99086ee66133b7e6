// Folded stacks importer: per-file totals equal the sum of the counts
// (computed here independently), stacks become a callsite tree with summed
// duplicates, encodings and comment lines, and bad input.

#include "testsupport.h"

#include "queries.h"

#include <QFile>
#include <QStringDecoder>
#include <QTest>

using namespace ls;
using namespace ls::test;

namespace {

qint64 sumOfCounts(const QString &path)
{
    QFile f(path);
    f.open(QIODevice::ReadOnly);
    const QByteArray raw = f.readAll();
    QString text;
    if (raw.startsWith("\xFF\xFE")) {
        auto dec = QStringDecoder(QStringConverter::Utf16LE);
        text = dec.decode(QByteArrayView(raw).sliced(2));
    } else {
        text = QString::fromUtf8(raw);
    }
    qint64 total = 0;
    for (QString line : text.split(QLatin1Char('\n'))) {
        line = line.trimmed();
        if (line.isEmpty() || line.startsWith(QLatin1Char('#')) ||
            line.startsWith(QLatin1String("//")))
            continue;
        bool ok = false;
        const qint64 n = line.section(QLatin1Char(' '), -1).toLongLong(&ok);
        if (ok) total += n;
    }
    return total;
}

// Each callsite's full path (root first) with the sum of its samples.
QByteArray stackTotals(const Db &db)
{
    return queryCsv(
        db, QStringLiteral("WITH RECURSIVE path(id, leaf, p) AS ("
                           " SELECT c.id, c.id, f.function FROM callsite c JOIN frame f ON f.id = "
                           "c.frame_id"
                           " UNION ALL"
                           " SELECT c.parent_id, path.leaf, f.function || ';' || path.p FROM path "
                           "JOIN callsite c ON c.id = path.id JOIN callsite pc ON pc.id = "
                           "c.parent_id JOIN frame f ON f.id = pc.frame_id)"
                           " SELECT path.p AS stack, SUM(s.value) AS total FROM sample s JOIN "
                           "path ON path.leaf = s.callsite_id JOIN callsite c ON c.id = path.id "
                           "WHERE c.parent_id IS NULL GROUP BY path.p ORDER BY path.p"));
}

} // namespace

class TestFolded : public QObject
{
    Q_OBJECT
private slots:
    void corpusTotals_data();
    void corpusTotals();
    void stackTree();
    void variants();
    void notFolded();
};

void TestFolded::corpusTotals_data()
{
    QTest::addColumn<QString>("file");
    addCorpusFolderRows(QStringLiteral("public/folded-stacks"));
}

void TestFolded::corpusTotals()
{
    QFETCH(QString, file);
    TempSession s;
    const ImportResult r = s.import(file);
    QVERIFY2(r.ok, qPrintable(r.error));
    QCOMPARE(r.format, QByteArray("folded"));
    QCOMPARE(
        sqlText(s.session().db(), QStringLiteral("SELECT SUM(value) FROM sample")).toLongLong(),
        sumOfCounts(file));
}

void TestFolded::stackTree()
{
    for (const char *f :
         {"speedscope_simple.txt", "speedscope_simple-crlf.txt", "speedscope_simple-utf16-le.txt",
          "speedscope_simple-with-invalids.txt"}) {
        TempSession s;
        const ImportResult r =
            s.import(corpus(QStringLiteral("public/folded-stacks/%1").arg(QLatin1String(f))));
        QVERIFY2(r.ok, qPrintable(r.error));
        QCOMPARE(stackTotals(s.session().db()),
                 QByteArray("stack,total\na;b,5\na;b;c,5\na;b;d,4\n"));
    }
}

void TestFolded::variants()
{
    TempSession s;
    // Frame names with spaces, a BOM, a decimal count, difffolded's two counts.
    const QString path = writeFile(
        s.dir(), QStringLiteral("v.folded"),
        "\xEF\xBB\xBFjava;oopDesc* Promote::copy<false> 3\r\nmain;run 2.6\nmain;run 1 4\n");
    const ImportResult r = s.import(path);
    QVERIFY2(r.ok, qPrintable(r.error));
    QCOMPARE(stackTotals(s.session().db()),
             QByteArray("stack,total\njava;oopDesc* Promote::copy<false>,3\nmain;run,7\n"));
}

void TestFolded::notFolded()
{
    TempSession s;
    ImportResult r = s.import(corpus(QStringLiteral("gen/server_stderr_gctrace.txt")));
    QVERIFY(r.format != "folded");
    ImportOptions opt;
    opt.format = "folded";
    r = s.import(corpus(QStringLiteral("gen/cpu.pprof")), opt);
    QVERIFY(!r.ok);
    QVERIFY2(r.error.contains(QStringLiteral("no folded stack")), qPrintable(r.error));
    const QString empty = writeFile(s.dir(), QStringLiteral("e.txt"), "# only a comment\n");
    r = s.import(empty, opt);
    QVERIFY(!r.ok);
}

QTEST_GUILESS_MAIN(TestFolded)
#include "tst_folded.moc"
