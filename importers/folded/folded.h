#pragma once

#include "importer.h"

namespace ls {

class FoldedStacksImporter final : public Importer
{
public:
    QByteArray id() const override;
    QString displayName() const override;
    int sniff(const SniffInput &in) const override;
    void run(ImportContext &ctx, RecordSink &sink) override;
};

// One folded line: frames (root first) and its count. False when the line
// has no count after its last space.
bool parseFoldedLine(QByteArrayView line, QList<QByteArrayView> *frames, qint64 *count,
                     bool *twoCounts = nullptr, bool *fraction = nullptr);

} // namespace ls
