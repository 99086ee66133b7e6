package lanescope

import (
	"context"
	"runtime/trace"
	"time"
)

const logKey ctxKey = 1

// LogFrom is the Log that Handler put in ctx (nil outside a handler).
func LogFrom(ctx context.Context) *Log {
	l, _ := ctx.Value(logKey).(*Log)
	return l
}

// Step times one sub-step of a request: call it when the step starts and the
// returned function when it ends (defer lanescope.Step(ctx, "write_db")()).
// It logs {"msg": name, "dur_ns": ..., "req_id": ...} plus the fields given at
// the end, and marks the step as a runtime/trace region.
func Step(ctx context.Context, name string) func(fields ...Field) {
	start := time.Now()
	region := trace.StartRegion(ctx, name)
	return func(fields ...Field) {
		d := time.Since(start)
		region.End()
		all := make([]Field, 0, len(fields)+2)
		all = append(all, F("dur_ns", d.Nanoseconds()), F("req_id", RequestID(ctx)))
		LogFrom(ctx).Info(name, append(all, fields...)...)
	}
}
