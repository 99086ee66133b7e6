package lanescope

import (
	"encoding/json"
	"io"
	"os"
	"sync"
	"time"
)

// Log writes one JSON object per line in the shape Lanescope's step-log
// importer reads: "time" (RFC 3339, nanoseconds, UTC), "level", "msg", then
// the fields in the order given ("req_id", "dur_ns", ...). It is safe for
// concurrent use. A nil *Log writes nothing.
type Log struct {
	mu  sync.Mutex
	w   io.Writer
	buf []byte
	// Sink, when set, receives every record instead of w (log/slog when
	// built with Go 1.21 or newer: see SlogLog).
	sink func(t time.Time, level, msg string, fields []Field)
}

// Field is one key and value of a record.
type Field struct {
	Key   string
	Value interface{}
}

// F makes a Field.
func F(key string, value interface{}) Field { return Field{key, value} }

// NewLog writes records to w (os.Stderr when w is nil).
func NewLog(w io.Writer) *Log {
	if w == nil {
		w = os.Stderr
	}
	return &Log{w: w}
}

// Info and Error write one record.
func (l *Log) Info(msg string, fields ...Field)  { l.write("INFO", msg, fields) }
func (l *Log) Error(msg string, fields ...Field) { l.write("ERROR", msg, fields) }

func (l *Log) write(level, msg string, fields []Field) {
	if l == nil {
		return
	}
	now := time.Now().UTC()
	if l.sink != nil {
		l.sink(now, level, msg, fields)
		return
	}
	l.mu.Lock()
	defer l.mu.Unlock()
	b := appendObject(l.buf[:0], []Field{{"time", now.Format(time.RFC3339Nano)}, {"level", level}, {"msg", msg}}, fields)
	b = append(b, '\n')
	l.buf = b
	l.w.Write(b)
}

// appendObject appends one JSON object of the fields, in order.
func appendObject(b []byte, parts ...[]Field) []byte {
	b = append(b, '{')
	first := true
	for _, fields := range parts {
		for _, f := range fields {
			if !first {
				b = append(b, ',')
			}
			first = false
			b = appendJSON(b, f.Key)
			b = append(b, ':')
			b = appendJSON(b, f.Value)
		}
	}
	return append(b, '}')
}

func appendJSON(b []byte, v interface{}) []byte {
	switch x := v.(type) {
	case time.Duration:
		v = int64(x)
	case error:
		if x == nil {
			return append(b, "null"...)
		}
		v = x.Error()
	}
	enc, err := json.Marshal(v)
	if err != nil {
		enc, _ = json.Marshal(err.Error())
	}
	return append(b, enc...)
}
