#include "palette.h"

#include <algorithm>

namespace ls::palette {

int preferredCategory(QByteArrayView name)
{
    quint32 h = 2166136261u;
    for (char c : name) {
        h ^= quint8(c);
        h *= 16777619u;
    }
    return int(h % kCategorical.size());
}

void CategoricalColours::assign(QList<QByteArray> names)
{
    std::sort(names.begin(), names.end());
    names.erase(std::unique(names.begin(), names.end()), names.end());
    m_slot.clear();
    std::array<bool, kCategorical.size()> used{};
    QList<QByteArray> later;
    for (const QByteArray &n : names) {
        const int p = preferredCategory(n);
        if (!used[size_t(p)]) {
            used[size_t(p)] = true;
            m_slot.insert(n, p);
        } else {
            later.append(n);
        }
    }
    for (const QByteArray &n : later) {
        const int p = preferredCategory(n);
        int s = p;
        for (size_t k = 1; k < kCategorical.size() && used[size_t(s)]; ++k)
            s = int((size_t(p) + k) % kCategorical.size());
        used[size_t(s)] = true; // all taken: shares its preferred colour
        m_slot.insert(n, s);
    }
}

int CategoricalColours::slot(QByteArrayView name) const
{
    const auto it = m_slot.constFind(QByteArray(name.data(), name.size()));
    return it != m_slot.constEnd() ? it.value() : preferredCategory(name);
}

const char *CategoricalColours::colour(QByteArrayView name) const
{
    return kCategorical[size_t(slot(name))];
}

} // namespace ls::palette
