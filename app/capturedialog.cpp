#include "capturedialog.h"

#include "registry.h"
#include "worker.h"

#include <QCoreApplication>
#include <QDateTime>
#include <QDialogButtonBox>
#include <QFileDialog>
#include <QFileInfo>
#include <QFormLayout>
#include <QHBoxLayout>
#include <QLabel>
#include <QLineEdit>
#include <QListWidget>
#include <QPointer>
#include <QProgressBar>
#include <QPushButton>
#include <QSpinBox>
#include <QVBoxLayout>

namespace ls::gui {

CaptureDialog::CaptureDialog(const QString &defaultSession, QWidget *parent)
    : QDialog(parent), m_worker(std::make_unique<Worker>("capture"))
{
    setObjectName(QStringLiteral("capture"));
    setWindowTitle(tr("Capture From Service"));
    auto *lay = new QVBoxLayout(this);
    auto *intro = new QLabel(tr("Records the execution trace and the CPU profile of a Go service "
                                "that serves <code>net/http/pprof</code>, then its goroutines, "
                                "heap, mutex and block profiles and the lines it logs meanwhile."));
    intro->setWordWrap(true);
    lay->addWidget(intro);
    auto *form = new QFormLayout;
    m_url = new QLineEdit(QStringLiteral("http://127.0.0.1:6060"));
    m_url->setObjectName(QStringLiteral("url"));
    form->addRow(tr("Service:"), m_url);
    m_seconds = new QSpinBox;
    m_seconds->setRange(1, 3600);
    m_seconds->setValue(5);
    m_seconds->setSuffix(tr(" s"));
    form->addRow(tr("Window:"), m_seconds);
    auto *logsRow = new QHBoxLayout;
    m_logs = new QListWidget;
    m_logs->setMaximumHeight(70);
    logsRow->addWidget(m_logs, 1);
    auto *logButtons = new QVBoxLayout;
    auto *add = new QPushButton(tr("Add…"));
    auto *remove = new QPushButton(tr("Remove"));
    logButtons->addWidget(add);
    logButtons->addWidget(remove);
    logButtons->addStretch();
    logsRow->addLayout(logButtons);
    form->addRow(tr("Its log files:"), logsRow);
    connect(add, &QPushButton::clicked, this, [this] {
        for (const QString &f : QFileDialog::getOpenFileNames(this, tr("Log files the service appends to")))
            addLog(f);
    });
    connect(remove, &QPushButton::clicked, this, [this] { delete m_logs->currentItem(); });
    auto *sessionRow = new QHBoxLayout;
    m_session = new QLineEdit(defaultSession);
    m_session->setObjectName(QStringLiteral("session"));
    auto *browse = new QPushButton(tr("Browse…"));
    sessionRow->addWidget(m_session, 1);
    sessionRow->addWidget(browse);
    form->addRow(tr("Into session:"), sessionRow);
    connect(browse, &QPushButton::clicked, this, [this] {
        const QString f = QFileDialog::getSaveFileName(this, tr("Session to write"), m_session->text(),
                                                       tr("Lanescope sessions (*.lanescope)"));
        if (!f.isEmpty()) m_session->setText(f);
    });
    lay->addLayout(form);
    m_progress = new QProgressBar;
    m_progress->setVisible(false);
    lay->addWidget(m_progress);
    m_status = new QLabel;
    m_status->setObjectName(QStringLiteral("status"));
    m_status->setWordWrap(true);
    m_status->setTextFormat(Qt::RichText);
    lay->addWidget(m_status);
    auto *buttons = new QDialogButtonBox;
    m_start = buttons->addButton(tr("Capture"), QDialogButtonBox::AcceptRole);
    m_cancel = buttons->addButton(QDialogButtonBox::Cancel);
    lay->addWidget(buttons);
    connect(m_start, &QPushButton::clicked, this, &CaptureDialog::startCapture);
    connect(m_cancel, &QPushButton::clicked, this, &CaptureDialog::reject);
    resize(620, sizeHint().height());
}

CaptureDialog::~CaptureDialog()
{
    delete m_job;
    m_worker.reset(); // waits for a commit in progress
}

void CaptureDialog::addLog(const QString &path)
{
    m_logs->addItem(path);
}

void CaptureDialog::setRunning(bool on)
{
    m_start->setEnabled(!on);
    for (QWidget *w : {static_cast<QWidget *>(m_url), static_cast<QWidget *>(m_seconds),
                       static_cast<QWidget *>(m_session), static_cast<QWidget *>(m_logs)})
        w->setEnabled(!on);
    m_progress->setVisible(on);
}

void CaptureDialog::fail(const QString &why)
{
    setRunning(false);
    m_status->setText(QStringLiteral("<span style=\"color:#d32f2f\">%1</span>")
                          .arg(tr("%1 — nothing was imported.").arg(why).toHtmlEscaped()));
}

void CaptureDialog::startCapture()
{
    QString error;
    CaptureOptions opt;
    opt.base = captureBaseUrl(m_url->text(), &error);
    if (opt.base.isEmpty()) return fail(error);
    const QString session = QFileInfo(m_session->text().trimmed()).absoluteFilePath();
    if (m_session->text().trimmed().isEmpty()) return fail(tr("Choose the session to write"));
    opt.seconds = m_seconds->value();
    for (int i = 0; i < m_logs->count(); ++i)
        opt.logs << m_logs->item(i)->text();
    opt.outDir = session + QStringLiteral(".capture-") +
                 QDateTime::currentDateTimeUtc().toString(QStringLiteral("yyyyMMdd-HHmmss"));
    m_job = new CaptureJob(opt, this);
    m_progress->setRange(0, opt.seconds);
    m_progress->setValue(0);
    m_progress->setFormat(tr("%v of %m s"));
    setRunning(true);
    connect(m_job, &CaptureJob::progress, this, [this](int left, const QString &what) {
        m_progress->setValue(m_progress->maximum() - left);
        m_status->setText(tr("%1 — %2 s left").arg(what.toHtmlEscaped()).arg(left));
    });
    connect(m_job, &CaptureJob::finished, this, [this, session](bool ok, const QString &why) {
        CaptureJob *job = m_job;
        m_job = nullptr;
        job->deleteLater();
        if (!ok) return fail(why);
        m_committing = true;
        m_status->setText(tr("Importing %1 files…").arg(job->files().size()));
        const QStringList files = job->files(), whole = job->requiredFiles();
        QPointer<CaptureDialog> self(this);
        m_worker->post([self, session, files, whole] {
            QList<ImportResult> results;
            QString error;
            const bool done =
                commitCapture(session, files, builtinImporters(), &results, &error, whole);
            QMetaObject::invokeMethod(qApp, [self, done, error, session] {
                if (!self) return;
                self->m_committing = false;
                if (!done) return self->fail(error);
                self->setRunning(false);
                self->m_status->setText(tr("Captured into %1.").arg(session.toHtmlEscaped()));
                emit self->captured(session);
                self->accept();
            });
        });
    });
    m_job->start();
}

void CaptureDialog::reject()
{
    if (m_job) {
        m_job->cancel(); // finished(false, "cancelled") follows
        return;
    }
    if (m_committing) return; // the import ends on its own, then closes
    QDialog::reject();
}

} // namespace ls::gui
