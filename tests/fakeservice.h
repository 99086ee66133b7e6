#pragma once
// A local HTTP service for the capture tests: 127.0.0.1 only, canned
// answers per path, and the ability to misbehave on purpose.

#include "testsupport.h"

#include <QHash>
#include <QHostAddress>
#include <QObject>
#include <QTcpServer>
#include <QTcpSocket>

#include <functional>
#include <memory>

namespace ls::test {

// A tiny HTTP/1.1 server on 127.0.0.1: `answer(path)` gives the whole raw
// response for a request line's path (empty: never answer).
class FakeService : public QObject
{
public:
    using Answer = std::function<QByteArray(const QByteArray &path)>;
    explicit FakeService(Answer a) : m_answer(std::move(a))
    {
        connect(&m_server, &QTcpServer::newConnection, this, [this] {
            while (QTcpSocket *s = m_server.nextPendingConnection()) {
                auto buf = std::make_shared<QByteArray>();
                connect(s, &QTcpSocket::readyRead, s, [this, s, buf] {
                    *buf += s->readAll();
                    const qsizetype end = buf->indexOf("\r\n\r\n");
                    if (end < 0) return;
                    const QByteArray line = buf->left(buf->indexOf("\r\n"));
                    const QByteArray path = line.split(' ').value(1);
                    paths << path;
                    const QByteArray reply = m_answer(path);
                    buf->clear();
                    if (reply.isEmpty()) return; // hold the connection, answer nothing
                    s->write(reply);
                    s->disconnectFromHost();
                });
                connect(s, &QTcpSocket::disconnected, s, &QObject::deleteLater);
            }
        });
        m_server.listen(QHostAddress::LocalHost);
    }
    QString url() const { return QStringLiteral("http://127.0.0.1:%1").arg(m_server.serverPort()); }
    QList<QByteArray> paths;

private:
    QTcpServer m_server;
    Answer m_answer;
};

inline QByteArray response(int status, const QByteArray &body,
                    const QByteArray &type = "application/octet-stream", qsizetype length = -1,
                    const QByteArray &extra = QByteArray())
{
    static const QHash<int, QByteArray> reasons{{200, "OK"},
                                                {302, "Found"},
                                                {404, "Not Found"},
                                                {500, "Internal Server Error"}};
    return "HTTP/1.1 " + QByteArray::number(status) + ' ' + reasons.value(status) +
           "\r\nContent-Type: " + type + "\r\nContent-Length: " +
           QByteArray::number(length >= 0 ? length : body.size()) + "\r\n" + extra +
           "Connection: close\r\n\r\n" + body;
}

inline QByteArray corpusBytes(const char *rel)
{
    return readFile(corpus(QLatin1String(rel)));
}

// What the corpus's server would serve.
inline QByteArray goodAnswer(const QByteArray &path)
{
    if (path.startsWith("/debug/pprof/trace")) return response(200, corpusBytes("gen/trace.out"));
    if (path.startsWith("/debug/pprof/profile")) return response(200, corpusBytes("gen/cpu.pprof"));
    if (path.startsWith("/debug/pprof/goroutine"))
        return response(200, corpusBytes("gen/goroutine_stacks.txt"), "text/plain");
    if (path.startsWith("/debug/pprof/heap")) return response(200, corpusBytes("gen/heap.pprof"));
    if (path.startsWith("/debug/pprof/mutex")) return response(200, corpusBytes("gen/mutex.pprof"));
    if (path.startsWith("/debug/pprof/block")) return response(200, corpusBytes("gen/block.pprof"));
    return response(404, "404 page not found\n", "text/plain");
}

} // namespace ls::test
