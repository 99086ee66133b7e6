#pragma once

#include "pipeline.h"
#include "queries.h"
#include "session.h"

#include <QAbstractTableModel>
#include <QMainWindow>

#include <memory>
#include <optional>

class QLabel;
class QLineEdit;
class QListWidget;
class QProgressBar;
class QPushButton;
class QStackedWidget;
class QTableView;
class QTreeWidget;

namespace ls::gui {

// Requests as a table model: rows are fetched once per filter into flat
// RequestRow values; data() never touches the database.
class RequestTableModel : public QAbstractTableModel
{
    Q_OBJECT
public:
    enum Column
    {
        Key,
        Method,
        Url,
        Status,
        Start,
        Total,
        Dns,
        Connect,
        Tls,
        Send,
        Wait,
        Receive,
        Error,
        ColumnCount
    };
    using QAbstractTableModel::QAbstractTableModel;
    void setRows(std::vector<RequestRow> rows);
    const RequestRow *row(int r) const;
    int rowCount(const QModelIndex &parent = {}) const override;
    int columnCount(const QModelIndex &parent = {}) const override;
    QVariant data(const QModelIndex &index, int role) const override;
    QVariant headerData(int section, Qt::Orientation o, int role) const override;
    void sort(int column, Qt::SortOrder order) override;

private:
    std::vector<RequestRow> m_rows;
};

class MainWindow : public QMainWindow
{
    Q_OBJECT
public:
    MainWindow();
    ~MainWindow() override;
    // Opens a session file (creating it when it does not exist).
    bool openSession(const QString &path);
    // Imports files into the current session (a new one beside the first file when none).
    void importFiles(const QStringList &files);
    bool hasSession() const { return m_session.has_value(); }
    RequestTableModel *requestModel() const { return m_model; }
    QTableView *requestView() const { return m_table; }
    bool importRunning() const { return m_job != nullptr; }
    void cancelImport();
    void applyFilter(const QString &text);

signals:
    void importsFinished(bool cancelled);

protected:
    void dragEnterEvent(QDragEnterEvent *e) override;
    void dropEvent(QDropEvent *e) override;

private:
    void buildStartPage();
    void buildSessionPage();
    void buildMenus();
    void refresh();
    void refreshRecent();
    void addRecent(const QString &path);
    void openDemo();
    void openFilesDialog();
    void openFolderDialog();
    void openSessionDialog();
    void onFileFinished(const ImportResult &r);

    std::optional<Session> m_session;
    QStackedWidget *m_stack = nullptr;
    QListWidget *m_recent = nullptr;
    QLineEdit *m_filter = nullptr;
    QLabel *m_summary = nullptr;
    QTableView *m_table = nullptr;
    RequestTableModel *m_model = nullptr;
    QTreeWidget *m_sources = nullptr;
    QProgressBar *m_progress = nullptr;
    QPushButton *m_cancel = nullptr;
    std::unique_ptr<ImportJob> m_job;
    quint64 m_generation = 0;
    QStringList m_errors;
};

int runGui(const QStringList &args);
int screenshotCommand(const QStringList &args);

} // namespace ls::gui
