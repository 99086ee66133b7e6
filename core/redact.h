#pragma once
// Redaction of secrets in raw HTTP text before it leaves the tool (reports,
// copies). Rules, all on by default:
//  - header values of Authorization, Proxy-Authorization, Cookie, Set-Cookie,
//    X-Api-Key, X-Auth-Token and any extra header names given; for
//    Authorization the scheme word ("Bearer") is kept;
//  - values of token-like query and form parameters (token, access_token,
//    api_key, password, secret, signature, ...) in request targets, URLs in
//    headers and form-encoded bodies;
//  - values of JSON fields named like password, token, secret, api_key,
//    authorization, in bodies (matched textually, so truncated JSON works too).
// Everything else is left byte for byte as it was (binary bodies included).

#include <QByteArray>
#include <QStringList>

namespace ls {

struct RedactionRules
{
    QStringList headers;       // lower-case header names whose values are redacted
    QStringList queryParams;   // lower-case parameter names (exact) ...
    QStringList fieldPatterns; // ... and substrings that make a JSON field or parameter secret
    static RedactionRules defaults();
    // Adds header names (e.g. from --redact-header).
    void addHeaders(const QStringList &names);
    // Human-readable list of the rules in force, for report footers.
    QStringList describe() const;
};

inline constexpr char kRedacted[] = "[redacted]";

// Redacts an HTTP message (request or response as dumped: start line,
// headers, blank line, body) or any text that contains one.
QByteArray redactHttp(const QByteArray &raw, const RedactionRules &rules);
// Redacts one URL or request target.
QByteArray redactUrl(const QByteArray &url, const RedactionRules &rules);

} // namespace ls
