// lanescope-cli: the headless commands on a QCoreApplication. It links Qt
// Core and the project's libraries only — no Qt GUI library is loaded — so it
// runs on servers and in CI images without display libraries. What needs
// rendering (the window, `screenshot`, PDF reports) is the `lanescope`
// program's; HTML and Markdown reports are written here.

#include "cli.h"

#include <QCoreApplication>
#include <QTextStream>

int main(int argc, char **argv)
{
    QCoreApplication app(argc, argv);
    QCoreApplication::setOrganizationName(QStringLiteral("Lanescope"));
    QCoreApplication::setApplicationName(QStringLiteral("lanescope"));
    QCoreApplication::setApplicationVersion(QStringLiteral(LANESCOPE_VERSION));
    const QStringList args = QCoreApplication::arguments().mid(1);
    if (args.isEmpty() || !ls::cli::isCommand(args.first())) {
        if (!args.isEmpty() && args.first() == QLatin1String("screenshot"))
            QTextStream(stderr) << "lanescope-cli: 'screenshot' renders the window; run it as "
                                   "'lanescope screenshot ...'.\n";
        else if (!args.isEmpty())
            QTextStream(stderr) << "lanescope-cli: '" << args.first()
                                << "' is not a command. Try 'lanescope-cli --help'; the window "
                                   "is 'lanescope'.\n";
        else
            QTextStream(stderr) << "lanescope-cli: a command is needed. Try 'lanescope-cli "
                                   "--help'; the window is 'lanescope'.\n";
        return 2;
    }
    return ls::cli::run(args);
}
