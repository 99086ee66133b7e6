#include "registry.h"

#include "chrome/chrometrace.h"
#include "folded/folded.h"
#include "jaeger/jaegerjson.h"
#include "otlp/otlpjson.h"
#include "pprof/pprof.h"
#include "steplog/steplog.h"

namespace ls {

void registerBuiltinImporters(ImporterRegistry &registry)
{
    registry.add(std::make_unique<StepLogImporter>());
    registry.add(std::make_unique<PprofImporter>());
    registry.add(std::make_unique<ChromeTraceImporter>());
    registry.add(std::make_unique<OtlpJsonImporter>());
    registry.add(std::make_unique<JaegerJsonImporter>());
    registry.add(std::make_unique<FoldedStacksImporter>());
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
