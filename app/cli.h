#pragma once

#include <QStringList>

namespace ls {
struct ReportData;
}

namespace ls::cli {

// Writes a report as PDF; set by the GUI part (it needs a QGuiApplication).
using PdfWriter = bool (*)(const ReportData &d, const QString &path, QString *error);
void setPdfWriter(PdfWriter writer);

// True when argv[1] names a headless command (import, info, ...).
bool isCommand(const QString &arg);
// Runs a headless command; returns the process exit status.
int run(const QStringList &args);

} // namespace ls::cli
