#pragma once
// The one list of importers. Adding a format: write its folder, add one line
// to registerBuiltinImporters().

#include "importer.h"

namespace ls {

void registerBuiltinImporters(ImporterRegistry &registry);
// A process-wide registry with every built-in importer.
const ImporterRegistry &builtinImporters();

} // namespace ls
