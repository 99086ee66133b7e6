// A fuzz target for the request filter language (queries.h): parse any text;
// a FilterError is the expected refusal.

#include <QVariant>

#include "queries.h"

#include <cstddef>
#include <cstdint>

extern "C" int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    ls::FilterError fe;
    const QString text =
        QString::fromUtf8(reinterpret_cast<const char *>(data), qsizetype(std::min<size_t>(size, 4096)));
    (void)ls::RequestFilter::parse(text, &fe);
    return 0;
}
