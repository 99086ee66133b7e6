// lanescope: the window, plus every headless command of lanescope-cli (the
// same code, linked in), `screenshot`, and reports in every format (PDF needs
// Qt GUI). Headless commands run on a QCoreApplication: no display is needed
// and none is opened.

#include "cli.h"
#include "mainwindow.h"
#include "reportpdf.h"

#include <QApplication>
#include <QFileInfo>
#include <QGuiApplication>
#include <QIcon>
#include <QTextStream>

int main(int argc, char **argv)
{
    QStringList args;
    for (int i = 1; i < argc; ++i)
        args << QString::fromLocal8Bit(argv[i]);
    QCoreApplication::setOrganizationName(QStringLiteral("Lanescope"));
    QCoreApplication::setApplicationName(QStringLiteral("lanescope"));
    QCoreApplication::setApplicationVersion(QStringLiteral(LANESCOPE_VERSION));
    const QString first = args.value(0);
    const bool pdfReport = first == QLatin1String("report") &&
                           std::any_of(args.begin(), args.end(), [](const QString &a) {
                               return a.endsWith(QLatin1String(".pdf"));
                           });
    if (ls::cli::isCommand(first) && !pdfReport) {
        static QString toOpen; // `capture --open`: the window opens it afterwards
        int code = 0;
        {
            QCoreApplication app(argc, argv);
            ls::cli::setOpenHandler([](const QString &path) { toOpen = path; });
            code = ls::cli::run(args);
        }
        if (code != 0 || toOpen.isEmpty()) return code;
        QApplication app(argc, argv);
        QApplication::setWindowIcon(QIcon(QStringLiteral(":/lanescope/icons/lanescope.svg")));
        return ls::gui::runGui({toOpen});
    }
    if (!args.isEmpty() && first != QLatin1String("screenshot") && !pdfReport) {
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
    // A PDF report and `screenshot` render without a window: with no display
    // and no platform chosen they use the offscreen one.
    if ((pdfReport || first == QLatin1String("screenshot")) &&
        qEnvironmentVariableIsEmpty("DISPLAY") && qEnvironmentVariableIsEmpty("WAYLAND_DISPLAY") &&
        qEnvironmentVariableIsEmpty("QT_QPA_PLATFORM"))
        qputenv("QT_QPA_PLATFORM", "offscreen");
    if (pdfReport) {
        QGuiApplication app(argc, argv);
        ls::cli::setPdfWriter(&ls::gui::writeReportPdf);
        return ls::cli::run(args);
    }
    QApplication app(argc, argv);
    QApplication::setWindowIcon(QIcon(QStringLiteral(":/lanescope/icons/lanescope.svg")));
    if (first == QLatin1String("screenshot")) return ls::gui::screenshotCommand(args.mid(1));
    return ls::gui::runGui(args);
}
