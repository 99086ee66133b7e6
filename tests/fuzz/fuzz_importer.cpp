// A fuzz target per importer: bytes through one importer (chosen at build
// time by LANESCOPE_FUZZ_FORMAT) into a sink that only counts. A clear
// ImportError is the expected way to refuse input; anything else (a crash,
// a sanitizer report, a hang, an allocation past the limit) is a finding.

#include "countingsink.h"
#include "registry.h"

#include <QByteArray>

#include <cstddef>
#include <cstdint>

namespace {

class BytesContext final : public ls::ImportContext
{
public:
    explicit BytesContext(QByteArray d) : m_in(std::move(d), QStringLiteral("fuzz-input")) {}
    ls::InputStream &input() override { return m_in; }
    QString path() const override { return QStringLiteral("fuzz-input"); }
    void diag(QByteArrayView, ls::Severity, qint64, qint64, const QString &) override {}
    void checkpoint() override {}
    void setStage(const QString &) override {}
    void addEvents(qint64) override {}

private:
    ls::InputStream m_in;
};

} // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    static const ls::Importer *imp = ls::builtinImporters().byId(LANESCOPE_FUZZ_FORMAT);
    if (!imp) __builtin_trap();
    BytesContext ctx(QByteArray(reinterpret_cast<const char *>(data), qsizetype(size)));
    ls::test::CountingSink sink;
    try {
        const_cast<ls::Importer *>(imp)->run(ctx, sink);
    } catch (const ls::ImportError &) {
        // refused with a reason: fine
    }
    return 0;
}
