#pragma once
// Go execution traces (runtime/trace): the old format (Go 1.5-1.21) and the
// generation-based one (Go 1.22+, binary and the test suite's text form).

#include "importer.h"

namespace ls {

class ExecTraceImporter final : public Importer
{
public:
    QByteArray id() const override;
    QString displayName() const override;
    int sniff(const SniffInput &in) const override;
    void run(ImportContext &ctx, RecordSink &sink) override;
};

} // namespace ls
