#include "flamegraphview.h"

#include "queryservice.h"

#include "units.h"

#include <QComboBox>
#include <QEvent>
#include <QFileInfo>
#include <QHBoxLayout>
#include <QHeaderView>
#include <QHelpEvent>
#include <QLabel>
#include <QLineEdit>
#include <QMouseEvent>
#include <QPainter>
#include <QPushButton>
#include <QSplitter>
#include <QSvgGenerator>
#include <QTableWidget>
#include <QToolTip>
#include <QVBoxLayout>

namespace ls::gui {

namespace {

constexpr double kRowH = 18;

QString valueText(qint64 v, const QString &unit)
{
    if (unit == QLatin1String("nanoseconds")) return formatDuration(v);
    if (unit == QLatin1String("bytes")) {
        if (v >= 1 << 20) return QStringLiteral("%1 MiB").arg(double(v) / 1048576.0, 0, 'f', 1);
        if (v >= 1 << 10) return QStringLiteral("%1 KiB").arg(double(v) / 1024.0, 0, 'f', 1);
        return QStringLiteral("%1 B").arg(v);
    }
    return QString::number(v);
}

} // namespace

QColor packageColour(QByteArrayView function)
{
    // "net/http.(*conn).serve" -> "net/http"; "main.handleLock.func1" -> "main".
    QByteArrayView pkg = function;
    const qsizetype slash = pkg.lastIndexOf('/');
    const qsizetype dot = pkg.indexOf('.', slash < 0 ? 0 : slash);
    if (dot > 0) pkg = pkg.first(dot);
    quint32 h = 2166136261u; // FNV-1a: the same colour in every run
    for (char c : pkg) {
        h ^= uchar(c);
        h *= 16777619u;
    }
    if (pkg == "runtime") return QColor(0xe0, 0x8a, 0x5a);
    return QColor::fromHsl(int(h % 50), 180 + int((h >> 8) % 50), 150 + int((h >> 16) % 40));
}

// ---------------------------------------------------------------------------

FlameCanvas::FlameCanvas(QWidget *parent) : QWidget(parent)
{
    setMouseTracking(true);
    setMinimumHeight(120);
}

void FlameCanvas::setGraph(FlameGraph g)
{
    m_graph = std::move(g);
    m_zoom = 0;
    setSearch(m_search);
}

void FlameCanvas::zoomTo(int node)
{
    if (node < 0 || size_t(node) >= m_graph.nodes().size()) node = 0;
    m_zoom = node;
    relayout();
}

void FlameCanvas::setSearch(const QString &text)
{
    m_search = text;
    m_matches = 0;
    if (!text.isEmpty()) {
        const QByteArray needle = text.toUtf8().toLower();
        for (const FlameNode &n : m_graph.nodes())
            if (!n.function.isEmpty() && n.function.toLower().contains(needle)) ++m_matches;
    }
    relayout();
}

std::vector<FlameCanvas::Box> FlameCanvas::layoutFor(const QSize &size) const
{
    std::vector<Box> out;
    const auto &nodes = m_graph.nodes();
    if (nodes.empty() || nodes[size_t(m_zoom)].total <= 0) return out;
    const QByteArray needle = m_search.toUtf8().toLower();
    // The zoomed node's ancestors are drawn full width above it.
    std::vector<int> chain;
    for (int n = m_zoom; n >= 0; n = nodes[size_t(n)].parent)
        chain.push_back(n);
    std::reverse(chain.begin(), chain.end());
    auto matches = [&](int n) {
        return !needle.isEmpty() && nodes[size_t(n)].function.toLower().contains(needle);
    };
    for (size_t i = 0; i + 1 < chain.size(); ++i)
        out.push_back(
            {QRectF(0, double(i) * kRowH, size.width(), kRowH - 1), chain[i], matches(chain[i])});
    const double scale = double(size.width()) / double(nodes[size_t(m_zoom)].total);
    // Depth-first, children side by side; anything under half a pixel is dropped.
    struct Item
    {
        int node;
        double x;
        int row;
    };
    std::vector<Item> stack{{m_zoom, 0.0, int(chain.size()) - 1}};
    while (!stack.empty()) {
        const Item it = stack.back();
        stack.pop_back();
        const FlameNode &n = nodes[size_t(it.node)];
        const double w = double(n.total) * scale;
        if (w < 0.5 || double(it.row) * kRowH > size.height()) continue;
        out.push_back(
            {QRectF(it.x, double(it.row) * kRowH, w, kRowH - 1), it.node, matches(it.node)});
        double x = it.x;
        for (int c : n.children) {
            stack.push_back({c, x, it.row + 1});
            x += double(nodes[size_t(c)].total) * scale;
        }
    }
    return out;
}

void FlameCanvas::relayout()
{
    m_boxes = layoutFor(size());
    update();
}

void FlameCanvas::resizeEvent(QResizeEvent *)
{
    relayout();
}

void FlameCanvas::render(QPainter &p, const QSize &size) const
{
    const std::vector<Box> boxes = size == this->size() ? m_boxes : layoutFor(size);
    p.fillRect(QRect(QPoint(0, 0), size), palette().base());
    const auto &nodes = m_graph.nodes();
    const bool searching = !m_search.isEmpty();
    QFont f = font();
    f.setPointSizeF(std::max(7.0, f.pointSizeF() - 1));
    p.setFont(f);
    for (const Box &b : boxes) {
        const FlameNode &n = nodes[size_t(b.node)];
        QColor c = b.node == 0 ? QColor(0xbd, 0xbd, 0xbd) : packageColour(n.function);
        if (searching && !b.match) c = c.lighter(160);
        if (searching && b.match) c = QColor(0xd0, 0x4c, 0xe0);
        p.fillRect(b.rect, c);
        if (b.rect.width() > 30) {
            p.setPen(QColor(0x20, 0x20, 0x20));
            const QString label = b.node == 0 ? tr("all") : QString::fromUtf8(n.function);
            p.drawText(b.rect.adjusted(3, 0, -2, 0), Qt::AlignVCenter | Qt::AlignLeft,
                       p.fontMetrics().elidedText(label, Qt::ElideRight, int(b.rect.width() - 5)));
        }
    }
}

void FlameCanvas::paintEvent(QPaintEvent *)
{
    QPainter p(this);
    if (m_graph.total() <= 0) {
        p.fillRect(rect(), palette().base());
        p.setPen(palette().color(QPalette::PlaceholderText));
        p.drawText(rect(), Qt::AlignCenter | Qt::TextWordWrap,
                   tr("No samples here. Import a pprof profile (or an execution trace with CPU "
                      "samples), or widen the scope."));
        return;
    }
    render(p, size());
}

int FlameCanvas::nodeAt(QPointF pos) const
{
    for (const Box &b : m_boxes)
        if (b.rect.contains(pos)) return b.node;
    return -1;
}

void FlameCanvas::mousePressEvent(QMouseEvent *e)
{
    const int n = nodeAt(e->position());
    if (n < 0) return;
    zoomTo(n);
    if (n > 0) emit functionSelected(m_graph.nodes()[size_t(n)].function);
}

void FlameCanvas::mouseDoubleClickEvent(QMouseEvent *)
{
    zoomTo(0);
}

bool FlameCanvas::event(QEvent *e)
{
    if (e->type() == QEvent::ToolTip) {
        auto *he = static_cast<QHelpEvent *>(e);
        const int n = nodeAt(he->pos());
        if (n < 0) {
            QToolTip::hideText();
            return true;
        }
        const FlameNode &fn = m_graph.nodes()[size_t(n)];
        const double pct = m_graph.total() ? 100.0 * double(fn.total) / double(m_graph.total()) : 0;
        QToolTip::showText(he->globalPos(),
                           tr("%1\ntotal %2 (%3%)  self %4")
                               .arg(n == 0 ? tr("all samples") : QString::fromUtf8(fn.function))
                               .arg(fn.total)
                               .arg(pct, 0, 'f', 1)
                               .arg(fn.self),
                           this);
        return true;
    }
    return QWidget::event(e);
}

// ---------------------------------------------------------------------------

FlameGraphView::FlameGraphView(QWidget *parent) : QWidget(parent)
{
    auto *lay = new QVBoxLayout(this);
    lay->setContentsMargins(4, 4, 4, 4);
    auto *bar = new QHBoxLayout;
    m_type = new QComboBox;
    m_type->setToolTip(tr("Sample type"));
    m_scopeBox = new QComboBox;
    m_scopeBox->addItems({tr("Whole profile"), tr("Selected request"), tr("Visible time range")});
    m_search = new QLineEdit;
    m_search->setPlaceholderText(tr("Highlight functions…"));
    m_search->setClearButtonEnabled(true);
    auto *svg = new QPushButton(tr("SVG…"));
    auto *png = new QPushButton(tr("PNG…"));
    svg->setToolTip(tr("Export the flame graph as SVG"));
    png->setToolTip(tr("Export the flame graph as PNG"));
    bar->addWidget(m_type);
    bar->addWidget(m_scopeBox);
    bar->addWidget(m_search, 1);
    bar->addWidget(svg);
    bar->addWidget(png);
    lay->addLayout(bar);
    m_info = new QLabel;
    m_info->setWordWrap(true);
    lay->addWidget(m_info);
    auto *split = new QSplitter(Qt::Vertical);
    m_canvas = new FlameCanvas;
    split->addWidget(m_canvas);
    auto *tables = new QSplitter(Qt::Horizontal);
    auto makeTable = [](const QStringList &headers) {
        auto *t = new QTableWidget(0, int(headers.size()));
        t->setHorizontalHeaderLabels(headers);
        t->verticalHeader()->hide();
        t->horizontalHeader()->setStretchLastSection(false);
        t->horizontalHeader()->setSectionResizeMode(0, QHeaderView::Stretch);
        t->setEditTriggers(QAbstractItemView::NoEditTriggers);
        t->setSelectionBehavior(QAbstractItemView::SelectRows);
        return t;
    };
    m_top = makeTable({tr("Function"), tr("Flat"), tr("Flat %"), tr("Cum"), tr("Cum %")});
    m_callers = makeTable({tr("Callers"), tr("Value")});
    m_callees = makeTable({tr("Callees"), tr("Value")});
    tables->addWidget(m_top);
    tables->addWidget(m_callers);
    tables->addWidget(m_callees);
    tables->setStretchFactor(0, 3);
    split->addWidget(tables);
    split->setStretchFactor(0, 3);
    split->setStretchFactor(1, 2);
    lay->addWidget(split, 1);

    connect(m_type, &QComboBox::currentIndexChanged, this, [this] { rebuild(); });
    connect(m_scopeBox, &QComboBox::currentIndexChanged, this,
            [this](int i) { setScope(Scope(i)); });
    connect(m_search, &QLineEdit::textChanged, m_canvas, &FlameCanvas::setSearch);
    connect(m_canvas, &FlameCanvas::functionSelected, this, &FlameGraphView::showFunction);
    connect(m_top, &QTableWidget::cellClicked, this,
            [this](int row, int) { showFunction(m_top->item(row, 0)->text().toUtf8()); });
    connect(svg, &QPushButton::clicked, this,
            [this] { exportSvg(QFileInfo(QStringLiteral("flamegraph.svg")).absoluteFilePath()); });
    connect(png, &QPushButton::clicked, this,
            [this] { exportPng(QFileInfo(QStringLiteral("flamegraph.png")).absoluteFilePath()); });
}

void FlameGraphView::setQueries(QueryService *queries)
{
    m_queries = queries;
    reload();
}

void FlameGraphView::reload()
{
    if (!m_queries) return;
    m_loaded = false;
    m_queries->profileTypes(this, [this](const Answer<QList<ProfileType>> &a) {
        const QSignalBlocker block(m_type);
        m_type->clear();
        m_loaded = true;
        if (!a.ok()) {
            m_canvas->setGraph(FlameGraph());
            m_info->setText(tr("Could not read the profiles: %1").arg(a.error));
            return;
        }
        for (const ProfileType &t : a.value) {
            QStringList ids;
            for (ProfileId id : t.profiles)
                ids << QString::number(id);
            m_type->addItem(QStringLiteral("%1 (%2) — %3")
                                .arg(t.sampleType, t.unit, QFileInfo(t.sourcePath).fileName()),
                            QStringList{t.sampleType, t.unit, ids.join(QLatin1Char(','))});
        }
        rebuild();
    });
}

void FlameGraphView::setRequest(qint64 requestId, const QByteArray &key)
{
    if (requestId == m_request && key == m_requestKey) return;
    m_request = requestId;
    m_requestKey = key;
    if (m_scope == Scope::Request) rebuild();
}

void FlameGraphView::setRange(TimeRange r)
{
    m_range = r;
    if (m_scope == Scope::VisibleRange && isVisible()) rebuild();
}

void FlameGraphView::setScope(Scope s)
{
    m_scope = s;
    if (m_scopeBox->currentIndex() != int(s)) {
        const QSignalBlocker block(m_scopeBox);
        m_scopeBox->setCurrentIndex(int(s));
    }
    rebuild();
}

QString FlameGraphView::infoText() const
{
    return m_info->text();
}

void FlameGraphView::rebuild()
{
    m_top->setRowCount(0);
    m_callers->setRowCount(0);
    m_callees->setRowCount(0);
    if (!m_queries || !m_loaded) return; // the profile types are on their way
    if (m_type->count() == 0) {
        m_canvas->setGraph(FlameGraph());
        m_info->setText(tr("This session has no sampling profile."));
        return;
    }
    const QStringList tu = m_type->currentData().toStringList();
    const QString unit = tu.value(1);
    FlameFilter f;
    for (const QString &id : tu.value(2).split(QLatin1Char(','), Qt::SkipEmptyParts))
        f.profiles << id.toLongLong();
    QString scopeText = tr("whole profile");
    if (m_scope == Scope::Request) {
        if (!m_request) {
            m_canvas->setGraph(FlameGraph());
            m_info->setText(tr("Select a request to see the samples taken while it ran."));
            return;
        }
        f.request = m_request;
        f.untimedByWindow = false;
        scopeText = m_requestKey.isEmpty() ? tr("the selected request")
                                           : tr("request %1").arg(QString::fromUtf8(m_requestKey));
    } else if (m_scope == Scope::VisibleRange && m_range.isValid()) {
        f.from = m_range.start;
        f.to = m_range.end;
        scopeText = tr("%1 of the timeline").arg(formatDuration(m_range.length()));
    }
    m_info->setText(tr("%1: reading the samples…").arg(scopeText));
    m_queries->flameGraph(this, f, [this, scopeText, unit](const Answer<FlameGraph> &a) {
        if (!a.ok()) {
            m_canvas->setGraph(FlameGraph());
            m_info->setText(tr("Could not build the flame graph: %1").arg(a.error));
            return;
        }
        showGraph(a.value, scopeText, unit);
    });
}

void FlameGraphView::showGraph(FlameGraph g, const QString &scopeText, const QString &unit)
{
    const qint64 total = g.total();
    QString info =
        tr("%1: %2 in %3 sample rows").arg(scopeText, valueText(total, unit)).arg(g.sampleRows());
    if (g.sampleRows() == 0 && m_scope != Scope::Whole)
        info += tr(" — no sample fell here: a CPU profile at 100 Hz samples once per 10 ms of "
                   "CPU, so this used little CPU, or the profile's labels do not name it.");
    else if (g.sampleRows() > 0 && g.sampleRows() < 20)
        info += tr(" — only %1 samples: each one is a large share of the picture (a CPU profile at "
                   "100 Hz takes one sample per 10 ms of CPU), so treat the proportions as rough.")
                    .arg(g.sampleRows());
    m_info->setText(info);
    const std::vector<FunctionStat> top = g.top();
    m_top->setRowCount(int(std::min<size_t>(top.size(), 200)));
    for (int i = 0; i < m_top->rowCount(); ++i) {
        const FunctionStat &s = top[size_t(i)];
        auto pct = [total](qint64 v) {
            return total ? QStringLiteral("%1%").arg(100.0 * double(v) / double(total), 0, 'f', 1)
                         : QString();
        };
        const QStringList cells{QString::fromUtf8(s.function), valueText(s.flat, unit), pct(s.flat),
                                valueText(s.cum, unit), pct(s.cum)};
        for (int c = 0; c < cells.size(); ++c) {
            auto *it = new QTableWidgetItem(cells[c]);
            if (c > 0) it->setTextAlignment(Qt::AlignRight | Qt::AlignVCenter);
            m_top->setItem(i, c, it);
        }
    }
    m_canvas->setGraph(std::move(g));
}

void FlameGraphView::showFunction(const QByteArray &function)
{
    const QString unit = m_type->currentData().toStringList().value(1);
    auto fill = [&](QTableWidget *t, const std::vector<FunctionStat> &rows) {
        t->setRowCount(int(rows.size()));
        for (int i = 0; i < int(rows.size()); ++i) {
            t->setItem(i, 0, new QTableWidgetItem(QString::fromUtf8(rows[size_t(i)].function)));
            auto *v = new QTableWidgetItem(valueText(rows[size_t(i)].cum, unit));
            v->setTextAlignment(Qt::AlignRight | Qt::AlignVCenter);
            t->setItem(i, 1, v);
        }
    };
    fill(m_callers, m_canvas->graph().callers(function));
    fill(m_callees, m_canvas->graph().callees(function));
    m_callers->setHorizontalHeaderLabels(
        {tr("Callers of %1").arg(QString::fromUtf8(function)), tr("Value")});
}

bool FlameGraphView::exportSvg(const QString &path) const
{
    QSvgGenerator gen;
    gen.setFileName(path);
    const QSize size(std::max(800, m_canvas->width()), std::max(300, m_canvas->height()));
    gen.setSize(size);
    gen.setViewBox(QRect(QPoint(0, 0), size));
    gen.setTitle(tr("Lanescope flame graph"));
    QPainter p;
    if (!p.begin(&gen)) return false;
    m_canvas->render(p, size);
    p.end();
    return QFileInfo(path).size() > 0;
}

bool FlameGraphView::exportPng(const QString &path) const
{
    return m_canvas->grab().save(path);
}

} // namespace ls::gui
