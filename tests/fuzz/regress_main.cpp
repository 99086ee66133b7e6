// Runs a fuzz target over files and folders (recursively) without libFuzzer:
// the regression corpora in CTest (label "fuzz"), and any file by hand.
// -dict=FILE reads a libFuzzer dictionary (dict/<name>.dict), fails on a
// line libFuzzer would refuse, and feeds each entry as an input too.

#include <QDirIterator>
#include <QFile>
#include <QFileInfo>

#include <cstdint>
#include <cstdio>
#include <optional>

extern "C" int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

namespace {

// One dictionary line: [name=]"bytes" with \\, \" and \xAB escapes (the
// syntax libFuzzer reads); nullopt for a malformed line.
std::optional<QByteArray> dictEntry(QByteArray line)
{
    const qsizetype q = line.indexOf('"');
    if (q < 0 || !line.endsWith('"') || line.size() - q < 2) return std::nullopt;
    const QByteArray body = line.mid(q + 1, line.size() - q - 2);
    QByteArray out;
    for (qsizetype i = 0; i < body.size(); ++i) {
        const char c = body[i];
        if (c == '"') return std::nullopt;
        if (c != '\\') {
            out += c;
            continue;
        }
        if (++i == body.size()) return std::nullopt;
        if (body[i] == '\\' || body[i] == '"') {
            out += body[i];
        } else if (body[i] == 'x' && i + 2 < body.size()) {
            bool ok = false;
            const int v = body.mid(i + 1, 2).toInt(&ok, 16);
            if (!ok) return std::nullopt;
            out += char(v);
            i += 2;
        } else {
            return std::nullopt;
        }
    }
    return out;
}

} // namespace

int main(int argc, char **argv)
{
    long n = 0;
    auto one = [&n](const QString &path) {
        QFile f(path);
        if (!f.open(QIODevice::ReadOnly)) return;
        const QByteArray d = f.read(qint64(8) << 20); // what libFuzzer's -max_len would allow at most
        LLVMFuzzerTestOneInput(reinterpret_cast<const uint8_t *>(d.constData()), size_t(d.size()));
        ++n;
    };
    for (int i = 1; i < argc; ++i) {
        const QString arg = QString::fromLocal8Bit(argv[i]);
        if (arg.startsWith(QLatin1String("-dict="))) {
            QFile f(arg.mid(6));
            if (!f.open(QIODevice::ReadOnly)) {
                std::fprintf(stderr, "%s: cannot read\n", qPrintable(f.fileName()));
                return 1;
            }
            int lineNo = 0;
            while (!f.atEnd()) {
                const QByteArray line = f.readLine().trimmed();
                ++lineNo;
                if (line.isEmpty() || line.startsWith('#')) continue;
                const auto e = dictEntry(line);
                if (!e || e->isEmpty()) {
                    std::fprintf(stderr, "%s:%d: not a dictionary entry\n", qPrintable(f.fileName()), lineNo);
                    return 1;
                }
                LLVMFuzzerTestOneInput(reinterpret_cast<const uint8_t *>(e->constData()), size_t(e->size()));
                ++n;
            }
            continue;
        }
        if (QFileInfo(arg).isDir()) {
            QDirIterator it(arg, QDir::Files | QDir::Hidden, QDirIterator::Subdirectories);
            while (it.hasNext())
                one(it.next());
        } else {
            one(arg);
        }
    }
    std::printf("%ld inputs\n", n);
    return 0;
}
