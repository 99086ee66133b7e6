// lanescope_bench: importer throughput without the session store.
//   lanescope_bench FORMAT FILE
// runs one importer over FILE into a sink that only counts, and prints MB/s
// for parsing alone. The end-to-end figure (with SQLite) comes from
// `/usr/bin/time -v lanescope import -o OUT FILE`.
//   lanescope_bench --generate-chrome FILE MB
// writes a Chrome trace of about MB megabytes for those measurements: 16
// threads of back-to-back X slices with args and fractional µs timestamps,
// every tenth event an instant (see tests/bench/README.md for the figures).

#include "importer.h"
#include "registry.h"

#include <QElapsedTimer>
#include <QFile>
#include <QFileInfo>

#include <cstdio>

namespace {

class CountingSink final : public ls::RecordSink
{
public:
    qint64 n = 0;
    ls::StringId intern(QByteArrayView) override { return ++n; }
    ls::RequestId request(const ls::RequestRecord &) override { return ++n; }
    ls::RequestId findRequest(QByteArrayView) override { return ls::kNoId; }
    void phase(const ls::PhaseRecord &) override { ++n; }
    ls::LaneId lane(const ls::LaneRecord &) override { return ++n; }
    void renameLane(ls::LaneId, QByteArrayView) override {}
    ls::SpanId span(const ls::SpanRecord &) override { return ++n; }
    void instant(const ls::InstantRecord &) override { ++n; }
    void flow(const ls::FlowRecord &) override { ++n; }
    qint64 rawText(const ls::RawTextRecord &) override { return ++n; }
    ls::ProfileId profile(const ls::ProfileRecord &) override { return ++n; }
    ls::FrameId frame(const ls::FrameRecord &) override { return ++n; }
    ls::CallsiteId callsite(ls::CallsiteId, ls::FrameId) override { return ++n; }
    void sample(const ls::SampleRecord &) override { ++n; }
    void setClock(ls::ClockKind, ls::TimeNs, QByteArrayView) override {}
    void alignmentHint(QByteArrayView, ls::TimeNs) override {}
};

class Ctx final : public ls::ImportContext
{
public:
    explicit Ctx(const QString &path) : m_in(path), m_path(path) {}
    ls::InputStream &input() override { return m_in; }
    QString path() const override { return m_path; }
    void diag(QByteArrayView, ls::Severity, qint64, qint64, const QString &) override {}
    void checkpoint() override {}
    void setStage(const QString &) override {}
    void addEvents(qint64 n) override { events += n; }
    qint64 events = 0;

private:
    ls::InputStream m_in;
    QString m_path;
};

} // namespace

int generateChrome(const char *path, qint64 megabytes)
{
    QFile f(QString::fromLocal8Bit(path));
    if (!f.open(QIODevice::WriteOnly)) {
        std::fprintf(stderr, "cannot write %s\n", path);
        return 1;
    }
    static const char *const names[] = {"net/http.(*conn).serve", "main.handleOrder",
                                        "runtime.gcBgMarkWorker", "database/sql.(*DB).QueryContext",
                                        "main.checkStock"};
    const qint64 target = megabytes << 20;
    qint64 written = 0, n = 0, tsQuarterUs = 4000; // ts in units of 0.25 µs
    QByteArray out = "{\"displayTimeUnit\":\"ns\",\"traceEvents\":[\n";
    char line[512];
    while (written + out.size() < target) {
        const int tid = int(n % 16);
        ++tsQuarterUs;
        const qint64 us = tsQuarterUs / 4, frac = (tsQuarterUs % 4) * 250;
        int len;
        if (n % 10 == 9)
            len = std::snprintf(
                line, sizeof line,
                "{\"ph\":\"i\",\"name\":\"log\",\"pid\":1,\"tid\":%d,\"ts\":%lld.%03lld,"
                "\"s\":\"t\",\"args\":{\"msg\":\"request done\",\"req\":\"r-%lld\"}},\n",
                tid, qlonglong(us), qlonglong(frac), qlonglong(n));
        else
            len = std::snprintf(
                line, sizeof line,
                "{\"name\":\"%s\",\"cat\":\"go,http\",\"ph\":\"X\",\"pid\":1,\"tid\":%d,"
                "\"ts\":%lld.%03lld,\"dur\":0.200,\"args\":{\"req_id\":\"req-%08lld\","
                "\"bytes\":%lld}},\n",
                names[n % 5], tid, qlonglong(us), qlonglong(frac), qlonglong(n),
                qlonglong(n % 4096));
        out.append(line, len);
        ++n;
        if (out.size() > (1 << 20)) {
            written += f.write(out);
            out.clear();
        }
    }
    out += "{\"ph\":\"M\",\"name\":\"process_name\",\"pid\":1,\"args\":{\"name\":\"server\"}}]}\n";
    written += f.write(out);
    std::printf("%s: %lld bytes, %lld events\n", path, qlonglong(written), qlonglong(n + 1));
    return 0;
}

int main(int argc, char **argv)
{
    if (argc == 4 && qstrcmp(argv[1], "--generate-chrome") == 0)
        return generateChrome(argv[2], QByteArray(argv[3]).toLongLong());
    if (argc != 3) {
        std::fprintf(stderr, "usage: lanescope_bench FORMAT FILE | --generate-chrome FILE MB\n");
        return 2;
    }
    const ls::Importer *imp = ls::builtinImporters().byId(argv[1]);
    if (!imp) {
        std::fprintf(stderr, "unknown format %s\n", argv[1]);
        return 2;
    }
    const QString path = QString::fromLocal8Bit(argv[2]);
    Ctx ctx(path);
    CountingSink sink;
    QElapsedTimer t;
    t.start();
    try {
        const_cast<ls::Importer *>(imp)->run(ctx, sink);
    } catch (const ls::ImportError &e) {
        std::fprintf(stderr, "%s\n", qPrintable(e.message(path)));
        return 1;
    }
    const double s = t.nsecsElapsed() / 1e9;
    const double mb = QFileInfo(path).size() / 1e6;
    std::printf("%s: %.1f MB in %.2f s = %.1f MB/s (parse only), %lld events, %lld records\n",
                argv[1], mb, s, mb / s, qlonglong(ctx.events), qlonglong(sink.n));
    return 0;
}
