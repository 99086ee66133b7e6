#pragma once
// Colours that carry meaning, the same in every view (design.md): client
// phases in Chrome DevTools' waterfall colours, goroutine states, request
// status. A colour-blind-safe alternative (Okabe–Ito based) is switchable.

#include <QColor>
#include <QString>

namespace ls::gui {

enum class PaletteKind
{
    Standard,
    ColourBlind
};
void setPaletteKind(PaletteKind k);
PaletteKind paletteKind();

// Colour for a span category / phase kind; `name` picks a stable hashed hue
// for categories without a fixed colour (server steps, regions).
QColor categoryColour(const QString &category, const QString &name = QString());
// Status text colour in tables (invalid colour: default text).
QColor statusColour(int status);
// Phase kinds in waterfall order, with display names.
struct PhaseLegend
{
    const char *kind;
    const char *title;
};
const std::vector<PhaseLegend> &phaseLegend();

} // namespace ls::gui
