#pragma once

#include "importer.h"

namespace ls {

class ChromeTraceImporter final : public Importer
{
public:
    QByteArray id() const override;
    QString displayName() const override;
    int sniff(const SniffInput &in) const override;
    void run(ImportContext &ctx, RecordSink &sink) override;
};

} // namespace ls
