#pragma once
// dlv trace output: calls as nested spans per goroutine (dlvtrace.cpp).

#include "importer.h"

namespace ls {

class DlvTraceImporter final : public Importer
{
public:
    QByteArray id() const override;
    QString displayName() const override;
    int sniff(const SniffInput &in) const override;
    void run(ImportContext &ctx, RecordSink &sink) override;
};

} // namespace ls
