#include "eventsplitter.h"

#include <algorithm>
#include <array>
#include <cstring>

#if defined(__SSE2__)
#include <emmintrin.h>
#endif

namespace ls {

namespace {

// Bytes the scanner must look at; everything else is skipped in a tight loop.
constexpr std::array<bool, 256> makeSpecial()
{
    std::array<bool, 256> t{};
    for (unsigned char c : {'"', '\\', '{', '}', '[', ']', ',', ':', ' ', '\t', '\n', '\r'})
        t[c] = true;
    return t;
}
constexpr std::array<bool, 256> kSpecial = makeSpecial();

// Inside an event only strings and brackets matter.
constexpr std::array<bool, 256> makeStructural()
{
    std::array<bool, 256> t{};
    for (unsigned char c : {'"', '{', '}', '[', ']'})
        t[c] = true;
    return t;
}
constexpr std::array<bool, 256> kStructural = makeStructural();

bool isSpace(char c)
{
    return c == ' ' || c == '\t' || c == '\n' || c == '\r';
}

#if defined(__SSE2__)
struct Masks
{
    quint64 quote = 0, backslash = 0, open = 0, close = 0;
};

// One bit per byte of p[0, 64): where the quotes, backslashes, opening and
// closing brackets are.
Masks masks64(const char *p)
{
    Masks m;
    const __m128i quote = _mm_set1_epi8('"'), backslash = _mm_set1_epi8('\\'),
                  brace = _mm_set1_epi8('{'), bracket = _mm_set1_epi8('['),
                  braceEnd = _mm_set1_epi8('}'), bracketEnd = _mm_set1_epi8(']');
    for (int k = 0; k < 4; ++k) {
        const __m128i v = _mm_loadu_si128(reinterpret_cast<const __m128i *>(p + 16 * k));
        const auto bits = [&v](__m128i a) {
            return quint64(quint32(_mm_movemask_epi8(_mm_cmpeq_epi8(v, a))));
        };
        const auto either = [&v](__m128i a, __m128i b) {
            return quint64(quint32(
                _mm_movemask_epi8(_mm_or_si128(_mm_cmpeq_epi8(v, a), _mm_cmpeq_epi8(v, b)))));
        };
        m.quote |= bits(quote) << (16 * k);
        m.backslash |= bits(backslash) << (16 * k);
        m.open |= either(brace, bracket) << (16 * k);
        m.close |= either(braceEnd, bracketEnd) << (16 * k);
    }
    return m;
}
#endif

} // namespace

qsizetype EventSplitter::scanElement(const char *buf, qsizetype i, qsizetype size)
{
    if (m_escape) { // the byte after a backslash that ended the last buffer
        m_escape = false;
        ++i;
    }
#if defined(__SSE2__)
    // A block at a time: the bytes inside strings come from the quotes by a
    // prefix XOR, so only the brackets outside strings are visited (four or
    // so per event, where visiting every quote was some twenty).
    bool carry = false; // the block's first byte is escaped (a backslash ended the last)
    while (i + 64 <= size) {
        const Masks m = masks64(buf + i);
        quint64 escaped = carry ? 1 : 0;
        carry = false;
        for (quint64 bs = m.backslash & ~escaped; bs;) {
            const int k = __builtin_ctzll(bs);
            bs &= bs - 1;
            if (k == 63) {
                carry = true;
            } else {
                escaped |= quint64(1) << (k + 1);
                bs &= ~(quint64(1) << (k + 1)); // an escaped backslash escapes nothing
            }
        }
        quint64 inside =
            m.quote & ~escaped; // then: 1 from an opening quote to before its closing one
        inside ^= inside << 1;
        inside ^= inside << 2;
        inside ^= inside << 4;
        inside ^= inside << 8;
        inside ^= inside << 16;
        inside ^= inside << 32;
        if (m_inString) inside = ~inside;
        for (quint64 br = (m.open | m.close) & ~inside; br; br &= br - 1) {
            const int k = __builtin_ctzll(br);
            if ((m.open >> k) & 1) {
                ++m_depth;
            } else if (m_depth == m_arrayDepth + 1) {
                m_inString = false; // a bracket outside strings
                return i + k;
            } else {
                --m_depth;
            }
        }
        m_inString = (inside >> 63) != 0;
        i += 64;
    }
    if (carry) { // the escaped byte starts the tail
        if (i >= size) {
            m_escape = true;
            return size;
        }
        ++i;
    }
#endif
    while (i < size) {
        const char c = buf[i];
        if (m_inString) {
            if (c == '\\') {
                if (i + 1 >= size) {
                    m_escape = true;
                    return size;
                }
                i += 2;
                continue;
            }
            if (c == '"') m_inString = false;
        } else if (c == '"') {
            m_inString = true;
        } else if (c == '{' || c == '[') {
            ++m_depth;
        } else if (c == '}' || c == ']') {
            if (m_depth == m_arrayDepth + 1) return i;
            --m_depth;
        }
        ++i;
    }
    return size;
}

void EventSplitter::dropFront(qsizetype n)
{
    if (m_eventStart >= 0) m_eventStart = m_skipping ? 0 : m_eventStart - n;
}

qsizetype EventSplitter::feed(char *buf, qsizetype from, qsizetype size, std::vector<Range> &out)
{
    qsizetype i = from;
    while (i < size) {
        if (m_state == State::Events && m_depth > m_arrayDepth) {
            i = scanElement(buf, i, size);
            if (i >= size) break;
            // buf[i] closes the element: handled below.
        }
        if (m_inString) {
            if (m_escape) {
                m_escape = false;
                ++i;
                continue;
            }
            const bool keyChars = m_state == State::TopObject && m_top == Top::InKey;
            if (!keyChars) {
                // Most strings have no escapes: jump to the closing quote
                // when no backslash comes before it.
                const char *q = static_cast<const char *>(memchr(buf + i, '"', size_t(size - i)));
                if (q && !memchr(buf + i, '\\', size_t(q - (buf + i)))) {
                    i = q - buf; // the quote is handled below
                }
            }
            while (i < size && buf[i] != '"' && buf[i] != '\\') {
                if (keyChars && m_key.size() < 64) m_key.append(buf[i]);
                ++i;
            }
            if (i >= size) break;
            if (buf[i] == '\\') {
                m_escape = true;
                if (keyChars) m_keyIsEvents = false, m_key.append('\\');
                ++i;
                continue;
            }
            m_inString = false;
            ++i;
            if (keyChars) {
                m_top = Top::ExpectColon;
                m_keyIsEvents = m_key == "traceEvents";
            } else if (m_state == State::Events && m_depth == m_arrayDepth) {
                m_elementOther = false; // a string element ended
            }
            continue;
        }
        const char c = buf[i];
        switch (m_state) {
        case State::Start:
            if (isSpace(c) || quint8(c) == 0xEF || quint8(c) == 0xBB || quint8(c) == 0xBF) {
                break;
            } else if (c == '[') {
                m_form = Form::Array;
                m_depth = m_arrayDepth = 1;
                m_state = State::Events;
                m_sawEvents = true;
            } else if (c == '{') {
                m_form = Form::Object;
                m_depth = 1;
                m_state = State::TopObject;
                m_top = Top::ExpectKey;
            } else {
                m_bad = true;
                return size;
            }
            break;
        case State::TopObject:
            if (m_depth > 1) { // inside a member value we skip
                if (c == '"')
                    m_inString = true;
                else if (c == '{' || c == '[')
                    ++m_depth;
                else if (c == '}' || c == ']')
                    --m_depth;
                break;
            }
            switch (m_top) {
            case Top::ExpectKey:
                if (c == '"') {
                    m_inString = true;
                    m_top = Top::InKey;
                    m_key.clear();
                } else if (c == '}') {
                    m_depth = 0;
                    m_state = State::AfterEvents;
                }
                break;
            case Top::InKey:
                break;
            case Top::ExpectColon:
                if (c == ':') m_top = Top::ExpectValue;
                break;
            case Top::ExpectValue:
                if (isSpace(c)) break;
                if (c == '[' && m_keyIsEvents) {
                    m_depth = m_arrayDepth = 2;
                    m_state = State::Events;
                    m_sawEvents = true;
                    m_keyIsEvents = false;
                    break;
                }
                m_top = Top::InValue;
                [[fallthrough]];
            case Top::InValue:
                if (c == ',') {
                    m_top = Top::ExpectKey;
                } else if (c == '}') {
                    m_depth = 0;
                    m_state = State::AfterEvents;
                } else if (c == '"') {
                    m_inString = true;
                } else if (c == '{' || c == '[') {
                    ++m_depth;
                }
                break;
            }
            break;
        case State::Events:
            if (m_depth > m_arrayDepth) {
                // Inside an element: skip to the next byte that matters.
                while (i < size && !kStructural[quint8(buf[i])])
                    ++i;
                if (i >= size) break;
                const char d = buf[i];
                if (d == '"') {
                    m_inString = true;
                } else if (d == '{' || d == '[') {
                    ++m_depth;
                } else if (d == '}' || d == ']') {
                    if (--m_depth == m_arrayDepth) {
                        if (m_eventStart >= 0) {
                            if (m_skipping) {
                                ++m_skippedEvents;
                                m_skipping = false;
                            } else {
                                out.push_back({m_eventStart, i + 1});
                            }
                            m_eventStart = -1;
                        } else {
                            m_elementOther = false;
                        }
                    }
                }
                break;
            }
            if (isSpace(c)) {
                m_elementOther = false;
            } else if (c == ',') {
                buf[i] = ' ';
                m_elementOther = false;
            } else if (c == '{') {
                m_eventStart = i;
                ++m_depth;
            } else if (c == ']') {
                --m_depth;
                m_elementOther = false;
                if (m_form == Form::Array) {
                    m_state = State::AfterEvents;
                } else {
                    m_state = State::TopObject;
                    m_top = Top::InValue;
                }
                m_closed = true;
            } else if (c == '[') {
                ++m_nonObject;
                m_elementOther = true;
                ++m_depth;
            } else if (c == '"') {
                ++m_nonObject;
                m_elementOther = true;
                m_inString = true;
            } else if (!m_elementOther) {
                ++m_nonObject;
                m_elementOther = true;
            }
            break;
        case State::AfterEvents:
            return m_eventStart >= 0 && !m_skipping ? m_eventStart : size;
        }
        ++i;
    }
    return m_eventStart >= 0 && !m_skipping ? m_eventStart : size;
}

} // namespace ls
