//go:build go1.21

package lanescope

import (
	"context"
	"log/slog"
	"time"
)

// SlogLog sends the kit's records to a log/slog logger (Go 1.21 and newer):
// with slog.NewJSONHandler the lines are what Lanescope reads (durations as
// dur_ns integers, the request id as req_id).
func SlogLog(l *slog.Logger) *Log {
	return &Log{sink: func(t time.Time, level, msg string, fields []Field) {
		lv := slog.LevelInfo
		if level == "ERROR" {
			lv = slog.LevelError
		}
		attrs := make([]slog.Attr, 0, len(fields))
		for _, f := range fields {
			attrs = append(attrs, slog.Any(f.Key, f.Value))
		}
		l.LogAttrs(context.Background(), lv, msg, attrs...)
	}}
}
