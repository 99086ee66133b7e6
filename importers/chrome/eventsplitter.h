#pragma once
// EventSplitter: finds the elements of a Chrome trace's event array in a
// byte stream without parsing them, so that memory stays bounded by the
// largest event rather than the file.
//
// It accepts both container forms: a bare array `[ev, ev, ...]` and an object
// whose "traceEvents" member is that array (other members, in any order, are
// skipped however large). The array may stop without its `]` and may carry a
// trailing comma. Completed object elements are reported as byte ranges of
// the buffer handed to feed(); the commas between them are overwritten with
// spaces, so a run of completed events is a whitespace-separated stream of
// JSON documents (what simdjson's parse_many reads).
//
// Invariants: the splitter only tracks strings, escapes and bracket depth; it
// never validates an event (the JSON parser does that) and never recurses, so
// nesting depth costs nothing.

#include <QByteArray>
#include <QByteArrayView>

#include <vector>

namespace ls {

class EventSplitter
{
public:
    enum class Form
    {
        Unknown,
        Array,
        Object
    };
    struct Range
    {
        qsizetype begin;
        qsizetype end;
    };

    // Scans buf[from, buf.size()); appends completed events to `out`.
    // Returns the offset from which bytes must be kept for the next call
    // (the start of an incomplete event), or buf.size() when none is open.
    qsizetype feed(char *buf, qsizetype from, qsizetype size, std::vector<Range> &out);
    // Rebases positions after the caller dropped `n` bytes from the buffer front.
    void dropFront(qsizetype n);

    Form form() const { return m_form; }
    bool eventsFound() const { return m_sawEvents; }
    bool eventsClosed() const { return m_closed; }
    bool inEvent() const { return m_eventStart >= 0; }
    qint64 nonObjectElements() const { return m_nonObject; }
    bool bad() const { return m_bad; } // not a trace container at all
    // Skips the event in progress (it is too large to keep); the splitter
    // goes on counting brackets until it ends.
    void skipCurrentEvent() { m_skipping = true; }
    qint64 skippedEvents() const { return m_skippedEvents; }

private:
    // Inside an element: runs to the byte that closes it (depth back to the
    // array's), 64 bytes at a time, and returns its index without consuming
    // it; size when the element goes on past the buffer.
    qsizetype scanElement(const char *buf, qsizetype i, qsizetype size);

    enum class State
    {
        Start,
        TopObject, // inside the root object, between members
        Events,    // inside the event array
        AfterEvents
    };
    enum class Top
    {
        ExpectKey,
        InKey,
        ExpectColon,
        ExpectValue,
        InValue
    };

    State m_state = State::Start;
    Form m_form = Form::Unknown;
    Top m_top = Top::ExpectKey;
    int m_depth = 0;      // bracket depth, the root container is 1
    int m_arrayDepth = 0; // depth inside the event array
    bool m_inString = false;
    bool m_escape = false;
    bool m_skipping = false;
    bool m_bad = false;
    bool m_closed = false;       // the event array's `]` was seen
    bool m_sawEvents = false;    // the event array's `[` was seen
    qsizetype m_eventStart = -1; // start of the object element in progress
    bool m_elementOther = false; // a non-object element is in progress
    QByteArray m_key;            // the root object's member name being read
    bool m_keyIsEvents = false;
    qint64 m_nonObject = 0;
    qint64 m_skippedEvents = 0;
};

} // namespace ls
