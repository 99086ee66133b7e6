#pragma once

#include "importer.h"

namespace ls {

class PprofImporter final : public Importer
{
public:
    QByteArray id() const override;
    QString displayName() const override;
    int sniff(const SniffInput &in) const override;
    void run(ImportContext &ctx, RecordSink &sink) override;
};

// Walks the top-level fields of a serialized Profile message without
// decoding it. Returns an empty string when `data` is well-formed at the wire
// level (every key valid, every length inside the buffer), else the reason,
// with *offset set to the byte where the problem starts. With `allowCut`, a
// field cut off by the end of `data` is accepted (sniffing a head);
// *complete counts the fields read whole.
QString pprofWireCheck(QByteArrayView data, qint64 *offset, bool allowCut = false,
                       int maxFields = -1, int *complete = nullptr);

} // namespace ls
