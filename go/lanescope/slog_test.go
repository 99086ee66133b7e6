//go:build go1.21

package lanescope

import (
	"context"
	"log/slog"
	"testing"
)

// With Go 1.21 and newer the records can go through log/slog's JSON
// handler; the lines keep the keys Lanescope reads.
func TestSlogLogWritesTheSameRecords(t *testing.T) {
	var out lockedBuffer
	log := SlogLog(slog.New(slog.NewJSONHandler(&out, nil)))
	ctx := context.WithValue(WithRequestID(context.Background(), "r-1"), logKey, log)
	Step(ctx, "write_db")(F("rows", 2))
	lines := out.lines(t)
	if len(lines) != 1 {
		t.Fatalf("lines %v", lines)
	}
	l := lines[0]
	if l["msg"] != "write_db" || l["req_id"] != "r-1" || l["rows"] != 2.0 || l["level"] != "INFO" {
		t.Fatalf("record %v", l)
	}
	if _, ok := l["time"].(string); !ok {
		t.Fatalf("no time: %v", l)
	}
	if d, ok := l["dur_ns"].(float64); !ok || d <= 0 {
		t.Fatalf("dur_ns %v", l)
	}
}
