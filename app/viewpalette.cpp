#include "viewpalette.h"

#include "queries.h"

#include "palette.h"

#include <QHash>

#include <vector>

namespace ls::gui {

static PaletteKind g_kind = PaletteKind::Standard;
static palette::CategoricalColours g_categorical;

void setPaletteKind(PaletteKind k)
{
    g_kind = k;
}

PaletteKind paletteKind()
{
    return g_kind;
}

QColor categoryColour(const QString &c, const QString &name)
{
    const bool cb = g_kind == PaletteKind::ColourBlind;
    if (!cb) {
        // The standard colours are core's, so views and reports agree.
        static const QStringList phases{QStringLiteral("blocked"),  QStringLiteral("queue"),
                                        QStringLiteral("queueing"), QStringLiteral("getconn"),
                                        QStringLiteral("dns"),      QStringLiteral("connect"),
                                        QStringLiteral("tls"),      QStringLiteral("send"),
                                        QStringLiteral("wait"),     QStringLiteral("receive")};
        if (phases.contains(c)) return QColor(QLatin1String(palette::phaseColour(c.toLatin1())));
        if (c == QLatin1String("running") || c == QLatin1String("runnable") ||
            c.startsWith(QLatin1String("blocked")) || c == QLatin1String("syscall") ||
            c.startsWith(QLatin1String("gc")) || c == QLatin1String("stw") ||
            c == QLatin1String("sleeping") || c == QLatin1String("waiting") ||
            c == QLatin1String("idle"))
            return QColor(QLatin1String(palette::stateColour(c.toLatin1())));
    }
    // Client phases (Chrome DevTools waterfall).
    if (c == QLatin1String("blocked") || c == QLatin1String("queue") ||
        c == QLatin1String("queueing"))
        return QColor(0x9e, 0x9e, 0x9e);
    if (c == QLatin1String("getconn")) return QColor(0xbd, 0xbd, 0xbd);
    if (c == QLatin1String("dns")) return cb ? QColor(0x56, 0xb4, 0xe9) : QColor(0x00, 0x96, 0x88);
    if (c == QLatin1String("connect"))
        return cb ? QColor(0xe6, 0x9f, 0x00) : QColor(0xff, 0x98, 0x00);
    if (c == QLatin1String("tls")) return cb ? QColor(0xcc, 0x79, 0xa7) : QColor(0x9c, 0x27, 0xb0);
    if (c == QLatin1String("send")) return cb ? QColor(0xf0, 0xe4, 0x42) : QColor(0x9c, 0xcc, 0x65);
    if (c == QLatin1String("wait")) return cb ? QColor(0x00, 0x9e, 0x73) : QColor(0x2e, 0x9d, 0x48);
    if (c == QLatin1String("receive"))
        return cb ? QColor(0x00, 0x72, 0xb2) : QColor(0x1e, 0x88, 0xe5);
    // Goroutine states.
    if (c == QLatin1String("running"))
        return cb ? QColor(0x00, 0x9e, 0x73) : QColor(0x43, 0xa0, 0x47);
    if (c == QLatin1String("runnable"))
        return cb ? QColor(0xf0, 0xe4, 0x42) : QColor(0xfd, 0xd8, 0x35);
    if (c == QLatin1String("blocked-net") || c == QLatin1String("blocked-io"))
        return cb ? QColor(0x00, 0x72, 0xb2) : QColor(0x1e, 0x88, 0xe5);
    if (c == QLatin1String("blocked-sync") || c == QLatin1String("blocked-chan") ||
        c == QLatin1String("blocked-select") || c == QLatin1String("blocked-cond"))
        return cb ? QColor(0xd5, 0x5e, 0x00) : QColor(0xe5, 0x39, 0x35);
    if (c == QLatin1String("syscall"))
        return cb ? QColor(0xe6, 0x9f, 0x00) : QColor(0xfb, 0x8c, 0x00);
    if (c.startsWith(QLatin1String("gc")) || c == QLatin1String("stw"))
        return cb ? QColor(0xcc, 0x79, 0xa7) : QColor(0x8e, 0x24, 0xaa);
    if (c.startsWith(QLatin1String("blocked")) || c == QLatin1String("sleeping") ||
        c == QLatin1String("waiting") || c == QLatin1String("idle"))
        return QColor(0x9e, 0x9e, 0x9e);
    // Request bars.
    if (c == QLatin1String("request")) return QColor(0x90, 0xa4, 0xae);
    if (c == QLatin1String("request-4xx")) return QColor(0xff, 0xb7, 0x4d);
    if (c == QLatin1String("request-error"))
        return cb ? QColor(0xd5, 0x5e, 0x00) : QColor(0xe5, 0x39, 0x35);
    // Anything else (server steps, regions, tasks, counters): the session's
    // categorical colour for the name (core/palette.h), the same in reports.
    const QString key = name.isEmpty() ? c : name;
    return QColor(QLatin1String(g_categorical.colour(key.toUtf8())));
}

void setCategoryNames(const QList<QByteArray> &names)
{
    g_categorical.assign(names);
}

QColor statusColour(int status)
{
    if (isErrorStatus(status)) return QColor(0xd3, 0x2f, 0x2f);
    if (status >= 400) return QColor(0xe6, 0x7e, 0x22);
    if (status >= 300) return QColor(0x78, 0x90, 0x9c);
    return QColor();
}

const std::vector<PhaseLegend> &phaseLegend()
{
    static const std::vector<PhaseLegend> l{
        {"blocked", "Queueing / blocked"}, {"dns", "DNS lookup"},
        {"connect", "Initial connection"}, {"tls", "SSL / TLS"},
        {"send", "Request sent"},          {"wait", "Waiting (TTFB)"},
        {"receive", "Content download"},   {"step", "Server step"},
    };
    return l;
}

} // namespace ls::gui
