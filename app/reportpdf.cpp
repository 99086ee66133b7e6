#include "reportpdf.h"

#include <QFileInfo>
#include <QHash>
#include <QImage>
#include <QPageLayout>
#include <QPageSize>
#include <QPainter>
#include <QPdfWriter>
#include <QSvgRenderer>
#include <QTextDocument>
#include <QUrl>

namespace ls::gui {

bool writeReportPdf(const ReportData &d, const QString &path, QString *error)
{
    QHash<QString, QByteArray> charts;
    const QByteArray html = renderHtml(d, [&](const QString &id, const QByteArray &svg) -> QString {
        charts.insert(id, svg);
        return QStringLiteral("chart:") + id;
    });
    QTextDocument doc;
    for (auto it = charts.constBegin(); it != charts.constEnd(); ++it) {
        QSvgRenderer svg(it.value());
        const QSize size = svg.defaultSize().isValid() ? svg.defaultSize() : QSize(720, 200);
        // Twice the size for a crisp print; the document shows it at width 720.
        QImage img(size * 2, QImage::Format_ARGB32_Premultiplied);
        img.fill(Qt::white);
        QPainter p(&img);
        svg.render(&p);
        p.end();
        img.setDevicePixelRatio(2.0);
        doc.addResource(QTextDocument::ImageResource, QUrl(QStringLiteral("chart:") + it.key()),
                        img);
    }
    doc.setHtml(QString::fromUtf8(html));
    QPdfWriter pdf(path);
    pdf.setTitle(d.options.title);
    pdf.setCreator(QStringLiteral("Lanescope"));
    pdf.setPageSize(QPageSize(QPageSize::A4));
    pdf.setPageMargins(QMarginsF(12, 12, 12, 12), QPageLayout::Millimeter);
    pdf.setResolution(144);
    doc.setPageSize(QSizeF(pdf.width(), pdf.height()));
    doc.print(&pdf);
    if (!QFileInfo::exists(path)) {
        if (error) *error = QStringLiteral("%1: could not be written").arg(path);
        return false;
    }
    return true;
}

} // namespace ls::gui
