// Runs a fuzz target over files and folders (recursively) without libFuzzer:
// the regression corpora in CTest (label "fuzz"), and any file by hand.

#include <QDirIterator>
#include <QFile>
#include <QFileInfo>

#include <cstdint>
#include <cstdio>

extern "C" int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

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
