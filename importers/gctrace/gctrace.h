#pragma once
// GODEBUG=gctrace=1 lines: GC cycles on the GC lane, heap counters (gctrace.cpp).

#include "importer.h"

namespace ls {

class GcTraceImporter final : public Importer
{
public:
    QByteArray id() const override;
    QString displayName() const override;
    int sniff(const SniffInput &in) const override;
    void run(ImportContext &ctx, RecordSink &sink) override;
};

} // namespace ls
