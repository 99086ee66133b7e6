#pragma once
// The details of the selected request or span: the raw request and
// response exactly as captured (request line and headers highlighted, JSON
// bodies pretty-printed on demand, binary bodies as hex), where they came
// from in the source file, the phase table, span args and the request's log
// lines. Shows what it is given (setData); it never reads the session.

#include "queries.h"
#include "timeline.h"

#include <QWidget>

class QCheckBox;
class QLabel;
class QPlainTextEdit;
class QPushButton;
class QTabWidget;
class QTableWidget;

namespace ls::gui {

class DetailsPanel : public QWidget
{
    Q_OBJECT
public:
    explicit DetailsPanel(QWidget *parent = nullptr);
    void clear();
    // One request's details as the query service read them.
    void setData(const RequestDetails &details);
    // The read failed: the message takes the panel's place.
    void setError(const QString &message);
    void showSpan(const SpanDetail &span);
    // Text views, for tests and copying.
    QString rawRequestText() const;
    QString rawResponseText() const;
    QString sourceLocation() const { return m_location; }
    QLabel *classBar() const { return m_classBar; }
    // The cause line shown above the classes (plain text; empty when none).
    QString causeText() const;
    QTabWidget *tabs() const { return m_tabs; }
    qint64 requestId() const { return m_requestId; }

    // Renders one captured HTTP message for display: headers as they are,
    // a JSON body pretty-printed when `pretty`, a binary body as a hex dump.
    static QString renderHttp(const QByteArray &raw, bool pretty);

signals:
    void showInSource(const QString &path, qint64 offset, qint64 line);

private:
    void render();

    QTabWidget *m_tabs = nullptr;
    QLabel *m_classBar = nullptr;
    QLabel *m_cause = nullptr;
    QLabel *m_title = nullptr;
    QPlainTextEdit *m_request = nullptr, *m_response = nullptr, *m_args = nullptr,
                   *m_logs = nullptr;
    QTableWidget *m_phases = nullptr;
    QCheckBox *m_pretty = nullptr;
    QPushButton *m_copy = nullptr, *m_source = nullptr;
    QLabel *m_sourceLabel = nullptr;
    qint64 m_requestId = 0;
    QByteArray m_rawRequest, m_rawResponse;
    QString m_location, m_sourcePath;
    qint64 m_sourceOffset = -1, m_sourceLine = -1;
};

} // namespace ls::gui
