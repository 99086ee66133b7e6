#pragma once
// Colours that carry meaning, the same in every view and report: client
// phases follow Chrome DevTools' waterfall; goroutine states follow design.md.
// Plain #rrggbb strings so core (no QtGui) and reports can use them; the GUI
// turns them into QColor.

#include <QByteArray>
#include <QByteArrayView>
#include <QHash>
#include <QList>

#include <array>

namespace ls::palette {

// blocked/queueing grey, DNS teal, connect orange, TLS purple, send light
// green, waiting (TTFB) green, receive blue; server steps indigo.
inline const char *phaseColour(QByteArrayView kind)
{
    if (kind == "dns") return "#009688";
    if (kind == "connect") return "#f57c00";
    if (kind == "tls") return "#8e24aa";
    if (kind == "send") return "#9ccc65";
    if (kind == "wait") return "#2e7d32";
    if (kind == "receive") return "#1e88e5";
    if (kind == "step") return "#5c6bc0";
    return "#9e9e9e"; // blocked, getconn, queue, unknown
}

// running green, runnable yellow, network blue, sync/channel red, syscall
// orange, GC purple, sleeping and other blocked grey.
inline const char *stateColour(QByteArrayView state)
{
    if (state == "running") return "#43a047";
    if (state == "runnable") return "#fdd835";
    if (state.startsWith("blocked-net") || state == "network" || state == "io") return "#1e88e5";
    if (state.startsWith("blocked-sync") || state.startsWith("blocked-chan") ||
        state.startsWith("blocked-select") || state == "sync")
        return "#e53935";
    if (state == "syscall") return "#fb8c00";
    if (state.startsWith("gc") || state == "blocked-gc" || state == "stw") return "#8e24aa";
    return "#9e9e9e";
}

// Latency classes (core/analysis.h): goroutine classes as their states,
// client classes as their phases; the four kinds of synchronisation wait in
// reds and pinks of distinct lightness (mutex red, WaitGroup/Cond brown,
// channel deep pink, select light pink), GC assist purple and
// stop-the-world deep purple; timer sleep light grey, other dark grey.
inline const char *classColour(QByteArrayView cls)
{
    if (cls == "dns" || cls == "connect" || cls == "tls" || cls == "wait") return phaseColour(cls);
    if (cls == "sleep") return "#cfd8dc";
    if (cls == "other") return "#757575";
    if (cls == "blocked-mutex") return "#e53935";
    if (cls == "blocked-wait") return "#8d6e63";
    if (cls == "blocked-chan") return "#ad1457";
    if (cls == "blocked-select") return "#f48fb1";
    if (cls == "gc-assist") return "#ab47bc";
    if (cls == "stw") return "#4a148c";
    return stateColour(cls);
}

inline const char *errorColour()
{
    return "#d32f2f";
}

// Categorical colours for named things without a colour of their own:
// server steps, regions, tasks, counters. 24 colours chosen greedily from the
// sRGB grid (lightness 45-80, chroma >= 30, so dark text stays readable) to
// keep the smallest CIEDE2000 distance between any two, and to the client
// phase colours above (steps and phases share the waterfall), as large as
// possible, both as seen and as seen with protanopia, deuteranopia and
// tritanopia (Machado et al. 2009, full severity): any two differ by at least
// 11.0 as seen and 5.3 under every simulation, and from a phase colour by 8.7
// and 4.1 (tst_units checks all four). The first colours are the most
// distinct of all.
inline constexpr std::array<const char *, 24> kCategorical = {
    "#ffa5ff", "#f0003c", "#78d2c3", "#7869a5", "#e19687", "#f00ff0", "#c32d78", "#e1c300",
    "#00a5b4", "#69965a", "#a55a00", "#c378a5", "#a5a54b", "#f05a0f", "#b496e1", "#a50ff0",
    "#ff6996", "#00875a", "#ffb487", "#6987c3", "#c36978", "#96d2a5", "#965a87", "#2d69c3"};

// The colour a name prefers: FNV-1a of its bytes (stable across runs and
// machines, unlike qHash), modulo the palette.
int preferredCategory(QByteArrayView name);

// Colours for the names of one session (or report): every name its
// preferred colour when no other name of the set wants it, else the next free
// one (names in byte order choose first), so up to 24 names never share a
// colour, and a name keeps its colour in every session where it does not
// collide. Names outside the set get their preferred colour.
class CategoricalColours
{
public:
    void assign(QList<QByteArray> names);
    const char *colour(QByteArrayView name) const;
    int slot(QByteArrayView name) const;

private:
    QHash<QByteArray, int> m_slot;
};

} // namespace ls::palette
