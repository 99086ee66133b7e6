#pragma once
// Colours that carry meaning, the same in every view and report: client
// phases follow Chrome DevTools' waterfall; goroutine states follow design.md.
// Plain #rrggbb strings so core (no QtGui) and reports can use them; the GUI
// turns them into QColor.

#include <QByteArrayView>

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

} // namespace ls::palette
