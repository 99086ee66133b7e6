#pragma once
// SHA-256 of a byte stream (FIPS 180-4). Uses the CPU's SHA instructions when
// it has them (x86-64 SHA extensions, checked at run time) and plain C++
// otherwise; both give the same digest. The import hashes every input file
// on a second thread, so this pass must stay far cheaper than the parse.

#include <QByteArray>
#include <QByteArrayView>

#include <array>
#include <cstdint>

namespace ls {

class Sha256
{
public:
    enum class Engine
    {
        Best,    // the CPU's SHA instructions when present
        Portable // plain C++ (tests compare the two)
    };
    explicit Sha256(Engine engine = Engine::Best);
    void addData(QByteArrayView bytes);
    // The 32-byte digest; the object is spent afterwards.
    QByteArray result();
    // True when Engine::Best uses the CPU's SHA instructions on this machine.
    static bool hardwareAvailable();

private:
    void compress(const unsigned char *blocks, size_t count);
    std::array<std::uint32_t, 8> m_state;
    std::array<unsigned char, 64> m_buffer{};
    size_t m_buffered = 0;
    std::uint64_t m_length = 0;
    bool m_hardware = false;
};

} // namespace ls
