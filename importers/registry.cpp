#include "registry.h"

#include "dlvtrace/dlvtrace.h"
#include "exectrace/exectrace.h"
#include "gctrace/gctrace.h"
#include "goroutinedump/goroutinedump.h"
#include "schedtrace/schedtrace.h"
#include "steplog/steplog.h"

namespace ls {

void registerBuiltinImporters(ImporterRegistry &registry)
{
    registry.add(std::make_unique<StepLogImporter>());
    registry.add(std::make_unique<ExecTraceImporter>());
    registry.add(std::make_unique<GcTraceImporter>());
    registry.add(std::make_unique<SchedTraceImporter>());
    registry.add(std::make_unique<GoroutineDumpImporter>());
    registry.add(std::make_unique<DlvTraceImporter>());
}

const ImporterRegistry &builtinImporters()
{
    static const ImporterRegistry reg = [] {
        ImporterRegistry r;
        registerBuiltinImporters(r);
        return r;
    }();
    return reg;
}

} // namespace ls
