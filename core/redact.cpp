#include "redact.h"

#include <QRegularExpression>

#include <optional>

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

// Replaces capture group `group` of every match of `re` in s with
// fn(match); a std::nullopt from fn leaves that match alone.
template<typename Fn>
QString replaceGroup(const QString &s, const QRegularExpression &re, int group, Fn fn)
{
    QString out;
    qsizetype last = 0;
    auto it = re.globalMatch(s);
    while (it.hasNext()) {
        const auto m = it.next();
        const std::optional<QString> rep = fn(m);
        if (!rep) continue;
        out += QStringView(s).mid(last, m.capturedStart(group) - last);
        out += *rep;
        last = m.capturedEnd(group);
    }
    out += QStringView(s).mid(last);
    return out;
}

QString redactParams(const QString &s, const RedactionRules &rules)
{
    // name=value pairs after '?', '&' or ';' (or at the start of a form body).
    static const QRegularExpression re(QStringLiteral("(^|[?&;])([^=&?#\\s;]+)=([^&#\\s;]*)"));
    return replaceGroup(
        s, re, 3, [&rules](const QRegularExpressionMatch &m) -> std::optional<QString> {
            if (m.capturedLength(3) == 0 || !secretName(fromPercent(m.captured(2)), rules))
                return std::nullopt;
            return QString::fromLatin1(kRedacted);
        });
}

QString alternation(const QStringList &words)
{
    QStringList escaped;
    for (const QString &w : words)
        escaped << QRegularExpression::escape(w);
    return escaped.join(QLatin1Char('|'));
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
    // Headers: "Name: value" at the start of a line; Authorization keeps its scheme word.
    if (!rules.headers.isEmpty()) {
        const QRegularExpression hre(QStringLiteral("(?im)^(%1)([ \\t]*:[ \\t]*)([^\\r\\n]*)")
                                         .arg(alternation(rules.headers)));
        s = replaceGroup(s, hre, 3, [](const QRegularExpressionMatch &m) -> std::optional<QString> {
            const QString value = m.captured(3);
            if (value.isEmpty()) return std::nullopt;
            const QString name = m.captured(1).toLower();
            const qsizetype sp = value.indexOf(QLatin1Char(' '));
            const bool scheme = (name == QLatin1String("authorization") ||
                                 name == QLatin1String("proxy-authorization")) &&
                                sp > 0;
            return (scheme ? value.left(sp + 1) : QString()) + QLatin1String(kRedacted);
        });
    }
    auto params = [&rules](int group) {
        return [&rules, group](const QRegularExpressionMatch &m) -> std::optional<QString> {
            return redactParams(m.captured(group), rules);
        };
    };
    // Query strings in request lines and in any URL: "?a=b&c=d".
    static const QRegularExpression qre(QStringLiteral("\\?[^\\s\"'<>]*"));
    s = replaceGroup(s, qre, 0, params(0));
    // Form-encoded body lines: "user=a&password=b".
    static const QRegularExpression form(
        QStringLiteral("(?m)^([A-Za-z0-9_.\\-%]+=[^&\\s]*(?:&[A-Za-z0-9_.\\-%]+=[^&\\s]*)+)\\r?$"));
    s = replaceGroup(s, form, 1, params(1));
    // JSON fields: "name": "value" | number | true/false.
    if (!rules.fieldPatterns.isEmpty()) {
        const QRegularExpression jre(
            QStringLiteral("(?i)(\"[^\"\\\\]*(?:%1)[^\"\\\\]*\"\\s*:\\s*)(\"(?:[^\"\\\\]|\\\\.)*\"|"
                           "-?[0-9][0-9.eE+\\-]*|true|false)")
                .arg(alternation(rules.fieldPatterns)));
        s = replaceGroup(s, jre, 2, [](const QRegularExpressionMatch &) -> std::optional<QString> {
            return QLatin1Char('"') + QLatin1String(kRedacted) + QLatin1Char('"');
        });
    }
    return textToBytes(s);
}

} // namespace ls
