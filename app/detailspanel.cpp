#include "detailspanel.h"

#include "report.h"

#include "analysis.h"

#include "units.h"
#include "viewpalette.h"

#include <QApplication>
#include <QCheckBox>
#include <QClipboard>
#include <QFileInfo>
#include <QFontDatabase>
#include <QHBoxLayout>
#include <QHeaderView>
#include <QJsonDocument>
#include <QLabel>
#include <QPainter>
#include <QPlainTextEdit>
#include <QPushButton>
#include <QSplitter>
#include <QStringDecoder>
#include <QSvgRenderer>
#include <QSyntaxHighlighter>
#include <QTabWidget>
#include <QTableWidget>
#include <QVBoxLayout>

namespace ls::gui {

namespace {

// Request/status line and header names stand out; the body stays plain.
class HttpHighlighter : public QSyntaxHighlighter
{
public:
    using QSyntaxHighlighter::QSyntaxHighlighter;

protected:
    void highlightBlock(const QString &text) override
    {
        const int prev = previousBlockState();
        // State: -1 first line, 1 in headers, 2 in body.
        if (prev == 2) {
            setCurrentBlockState(2);
            return;
        }
        if (prev == -1 || text.startsWith(QLatin1String("HTTP/")) ||
            (prev != 1 && text.contains(QLatin1String(" HTTP/")))) {
            QTextCharFormat f;
            f.setFontWeight(QFont::Bold);
            f.setForeground(QColor(0x1e, 0x88, 0xe5));
            setFormat(0, int(text.size()), f);
            setCurrentBlockState(1);
            return;
        }
        if (text.trimmed().isEmpty()) {
            setCurrentBlockState(2);
            return;
        }
        const int colon = int(text.indexOf(QLatin1Char(':')));
        if (colon > 0) {
            QTextCharFormat f;
            f.setFontWeight(QFont::Bold);
            f.setForeground(QColor(0x8e, 0x24, 0xaa));
            setFormat(0, colon + 1, f);
        }
        setCurrentBlockState(1);
    }
};

QString hexDump(QByteArrayView b)
{
    QString out;
    for (qsizetype i = 0; i < b.size(); i += 16) {
        out += QStringLiteral("%1  ").arg(i, 8, 16, QLatin1Char('0'));
        QString ascii;
        for (qsizetype k = 0; k < 16; ++k) {
            if (i + k < b.size()) {
                const uchar c = uchar(b[i + k]);
                out += QStringLiteral("%1 ").arg(c, 2, 16, QLatin1Char('0'));
                ascii += QLatin1Char(c >= 32 && c < 127 ? char(c) : '.');
            } else {
                out += QStringLiteral("   ");
            }
            if (k == 7) out += QLatin1Char(' ');
        }
        out += QLatin1Char(' ') + ascii + QLatin1Char('\n');
    }
    return out;
}

bool isText(QByteArrayView b)
{
    if (b.contains('\0')) return false;
    QStringDecoder dec(QStringDecoder::Utf8);
    const QString s = dec.decode(b);
    return !dec.hasError();
}

QPlainTextEdit *monoView()
{
    auto *e = new QPlainTextEdit;
    e->setReadOnly(true);
    e->setFont(QFontDatabase::systemFont(QFontDatabase::FixedFont));
    e->setLineWrapMode(QPlainTextEdit::NoWrap);
    return e;
}

} // namespace

QString DetailsPanel::renderHttp(const QByteArray &raw, bool pretty)
{
    qsizetype split = raw.indexOf("\r\n\r\n");
    qsizetype sepLen = 4;
    if (split < 0) {
        split = raw.indexOf("\n\n");
        sepLen = 2;
    }
    const QByteArrayView head = split < 0 ? QByteArrayView(raw) : QByteArrayView(raw).first(split);
    const QByteArrayView body =
        split < 0 ? QByteArrayView() : QByteArrayView(raw).sliced(split + sepLen);
    QString out = QString::fromUtf8(head);
    out.remove(QLatin1Char('\r'));
    if (split < 0) return out;
    out += QStringLiteral("\n\n");
    if (body.isEmpty()) return out;
    if (!isText(body))
        return out + QObject::tr("[binary body, %1 bytes]\n").arg(body.size()) + hexDump(body);
    if (pretty) {
        const QByteArray trimmed = body.trimmed().toByteArray();
        if (trimmed.startsWith('{') || trimmed.startsWith('[')) {
            QJsonParseError err;
            const QJsonDocument doc = QJsonDocument::fromJson(trimmed, &err);
            if (err.error == QJsonParseError::NoError)
                return out + QString::fromUtf8(doc.toJson(QJsonDocument::Indented));
        }
    }
    QString b = QString::fromUtf8(body);
    b.remove(QLatin1Char('\r'));
    return out + b;
}

DetailsPanel::DetailsPanel(QWidget *parent) : QWidget(parent)
{
    auto *lay = new QVBoxLayout(this);
    lay->setContentsMargins(4, 4, 4, 4);
    auto *top = new QHBoxLayout;
    m_title = new QLabel(tr("Select a request or a span."));
    m_title->setTextInteractionFlags(Qt::TextSelectableByMouse);
    m_pretty = new QCheckBox(tr("&Pretty JSON"));
    m_pretty->setChecked(true);
    m_copy = new QPushButton(tr("&Copy"));
    m_source = new QPushButton(tr("Show in &source file"));
    m_sourceLabel = new QLabel;
    m_sourceLabel->setTextInteractionFlags(Qt::TextSelectableByMouse);
    top->addWidget(m_title, 1);
    top->addWidget(m_sourceLabel);
    top->addWidget(m_pretty);
    top->addWidget(m_copy);
    top->addWidget(m_source);
    lay->addLayout(top);
    // The cause in one line, then the latency classes as one stacked bar
    // (the report's chart).
    m_cause = new QLabel;
    m_cause->setTextInteractionFlags(Qt::TextSelectableByMouse);
    m_cause->setWordWrap(true);
    m_cause->hide();
    lay->addWidget(m_cause);
    m_classBar = new QLabel;
    m_classBar->hide();
    lay->addWidget(m_classBar);
    m_tabs = new QTabWidget;
    m_request = monoView();
    m_response = monoView();
    new HttpHighlighter(m_request->document());
    new HttpHighlighter(m_response->document());
    m_phases = new QTableWidget(0, 6);
    m_phases->setHorizontalHeaderLabels(
        {tr("Phase"), tr("Name"), tr("Side"), tr("Start"), tr("Duration"), tr("% of request")});
    m_phases->verticalHeader()->hide();
    m_phases->horizontalHeader()->setStretchLastSection(true);
    m_phases->setEditTriggers(QAbstractItemView::NoEditTriggers);
    m_args = monoView();
    m_logs = monoView();
    // Request and response side by side: the pair is what one reads together.
    auto *raw = new QSplitter(Qt::Horizontal);
    raw->addWidget(m_request);
    raw->addWidget(m_response);
    m_tabs->addTab(raw, tr("Raw request / response"));
    m_tabs->addTab(m_phases, tr("Phases"));
    m_tabs->addTab(m_args, tr("Args"));
    m_tabs->addTab(m_logs, tr("Logs"));
    lay->addWidget(m_tabs, 1);
    connect(m_pretty, &QCheckBox::toggled, this, &DetailsPanel::render);
    connect(m_copy, &QPushButton::clicked, this, [this] {
        auto *w = qobject_cast<QPlainTextEdit *>(m_tabs->currentWidget());
        if (m_tabs->currentIndex() == 0) w = m_response->hasFocus() ? m_response : m_request;
        QString text;
        if (w == m_request && !m_rawRequest.isEmpty())
            text = QString::fromUtf8(m_rawRequest); // exactly as captured
        else if (w == m_response && !m_rawResponse.isEmpty())
            text = QString::fromUtf8(m_rawResponse);
        else if (w)
            text = w->toPlainText();
        QApplication::clipboard()->setText(text);
    });
    connect(m_source, &QPushButton::clicked, this, [this] {
        if (!m_sourcePath.isEmpty()) emit showInSource(m_sourcePath, m_sourceOffset, m_sourceLine);
    });
    clear();
}

void DetailsPanel::clear()
{
    m_requestId = 0;
    m_rawRequest.clear();
    m_rawResponse.clear();
    m_location.clear();
    m_sourcePath.clear();
    m_title->setText(tr("Select a request or a span."));
    m_cause->clear();
    m_cause->hide();
    m_classBar->hide();
    m_sourceLabel->clear();
    m_source->setEnabled(false);
    m_request->clear();
    m_response->clear();
    m_args->clear();
    m_logs->clear();
    m_phases->setRowCount(0);
}

void DetailsPanel::setError(const QString &message)
{
    clear();
    m_title->setText(QStringLiteral("<span style='color:#d32f2f'>%1</span>")
                         .arg(tr("Could not read this request: %1").arg(message.toHtmlEscaped())));
}

void DetailsPanel::setData(const RequestDetails &d)
{
    clear();
    m_requestId = d.row.id;
    const RequestRow &r = d.row;
    if (!r.cause.isEmpty()) {
        m_cause->setText(tr("<b>Cause:</b> %1").arg(r.cause.toHtmlEscaped()));
        m_cause->show();
    }
    {
        ReportRequest rr;
        rr.row = r;
        if (d.classes) rr.classes = *d.classes;
        const QByteArray svg = classBreakdownSvg(rr, 720);
        if (!svg.isEmpty()) {
            QSvgRenderer renderer(svg);
            QPixmap pm(renderer.defaultSize());
            pm.fill(Qt::white);
            QPainter p(&pm);
            renderer.render(&p);
            p.end();
            m_classBar->setPixmap(pm);
            m_classBar->show();
        }
    }
    m_title->setText(
        QStringLiteral("<b>%1</b> %2 %3 → <b>%4</b> in <b>%5</b>%6")
            .arg(r.key.toHtmlEscaped(), r.method.toHtmlEscaped(), r.url.toHtmlEscaped(),
                 r.status >= 0 ? QString::number(r.status) : QStringLiteral("?"),
                 r.duration() >= 0 ? formatDuration(r.duration()) : QStringLiteral("?"),
                 r.error.isEmpty() ? QString()
                                   : QStringLiteral(" <span style='color:#d32f2f'>%1</span>")
                                         .arg(r.error.toHtmlEscaped())));
    QString logs;
    // Where "Show in source file" goes: the raw request, else the first log line.
    const auto setSource = [this](const RawTextRow &t) {
        m_sourcePath = t.sourcePath;
        m_sourceOffset = t.offset;
        m_sourceLine = t.line;
        m_location = QStringLiteral("%1 line %2, byte offset %3")
                         .arg(QFileInfo(t.sourcePath).fileName())
                         .arg(t.line)
                         .arg(t.offset);
    };
    for (const RawTextRow &t : d.rawText) {
        const QString where = t.line >= 0 ? QStringLiteral("%1:%2").arg(t.sourcePath).arg(t.line)
                                          : QStringLiteral("%1@%2").arg(t.sourcePath).arg(t.offset);
        if (t.kind == QLatin1String("request") && m_rawRequest.isEmpty()) {
            m_rawRequest = t.data;
            setSource(t);
        } else if (t.kind == QLatin1String("response") && m_rawResponse.isEmpty()) {
            m_rawResponse = t.data;
        } else {
            logs += QStringLiteral("# %1 (%2) %3\n").arg(t.kind, where, formatTime(t.ts));
            logs += QString::fromUtf8(t.data).remove(QLatin1Char('\r'));
            if (!logs.endsWith(QLatin1Char('\n'))) logs += QLatin1Char('\n');
            if (m_sourcePath.isEmpty()) setSource(t);
        }
    }
    m_logs->setPlainText(logs.isEmpty() ? tr("(no log lines for this request)") : logs);
    m_sourceLabel->setText(m_location);
    m_source->setEnabled(!m_sourcePath.isEmpty());
    // Phases with their share of the request.
    const QList<PhaseRow> &phases = d.phases;
    const TimeNs total = std::max<TimeNs>(1, r.duration());
    m_phases->setRowCount(int(phases.size()));
    QString args;
    for (int i = 0; i < phases.size(); ++i) {
        const PhaseRow &p = phases[i];
        const TimeNs d = p.end - p.start;
        auto *kind = new QTableWidgetItem(p.kind);
        kind->setIcon([&] {
            QPixmap pm(10, 10);
            pm.fill(categoryColour(p.kind, p.name));
            return QIcon(pm);
        }());
        m_phases->setItem(i, 0, kind);
        m_phases->setItem(i, 1, new QTableWidgetItem(p.name));
        m_phases->setItem(i, 2, new QTableWidgetItem(p.side));
        m_phases->setItem(
            i, 3, new QTableWidgetItem(QStringLiteral("+") + formatDuration(p.start - r.start)));
        m_phases->setItem(i, 4, new QTableWidgetItem(formatDuration(d)));
        m_phases->setItem(i, 5,
                          new QTableWidgetItem(QStringLiteral("%1%").arg(
                              100.0 * double(d) / double(total), 0, 'f', 1)));
        if (!p.args.isEmpty()) args += QStringLiteral("%1 %2: %3\n").arg(p.kind, p.name, p.args);
    }
    m_phases->resizeColumnsToContents();
    m_args->setPlainText(args);
    render();
    // The first tab with something in it: raw HTTP, else its log lines, else
    // its phases; else the raw tab, which says what would fill it.
    const bool raw = !m_rawRequest.isEmpty() || !m_rawResponse.isEmpty();
    m_tabs->setCurrentIndex(raw ? 0 : !logs.isEmpty() ? 3 : m_phases->rowCount() > 0 ? 1 : 0);
}

void DetailsPanel::render()
{
    const bool pretty = m_pretty->isChecked();
    if (!m_rawRequest.isEmpty()) {
        m_request->setPlainText(renderHttp(m_rawRequest, pretty));
    } else if (m_requestId) {
        m_request->setPlainText(tr("(no raw request was captured for this request; import a "
                                   "client log with httputil dumps or a HAR file)"));
    }
    if (!m_rawResponse.isEmpty())
        m_response->setPlainText(renderHttp(m_rawResponse, pretty));
    else if (m_requestId)
        m_response->setPlainText(tr("(no raw response was captured for this request)"));
}

void DetailsPanel::showSpan(const SpanDetail &s)
{
    QString text =
        QStringLiteral(
            "span %1 on %2\nname: %3\ncategory: %4\nstart: %5\nduration: %6\ndepth: %7\n")
            .arg(s.id)
            .arg(s.laneName, s.name, s.category, formatTime(s.start),
                 formatDuration(s.end - s.start))
            .arg(s.depth);
    if (!s.args.isEmpty()) {
        QJsonParseError err;
        const QJsonDocument doc = QJsonDocument::fromJson(s.args.toUtf8(), &err);
        text += QStringLiteral("args:\n") +
                (err.error == QJsonParseError::NoError ? QString::fromUtf8(doc.toJson()) : s.args);
    }
    m_args->setPlainText(text);
    m_tabs->setCurrentWidget(m_args);
}

QString DetailsPanel::causeText() const
{
    return m_cause->isHidden() ? QString() : m_cause->text();
}

QString DetailsPanel::rawRequestText() const
{
    return m_request->toPlainText();
}

QString DetailsPanel::rawResponseText() const
{
    return m_response->toPlainText();
}

} // namespace ls::gui
