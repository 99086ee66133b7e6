#pragma once

#include <QStringList>

namespace ls::cli {

// True when argv[1] names a headless command (import, info, ...).
bool isCommand(const QString &arg);
// Runs a headless command; returns the process exit status.
int run(const QStringList &args);

} // namespace ls::cli
