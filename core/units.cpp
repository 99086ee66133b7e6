#include "units.h"

#include <cmath>

#include <QDateTime>

#include <limits>

namespace ls {

std::optional<qint64> parseInt(QByteArrayView s)
{
    if (s.isEmpty()) return std::nullopt;
    qsizetype i = 0;
    bool neg = false;
    if (s[0] == '-' || s[0] == '+') {
        neg = s[0] == '-';
        ++i;
    }
    if (i == s.size()) return std::nullopt;
    quint64 v = 0;
    for (; i < s.size(); ++i) {
        const char c = s[i];
        if (c < '0' || c > '9') return std::nullopt;
        if (v > (quint64(1) << 62)) return std::nullopt;
        v = v * 10 + quint64(c - '0');
    }
    return neg ? -qint64(v) : qint64(v);
}

std::optional<qint64> parseScaled(QByteArrayView s, int scaleDigits)
{
    if (s.isEmpty()) return std::nullopt;
    qsizetype i = 0;
    bool neg = false;
    if (s[0] == '-' || s[0] == '+') {
        neg = s[0] == '-';
        ++i;
    }
    qint64 whole = 0, frac = 0;
    int fracDigits = 0;
    bool any = false, dot = false;
    for (; i < s.size(); ++i) {
        const char c = s[i];
        if (c == '.' && !dot) {
            dot = true;
            continue;
        }
        if (c < '0' || c > '9') return std::nullopt;
        any = true;
        if (!dot) {
            if (whole > (qint64(1) << 58)) return std::nullopt;
            whole = whole * 10 + (c - '0');
        } else if (fracDigits < scaleDigits) {
            frac = frac * 10 + (c - '0');
            ++fracDigits;
        }
    }
    if (!any) return std::nullopt;
    qint64 scale = 1;
    for (int k = 0; k < scaleDigits; ++k)
        scale *= 10;
    for (int k = fracDigits; k < scaleDigits; ++k)
        frac *= 10;
    if (whole > (std::numeric_limits<qint64>::max() - frac) / scale) return std::nullopt;
    const qint64 v = whole * scale + frac;
    return neg ? -v : v;
}

// value * unitNs / 10^9 without overflow or rounding: every unit is a
// multiple or a divisor of a second.
static std::optional<qint64> scaleNs(qint64 scaled, qint64 unitNs)
{
    if (unitNs >= 1000000000) {
        const qint64 mult = unitNs / 1000000000;
        if (scaled > std::numeric_limits<qint64>::max() / mult ||
            scaled < std::numeric_limits<qint64>::min() / mult)
            return std::nullopt;
        return scaled * mult;
    }
    return scaled / (1000000000 / unitNs);
}

std::optional<qint64> parseGoDuration(QByteArrayView s)
{
    if (s.isEmpty()) return std::nullopt;
    qsizetype i = 0;
    bool neg = false;
    if (s[0] == '-' || s[0] == '+') {
        neg = s[0] == '-';
        ++i;
    }
    if (s.sliced(i) == "0") return 0;
    if (i >= s.size()) return std::nullopt;
    qint64 total = 0;
    while (i < s.size()) {
        // number
        const qsizetype numStart = i;
        while (i < s.size() && ((s[i] >= '0' && s[i] <= '9') || s[i] == '.'))
            ++i;
        if (i == numStart) return std::nullopt;
        const QByteArrayView num = s.sliced(numStart, i - numStart);
        // unit
        const qsizetype unitStart = i;
        while (i < s.size() && !((s[i] >= '0' && s[i] <= '9') || s[i] == '.'))
            ++i;
        const QByteArrayView unit = s.sliced(unitStart, i - unitStart);
        qint64 unitNs;
        if (unit == "ns") {
            unitNs = 1;
        } else if (unit == "us" || unit == "\xc2\xb5s" || unit == "\xce\xbcs") {
            unitNs = 1000;
        } else if (unit == "ms") {
            unitNs = 1000000;
        } else if (unit == "s") {
            unitNs = 1000000000;
        } else if (unit == "m") {
            unitNs = 60LL * 1000000000;
        } else if (unit == "h") {
            unitNs = 3600LL * 1000000000;
        } else {
            return std::nullopt;
        }
        // value * unitNs exactly, from the decimal scaled by 10^9.
        const auto scaled = parseScaled(num, 9);
        if (!scaled) return std::nullopt;
        const auto v = scaleNs(*scaled, unitNs);
        if (!v) return std::nullopt;
        total += *v;
    }
    return neg ? -total : total;
}

std::optional<qint64> parseDurationOr(QByteArrayView s, qint64 bareUnitNs)
{
    if (auto d = parseGoDuration(s)) return d;
    if (auto v = parseScaled(s, 9)) return scaleNs(*v, bareUnitNs);
    return std::nullopt;
}

qint64 daysFromCivil(qint64 y, unsigned m, unsigned d)
{
    // Howard Hinnant's algorithm.
    y -= m <= 2;
    const qint64 era = (y >= 0 ? y : y - 399) / 400;
    const unsigned yoe = unsigned(y - era * 400);
    const unsigned doy = (153 * (m + (m > 2 ? -3 : 9)) + 2) / 5 + d - 1;
    const unsigned doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
    return era * 146097 + qint64(doe) - 719468;
}

static bool digitsAt(QByteArrayView s, qsizetype pos, int n, int *out)
{
    if (pos + n > s.size()) return false;
    int v = 0;
    for (int k = 0; k < n; ++k) {
        const char c = s[pos + k];
        if (c < '0' || c > '9') return false;
        v = v * 10 + (c - '0');
    }
    *out = v;
    return true;
}

// Parses "HH:MM:SS[.frac]" at pos; returns ns of day and advances pos.
static bool clockAt(QByteArrayView s, qsizetype &pos, qint64 *nsOfDay)
{
    int hh, mm, ss;
    if (!digitsAt(s, pos, 2, &hh) || pos + 2 >= s.size() || s[pos + 2] != ':' ||
        !digitsAt(s, pos + 3, 2, &mm) || pos + 5 >= s.size() || s[pos + 5] != ':' ||
        !digitsAt(s, pos + 6, 2, &ss))
        return false;
    if (hh > 23 || mm > 59 || ss > 60) return false;
    pos += 8;
    qint64 frac = 0;
    if (pos < s.size() && (s[pos] == '.' || s[pos] == ',')) {
        ++pos;
        int digits = 0;
        while (pos < s.size() && s[pos] >= '0' && s[pos] <= '9') {
            if (digits < 9) {
                frac = frac * 10 + (s[pos] - '0');
                ++digits;
            }
            ++pos;
        }
        if (digits == 0) return false;
        for (; digits < 9; ++digits)
            frac *= 10;
    }
    *nsOfDay = ((qint64(hh) * 60 + mm) * 60 + ss) * 1000000000LL + frac;
    return true;
}

// Nanoseconds since 1970 in 64 bits reach from 1677 to 2262: a year outside
// is not a time this tool can hold (it is damage, not a timestamp).
static bool inNsRange(int year)
{
    return year > 1678 && year < 2261;
}

std::optional<TimeNs> parseRfc3339(QByteArrayView s)
{
    int y, mo, d;
    if (!digitsAt(s, 0, 4, &y) || s.size() < 19 || s[4] != '-' || !digitsAt(s, 5, 2, &mo) ||
        s[7] != '-' || !digitsAt(s, 8, 2, &d) || (s[10] != 'T' && s[10] != 't' && s[10] != ' '))
        return std::nullopt;
    if (mo < 1 || mo > 12 || d < 1 || d > 31 || !inNsRange(y)) return std::nullopt;
    qsizetype pos = 11;
    qint64 nsOfDay;
    if (!clockAt(s, pos, &nsOfDay)) return std::nullopt;
    qint64 offsetSec = 0;
    if (pos < s.size()) {
        const char z = s[pos];
        if (z == 'Z' || z == 'z') {
            ++pos;
        } else if (z == '+' || z == '-') {
            int oh, om;
            if (!digitsAt(s, pos + 1, 2, &oh)) return std::nullopt;
            qsizetype mpos = pos + 3;
            if (mpos < s.size() && s[mpos] == ':') ++mpos;
            if (!digitsAt(s, mpos, 2, &om)) return std::nullopt;
            offsetSec = (qint64(oh) * 60 + om) * 60 * (z == '-' ? -1 : 1);
            pos = mpos + 2;
        }
    }
    if (pos != s.size()) return std::nullopt;
    const qint64 days = daysFromCivil(y, unsigned(mo), unsigned(d));
    return (days * 86400 - offsetSec) * 1000000000LL + nsOfDay;
}

std::optional<TimeNs> parseGoLogTime(QByteArrayView s, int *consumed)
{
    int y, mo, d;
    if (s.size() < 19 || !digitsAt(s, 0, 4, &y) || s[4] != '/' || !digitsAt(s, 5, 2, &mo) ||
        s[7] != '/' || !digitsAt(s, 8, 2, &d) || s[10] != ' ')
        return std::nullopt;
    if (mo < 1 || mo > 12 || d < 1 || d > 31 || !inNsRange(y)) return std::nullopt;
    qsizetype pos = 11;
    qint64 nsOfDay;
    if (!clockAt(s, pos, &nsOfDay)) return std::nullopt;
    if (consumed) *consumed = int(pos);
    return daysFromCivil(y, unsigned(mo), unsigned(d)) * 86400 * 1000000000LL + nsOfDay;
}

void appendJsonString(QByteArray &out, QByteArrayView s)
{
    static const char hex[] = "0123456789abcdef";
    out += '"';
    for (qsizetype i = 0; i < s.size();) {
        const uchar c = uchar(s[i]);
        if (c < 0x80) {
            switch (c) {
            case '"':
                out += "\\\"";
                break;
            case '\\':
                out += "\\\\";
                break;
            case '\n':
                out += "\\n";
                break;
            case '\r':
                out += "\\r";
                break;
            case '\t':
                out += "\\t";
                break;
            default:
                if (c < 0x20) {
                    out += "\\u00";
                    out += hex[c >> 4];
                    out += hex[c & 15];
                } else {
                    out += char(c);
                }
            }
            ++i;
            continue;
        }
        // Validate one UTF-8 sequence.
        int len = c >= 0xf0 && c < 0xf5 ? 4 : c >= 0xe0 ? 3 : c >= 0xc2 && c < 0xe0 ? 2 : 0;
        bool ok = len > 0 && i + len <= s.size();
        for (int k = 1; ok && k < len; ++k)
            ok = (uchar(s[i + k]) & 0xc0) == 0x80;
        if (ok) {
            out.append(s.data() + i, len);
            i += len;
        } else {
            out += "\xef\xbf\xbd";
            ++i;
        }
    }
    out += '"';
}

QString formatDuration(qint64 ns)
{
    const double a = double(ns < 0 ? -ns : ns);
    const char *unit;
    double v;
    if (a < 1e3) {
        return QStringLiteral("%1 ns").arg(ns);
    } else if (a < 1e6) {
        v = double(ns) / 1e3;
        unit = "µs";
    } else if (a < 1e9) {
        v = double(ns) / 1e6;
        unit = "ms";
    } else {
        v = double(ns) / 1e9;
        unit = "s";
    }
    const double av = v < 0 ? -v : v;
    const int decimals = av >= 100 ? 0 : av >= 10 ? 1 : 2;
    return QString::number(v, 'f', decimals) + QLatin1Char(' ') + QString::fromUtf8(unit);
}

QString formatCounter(const QString &counterName, double value)
{
    const QString n = counterName.toLower();
    if (n.contains(QLatin1String("heap")) || n.contains(QLatin1String("byte")) ||
        n.contains(QLatin1String("alloc"))) {
        const double a = std::abs(value);
        if (a >= double(1LL << 30))
            return QString::number(value / double(1LL << 30), 'f', 2) + QStringLiteral(" GiB");
        if (a >= double(1 << 20))
            return QString::number(value / double(1 << 20), 'f', 1) + QStringLiteral(" MiB");
        if (a >= 1024) return QString::number(value / 1024, 'f', 1) + QStringLiteral(" KiB");
        return QString::number(qint64(value)) + QStringLiteral(" B");
    }
    if (value == std::floor(value) && std::abs(value) < 9e15) {
        QString digits = QString::number(qint64(std::abs(value)));
        for (qsizetype i = digits.size() - 3; i > 0; i -= 3)
            digits.insert(i, QLatin1Char(','));
        return (value < 0 ? QStringLiteral("-") : QString()) + digits;
    }
    QString t = QString::number(value, 'f', 4);
    while (t.endsWith(QLatin1Char('0')))
        t.chop(1);
    if (t.endsWith(QLatin1Char('.'))) t.chop(1);
    return t;
}

QString formatOffset(TimeNs offset, TimeNs step)
{
    step = std::max<TimeNs>(1, step);
    const QString sign = offset < 0 ? QStringLiteral("−") : QString();
    const qint64 a = offset < 0 ? -offset : offset;
    if (a < 60'000'000'000) {
        double unit;
        const char *name;
        if (a >= 1'000'000'000) {
            unit = 1e9;
            name = "s";
        } else if (a >= 1'000'000) {
            unit = 1e6;
            name = "ms";
        } else if (a >= 1'000) {
            unit = 1e3;
            name = "µs";
        } else {
            unit = 1;
            name = "ns";
        }
        const int decimals =
            std::clamp(int(std::ceil(std::log10(unit / double(step)) - 1e-9)), 0, 9);
        return sign + QString::number(double(a) / unit, 'f', decimals) + QString::fromUtf8(name);
    }
    const qint64 sec = a / 1'000'000'000, frac = a % 1'000'000'000;
    const qint64 days = sec / 86400, h = (sec / 3600) % 24, m = (sec / 60) % 60, s = sec % 60;
    QString out = sign;
    if (days) out += QStringLiteral("%1d ").arg(days);
    if (days || h)
        out += QStringLiteral("%1:%2:%3")
                   .arg(h, days ? 2 : 1, 10, QLatin1Char('0'))
                   .arg(m, 2, 10, QLatin1Char('0'))
                   .arg(s, 2, 10, QLatin1Char('0'));
    else
        out += QStringLiteral("%1:%2").arg(m).arg(s, 2, 10, QLatin1Char('0'));
    const int digits =
        step >= 1'000'000'000
            ? 0
            : std::clamp(int(std::ceil(std::log10(1e9 / double(step)) - 1e-9)), 0, 9);
    if (digits > 0)
        out +=
            QLatin1Char('.') + QStringLiteral("%1").arg(frac, 9, 10, QLatin1Char('0')).left(digits);
    return out;
}

QString formatTime(TimeNs ns)
{
    if (ns == kNoTime) return QString();
    const qint64 ms = ns >= 0 ? ns / 1000000 : -((-ns + 999999) / 1000000);
    const qint64 subUs = (ns - ms * 1000000) / 1000;
    const QDateTime dt = QDateTime::fromMSecsSinceEpoch(ms, Qt::UTC);
    return dt.toString(QStringLiteral("yyyy-MM-ddTHH:mm:ss.zzz")) +
           QStringLiteral("%1Z").arg(subUs, 3, 10, QLatin1Char('0'));
}

} // namespace ls
