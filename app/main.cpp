// lanescope: headless commands run on a QCoreApplication; anything else
// (no arguments, files, sessions, `screenshot`) starts the GUI.

#include "cli.h"
#include "mainwindow.h"

#include <QApplication>
#include <QCoreApplication>
#include <QFileInfo>
#include <QGuiApplication>
#include <QTextStream>

int main(int argc, char **argv)
{
    QStringList args;
    for (int i = 1; i < argc; ++i)
        args << QString::fromLocal8Bit(argv[i]);
    QCoreApplication::setOrganizationName(QStringLiteral("Lanescope"));
    QCoreApplication::setApplicationName(QStringLiteral("lanescope"));
    QCoreApplication::setApplicationVersion(QStringLiteral(LANESCOPE_VERSION));
    if (!args.isEmpty() && args.first() == QLatin1String("report")) {
        // PDF output needs a GUI application; headless machines get the offscreen platform.
        if (qEnvironmentVariableIsEmpty("DISPLAY") &&
            qEnvironmentVariableIsEmpty("WAYLAND_DISPLAY") &&
            qEnvironmentVariableIsEmpty("QT_QPA_PLATFORM"))
            qputenv("QT_QPA_PLATFORM", "offscreen");
        QGuiApplication app(argc, argv);
        return ls::cli::run(args);
    }
    if (!args.isEmpty() && ls::cli::isCommand(args.first())) {
        QCoreApplication app(argc, argv);
        return ls::cli::run(args);
    }
    if (!args.isEmpty() && args.first() != QLatin1String("screenshot")) {
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
    QApplication app(argc, argv);
    QApplication::setWindowIcon(QIcon(QStringLiteral(":/lanescope/icons/lanescope.svg")));
    if (!args.isEmpty() && args.first() == QLatin1String("screenshot"))
        return ls::gui::screenshotCommand(args.mid(1));
    return ls::gui::runGui(args);
}
