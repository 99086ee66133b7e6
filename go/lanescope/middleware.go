package lanescope

import (
	"context"
	"fmt"
	"net/http"
	"runtime/debug"
	"runtime/pprof"
	"runtime/trace"
	"time"
)

// Handler wraps h, the handler named name, so that every request:
//   - has a request id: the X-Request-Id header it came with, else a new one,
//     echoed in the response's X-Request-Id and carried by the context;
//   - runs inside a runtime/trace task "http.request" with trace.Log keys
//     req_id, route and status (and panic), so execution traces link
//     goroutines to requests;
//   - runs with pprof labels req_id and handler, so CPU and goroutine
//     profiles link samples to requests;
//   - logs request_start and an access line (method, path, status, bytes,
//     dur_ns, handler, remote, ua, req_id) to log;
//   - recovers a panic: logs "panic recovered" with its value and stack,
//     answers 500 and keeps serving.
func Handler(log *Log, name string, h http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		start := time.Now()
		id := r.Header.Get(HeaderRequestID)
		if id == "" {
			id = NewRequestID()
		}
		w.Header().Set(HeaderRequestID, id)
		ctx := WithRequestID(r.Context(), id)
		ctx = context.WithValue(ctx, logKey, log)
		ctx, task := trace.NewTask(ctx, "http.request")
		defer task.End()
		trace.Log(ctx, "req_id", id)
		trace.Log(ctx, "route", fmt.Sprintf("%s %s handler=%s", r.Method, r.URL.Path, name))
		log.Info("request_start", F("method", r.Method), F("path", r.URL.Path), F("handler", name),
			F("remote", r.RemoteAddr), F("req_id", id))
		rec := &recorder{ResponseWriter: w, status: http.StatusOK}
		pprof.Do(ctx, pprof.Labels("req_id", id, "handler", name), func(ctx context.Context) {
			defer func() {
				if v := recover(); v != nil {
					if v == http.ErrAbortHandler {
						panic(v)
					}
					trace.Log(ctx, "panic", fmt.Sprint(v))
					log.Error("panic recovered", F("panic", fmt.Sprint(v)),
						F("stack", string(debug.Stack())), F("req_id", id))
					if !rec.wrote {
						rec.WriteHeader(http.StatusInternalServerError)
					}
				}
			}()
			h.ServeHTTP(rec, r.WithContext(ctx))
		})
		trace.Log(ctx, "status", fmt.Sprint(rec.status))
		log.Info("access", F("method", r.Method), F("path", r.URL.Path), F("status", rec.status),
			F("bytes", rec.bytes), F("dur_ns", time.Since(start).Nanoseconds()), F("handler", name),
			F("remote", r.RemoteAddr), F("ua", r.UserAgent()), F("req_id", id))
	})
}

type recorder struct {
	http.ResponseWriter
	status int
	bytes  int64
	wrote  bool
}

func (r *recorder) WriteHeader(code int) {
	if !r.wrote {
		r.status, r.wrote = code, true
	}
	r.ResponseWriter.WriteHeader(code)
}

func (r *recorder) Write(b []byte) (int, error) {
	r.wrote = true
	n, err := r.ResponseWriter.Write(b)
	r.bytes += int64(n)
	return n, err
}

// Flush lets streaming handlers flush through the recorder.
func (r *recorder) Flush() {
	if f, ok := r.ResponseWriter.(http.Flusher); ok {
		r.wrote = true
		f.Flush()
	}
}
