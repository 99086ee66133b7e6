#include "registry.h"

#include "ab/ab.h"
#include "chrome/chrometrace.h"
#include "dlvtrace/dlvtrace.h"
#include "exectrace/exectrace.h"
#include "folded/folded.h"
#include "gctrace/gctrace.h"
#include "goroutinedump/goroutinedump.h"
#include "har/har.h"
#include "httpdump/httpdump.h"
#include "httptrace/httptrace.h"
#include "jaeger/jaegerjson.h"
#include "otlp/otlpjson.h"
#include "pprof/pprof.h"
#include "schedtrace/schedtrace.h"
#include "steplog/steplog.h"
#include "vegeta/vegeta.h"

namespace ls {

void registerBuiltinImporters(ImporterRegistry &registry)
{
    registry.add(std::make_unique<StepLogImporter>());
    registry.add(std::make_unique<HttpDumpImporter>());
    registry.add(std::make_unique<HttpTraceImporter>());
    registry.add(std::make_unique<ApacheBenchImporter>());
    registry.add(std::make_unique<VegetaImporter>());
    registry.add(std::make_unique<HarImporter>());
    registry.add(std::make_unique<ExecTraceImporter>());
    registry.add(std::make_unique<GcTraceImporter>());
    registry.add(std::make_unique<SchedTraceImporter>());
    registry.add(std::make_unique<GoroutineDumpImporter>());
    registry.add(std::make_unique<DlvTraceImporter>());
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
