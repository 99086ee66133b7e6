#pragma once

#include "report.h"

namespace ls::gui {

// Renders a report to PDF with Qt's PDF writer; charts are rasterised from
// their SVG. Needs a QGuiApplication. Returns false and sets *error on failure.
bool writeReportPdf(const ReportData &d, const QString &path, QString *error);

} // namespace ls::gui
