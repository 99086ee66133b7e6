#pragma once

#include <QHash>
#include <QStringList>

namespace ls {
struct ReportData;
}

namespace ls::cli {

// Writes a report as PDF; set by the GUI part (it needs a QGuiApplication).
using PdfWriter = bool (*)(const ReportData &d, const QString &path, QString *error);
void setPdfWriter(PdfWriter writer);
// What `capture --open` does with the session it wrote: the window program
// opens it; without a handler the path is printed.
using OpenHandler = void (*)(const QString &sessionPath);
void setOpenHandler(OpenHandler handler);
// Writes a report as HTML, Markdown (images beside it) or PDF, by the
// output's suffix; false with the reason in *error.
bool writeReport(const ReportData &d, const QString &output, QString *error);

// A command's arguments: positional ones in order, options by name.
struct Args
{
    QStringList positional;
    QHash<QString, QString> options; // --name value, or --flag → "1" (the last one given)
    QHash<QString, QStringList> lists; // every value of a valued option, in order
    bool has(const QString &name) const { return options.contains(name); }
    QString value(const QString &name, const QString &def = QString()) const
    {
        return options.value(name, def);
    }
    QStringList values(const QString &name) const { return lists.value(name); }
};
// Parses "--opt value", "--opt=value", "-o value" and flags; an unknown
// option or a missing value is an error (false, with *error set).
bool parseArgs(const QStringList &argv, const QStringList &valued, const QStringList &flags,
               Args *args, QString *error);

// True when argv[1] names a headless command (import, info, ...).
bool isCommand(const QString &arg);
// Runs a headless command; returns the process exit status.
int run(const QStringList &args);

} // namespace ls::cli
