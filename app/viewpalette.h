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

// Colour for a span category / phase kind; `name` picks the categorical
// colour of categories without a fixed one (server steps, regions).
QColor categoryColour(const QString &category, const QString &name = QString());
// The names of the open session that share the categorical colours
// (palette::CategoricalColours): the session's step names. Views repaint
// with the new colours after this.
void setCategoryNames(const QList<QByteArray> &names);
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
