// lanescope: headless commands run here on a QCoreApplication, without Qt's
// GUI libraries; anything else (no arguments, files, sessions, `screenshot`,
// `report`) is handed to the GUI module (guimain.cpp), loaded on demand.

#include "cli.h"

#include <QByteArray>
#include <QCoreApplication>
#include <QFileInfo>
#include <QTextStream>

#include <dlfcn.h>
#include <unistd.h>

namespace {

// Beside the executable (the build tree), else in ../lib/lanescope (installed).
int runGuiModule(int argc, char **argv)
{
    char self[4096];
    const ssize_t n = readlink("/proc/self/exe", self, sizeof self - 1);
    const QByteArray dir =
        n > 0 ? QFileInfo(QString::fromLocal8Bit(self, int(n))).absolutePath().toLocal8Bit()
              : QByteArray(".");
    QByteArray tried;
    for (const char *rel : {"/lanescope-gui.so", "/../lib/lanescope/lanescope-gui.so"}) {
        const QByteArray path = dir + rel;
        void *h = dlopen(path.constData(), RTLD_NOW | RTLD_LOCAL);
        if (!h) {
            tried += QByteArray("\n  ") + dlerror();
            continue;
        }
        using Entry = int (*)(int, char **);
        if (auto entry = reinterpret_cast<Entry>(dlsym(h, "lanescope_gui_main")))
            return entry(argc, argv);
        tried += "\n  " + path + ": no entry point";
    }
    QTextStream(stderr) << "lanescope: cannot load the GUI module:" << tried << "\n";
    return 2;
}

} // namespace

int main(int argc, char **argv)
{
    QStringList args;
    for (int i = 1; i < argc; ++i)
        args << QString::fromLocal8Bit(argv[i]);
    QCoreApplication::setOrganizationName(QStringLiteral("Lanescope"));
    QCoreApplication::setApplicationName(QStringLiteral("lanescope"));
    QCoreApplication::setApplicationVersion(QStringLiteral(LANESCOPE_VERSION));
    if (!args.isEmpty() && args.first() != QLatin1String("report") &&
        ls::cli::isCommand(args.first())) {
        QCoreApplication app(argc, argv);
        return ls::cli::run(args);
    }
    if (!args.isEmpty() && args.first() != QLatin1String("screenshot") &&
        args.first() != QLatin1String("report")) {
        // Anything else must be files to open; a typo is not a file to import.
        for (const QString &a : std::as_const(args)) {
            if (!QFileInfo::exists(a) && !a.endsWith(QLatin1String(".lanescope"))) {
                QTextStream(stderr)
                    << "lanescope: '" << a
                    << "' is neither a command nor a file. Try 'lanescope --help'.\n";
                return 2;
            }
        }
    }
    return runGuiModule(argc, argv);
}
