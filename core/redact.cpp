#include "redact.h"

#include <QRegularExpression>

namespace ls {

RedactionRules RedactionRules::defaults()
{
    RedactionRules r;
    r.headers = {QStringLiteral("authorization"), QStringLiteral("proxy-authorization"),
                 QStringLiteral("cookie"),        QStringLiteral("set-cookie"),
                 QStringLiteral("x-api-key"),     QStringLiteral("x-auth-token"),
                 QStringLiteral("x-csrf-token"),  QStringLiteral("x-amz-security-token")};
    r.queryParams = {QStringLiteral("key"),  QStringLiteral("sig"),     QStringLiteral("code"),
                     QStringLiteral("auth"), QStringLiteral("session"), QStringLiteral("sid")};
    r.fieldPatterns = {
        QStringLiteral("password"),   QStringLiteral("passwd"),        QStringLiteral("token"),
        QStringLiteral("secret"),     QStringLiteral("api_key"),       QStringLiteral("apikey"),
        QStringLiteral("api-key"),    QStringLiteral("authorization"), QStringLiteral("signature"),
        QStringLiteral("credential"), QStringLiteral("private_key")};
    return r;
}

void RedactionRules::addHeaders(const QStringList &names)
{
    for (const QString &n : names) {
        const QString l = n.trimmed().toLower();
        if (!l.isEmpty() && !headers.contains(l)) headers << l;
    }
}

QStringList RedactionRules::describe() const
{
    return {
        QStringLiteral("Header values: %1 (the Authorization scheme word is kept)")
            .arg(headers.join(QStringLiteral(", "))),
        QStringLiteral("Query and form parameters named %1, or containing %2")
            .arg(queryParams.join(QStringLiteral(", ")), fieldPatterns.join(QStringLiteral(", "))),
        QStringLiteral("JSON body fields whose names contain %1")
            .arg(fieldPatterns.join(QStringLiteral(", "))),
        QStringLiteral("Redacted values are replaced by %1").arg(QLatin1String(kRedacted))};
}

namespace {

// Bytes ↔ QString one to one, so regular expressions can work on binary data
// and everything they do not touch comes back unchanged.
QString bytesToText(const QByteArray &b)
{
    return QString::fromLatin1(b);
}
QByteArray textToBytes(const QString &s)
{
    return s.toLatin1();
}

QString fromPercent(const QString &s)
{
    return QString::fromUtf8(QByteArray::fromPercentEncoding(s.toLatin1())).toLower();
}

bool secretName(const QString &nameLower, const RedactionRules &rules)
{
    if (rules.queryParams.contains(nameLower)) return true;
    for (const QString &p : rules.fieldPatterns)
        if (nameLower.contains(p)) return true;
    return false;
}

QString redactParams(const QString &s, const RedactionRules &rules)
{
    // name=value pairs after '?', '&' or ';' (or at the start of a form body).
    static const QRegularExpression re(QStringLiteral("(^|[?&;])([^=&?#\\s;]+)=([^&#\\s;]*)"));
    QString out;
    qsizetype last = 0;
    auto it = re.globalMatch(s);
    while (it.hasNext()) {
        const auto m = it.next();
        const QString name = fromPercent(m.captured(2));
        if (!secretName(name, rules) || m.capturedLength(3) == 0) continue;
        out += s.mid(last, m.capturedStart(3) - last);
        out += QLatin1String(kRedacted);
        last = m.capturedEnd(3);
    }
    out += s.mid(last);
    return out;
}

} // namespace

QByteArray redactUrl(const QByteArray &url, const RedactionRules &rules)
{
    const QString s = bytesToText(url);
    const qsizetype q = s.indexOf(QLatin1Char('?'));
    if (q < 0) return url;
    return textToBytes(s.left(q) + redactParams(s.mid(q), rules));
}

QByteArray redactHttp(const QByteArray &raw, const RedactionRules &rules)
{
    QString s = bytesToText(raw);
    // Headers: "Name: value" at the start of a line.
    if (!rules.headers.isEmpty()) {
        QStringList names;
        for (const QString &h : rules.headers)
            names << QRegularExpression::escape(h);
        const QRegularExpression hre(QStringLiteral("(?im)^(%1)([ \\t]*:[ \\t]*)([^\\r\\n]*)")
                                         .arg(names.join(QLatin1Char('|'))));
        QString out;
        qsizetype last = 0;
        auto it = hre.globalMatch(s);
        while (it.hasNext()) {
            const auto m = it.next();
            QString value = m.captured(3);
            QString keep;
            if (m.captured(1).compare(QLatin1String("authorization"), Qt::CaseInsensitive) == 0 ||
                m.captured(1).compare(QLatin1String("proxy-authorization"), Qt::CaseInsensitive) ==
                    0) {
                const qsizetype sp = value.indexOf(QLatin1Char(' '));
                if (sp > 0) keep = value.left(sp + 1);
            }
            if (value.isEmpty()) continue;
            out += s.mid(last, m.capturedStart(3) - last);
            out += keep + QLatin1String(kRedacted);
            last = m.capturedEnd(3);
        }
        out += s.mid(last);
        s = out;
    }
    // Query strings in request lines and in any URL: "?a=b&c=d".
    {
        static const QRegularExpression qre(QStringLiteral("\\?[^\\s\"'<>]*"));
        QString out;
        qsizetype last = 0;
        auto it = qre.globalMatch(s);
        while (it.hasNext()) {
            const auto m = it.next();
            out += s.mid(last, m.capturedStart(0) - last);
            out += redactParams(m.captured(0), rules);
            last = m.capturedEnd(0);
        }
        out += s.mid(last);
        s = out;
    }
    // Form-encoded body lines: "user=a&password=b".
    {
        static const QRegularExpression form(QStringLiteral(
            "(?m)^([A-Za-z0-9_.\\-%]+=[^&\\s]*(?:&[A-Za-z0-9_.\\-%]+=[^&\\s]*)+)\\r?$"));
        QString out;
        qsizetype last = 0;
        auto it = form.globalMatch(s);
        while (it.hasNext()) {
            const auto m = it.next();
            out += s.mid(last, m.capturedStart(1) - last);
            out += redactParams(m.captured(1), rules);
            last = m.capturedEnd(1);
        }
        out += s.mid(last);
        s = out;
    }
    // JSON fields: "name": "value" | number | true/false/null.
    if (!rules.fieldPatterns.isEmpty()) {
        QStringList pats;
        for (const QString &p : rules.fieldPatterns)
            pats << QRegularExpression::escape(p);
        const QRegularExpression jre(
            QStringLiteral("(?i)(\"[^\"\\\\]*(?:%1)[^\"\\\\]*\"\\s*:\\s*)(\"(?:[^\"\\\\]|\\\\.)*\"|"
                           "-?[0-9][0-9.eE+\\-]*|true|false)")
                .arg(pats.join(QLatin1Char('|'))));
        QString out;
        qsizetype last = 0;
        auto it = jre.globalMatch(s);
        while (it.hasNext()) {
            const auto m = it.next();
            out += s.mid(last, m.capturedStart(2) - last);
            out += QLatin1Char('"') + QLatin1String(kRedacted) + QLatin1Char('"');
            last = m.capturedEnd(2);
        }
        out += s.mid(last);
        s = out;
    }
    return textToBytes(s);
}

} // namespace ls
