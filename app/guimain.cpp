// The GUI half of the `lanescope` executable, built as a module the
// executable loads only for what needs Qt GUI (the window, `screenshot`,
// `report`): the headless commands start without loading Qt's GUI libraries.

#include "cli.h"
#include "mainwindow.h"
#include "reportpdf.h"

#include <QApplication>
#include <QGuiApplication>
#include <QIcon>

extern "C" Q_DECL_EXPORT int lanescope_gui_main(int argc, char **argv)
{
    QStringList args;
    for (int i = 1; i < argc; ++i)
        args << QString::fromLocal8Bit(argv[i]);
    // `report` (PDF needs a GUI application) and `screenshot` render without a
    // window: with no display and no platform chosen they use the offscreen one.
    const bool headless = !args.isEmpty() && (args.first() == QLatin1String("report") ||
                                              args.first() == QLatin1String("screenshot"));
    if (headless && qEnvironmentVariableIsEmpty("DISPLAY") &&
        qEnvironmentVariableIsEmpty("WAYLAND_DISPLAY") &&
        qEnvironmentVariableIsEmpty("QT_QPA_PLATFORM"))
        qputenv("QT_QPA_PLATFORM", "offscreen");
    if (!args.isEmpty() && args.first() == QLatin1String("report")) {
        QGuiApplication app(argc, argv);
        ls::cli::setPdfWriter(&ls::gui::writeReportPdf);
        return ls::cli::run(args);
    }
    QApplication app(argc, argv);
    QApplication::setWindowIcon(QIcon(QStringLiteral(":/lanescope/icons/lanescope.svg")));
    if (!args.isEmpty() && args.first() == QLatin1String("screenshot"))
        return ls::gui::screenshotCommand(args.mid(1));
    return ls::gui::runGui(args);
}
