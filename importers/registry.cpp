#include "registry.h"

#include "chrome/chrometrace.h"
#include "pprof/pprof.h"
#include "steplog/steplog.h"

namespace ls {

void registerBuiltinImporters(ImporterRegistry &registry)
{
    registry.add(std::make_unique<StepLogImporter>());
    registry.add(std::make_unique<PprofImporter>());
    registry.add(std::make_unique<ChromeTraceImporter>());
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
