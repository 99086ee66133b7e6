package lanescope

import (
	"context"
	"crypto/rand"
	"fmt"
)

type ctxKey int

const idKey ctxKey = 0

// HeaderRequestID is the header that carries the request id both ways.
const HeaderRequestID = "X-Request-Id"

// WithRequestID returns a context carrying id; the Transport sends it, Step
// logs it.
func WithRequestID(ctx context.Context, id string) context.Context {
	return context.WithValue(ctx, idKey, id)
}

// RequestID is the id ctx carries, or "".
func RequestID(ctx context.Context) string {
	id, _ := ctx.Value(idKey).(string)
	return id
}

// NewRequestID is a random UUID (version 4).
func NewRequestID() string {
	var b [16]byte
	if _, err := rand.Read(b[:]); err != nil {
		panic(err)
	}
	b[6] = b[6]&0x0f | 0x40
	b[8] = b[8]&0x3f | 0x80
	return fmt.Sprintf("%x-%x-%x-%x-%x", b[0:4], b[4:6], b[6:8], b[8:10], b[10:16])
}
