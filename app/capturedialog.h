#pragma once
// File › Capture From Service…: the service's address, the window, the log
// files it appends to and the session to write; a countdown while the trace
// and profiles are recorded, Cancel at any time; the capture is imported
// into a new session file all or nothing (capture.h) on a worker thread, and
// `captured(path)` asks the window to open it. A failure is shown in the
// dialog, which stays open to try again.

#include "capture.h"

#include <QDialog>

#include <memory>

class QLabel;
class QLineEdit;
class QListWidget;
class QProgressBar;
class QPushButton;
class QSpinBox;

namespace ls {
class Worker;
}

namespace ls::gui {

class CaptureDialog : public QDialog
{
    Q_OBJECT
public:
    explicit CaptureDialog(const QString &defaultSession, QWidget *parent = nullptr);
    ~CaptureDialog() override;

    QLineEdit *urlEdit() const { return m_url; }
    QSpinBox *secondsBox() const { return m_seconds; }
    QLineEdit *sessionEdit() const { return m_session; }
    void addLog(const QString &path);
    QPushButton *captureButton() const { return m_start; }
    QLabel *statusLabel() const { return m_status; }
    QProgressBar *progressBar() const { return m_progress; }
    bool running() const { return m_job != nullptr || m_committing; }

public slots:
    void startCapture();
    // Cancel: stops a capture in progress (the dialog stays), else closes.
    void reject() override;

signals:
    void captured(const QString &sessionPath);

private:
    void setRunning(bool on);
    void fail(const QString &why);

    QLineEdit *m_url = nullptr, *m_session = nullptr;
    QSpinBox *m_seconds = nullptr;
    QListWidget *m_logs = nullptr;
    QProgressBar *m_progress = nullptr;
    QLabel *m_status = nullptr;
    QPushButton *m_start = nullptr, *m_cancel = nullptr;
    CaptureJob *m_job = nullptr;
    bool m_committing = false;
    std::unique_ptr<Worker> m_worker;
};

} // namespace ls::gui
