#pragma once
// Goroutine dumps (panic output, debug=2 profiles): a snapshot per goroutine (goroutinedump.cpp).

#include "importer.h"

namespace ls {

class GoroutineDumpImporter final : public Importer
{
public:
    QByteArray id() const override;
    QString displayName() const override;
    int sniff(const SniffInput &in) const override;
    void run(ImportContext &ctx, RecordSink &sink) override;
};

} // namespace ls
