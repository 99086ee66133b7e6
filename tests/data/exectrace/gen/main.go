// Writes a small real execution trace of an HTTP server under load, with
// runtime/trace tasks (req_id logged), regions and CPU samples, long enough
// to span several generations of the Go 1.22+ trace format:
//
//	go run -trimpath . -o go123-http.trace -seconds 3.5
//
// (-workers 16 -pause 0 -seconds 30 makes a big one for the benchmarks.)
//
// Built with bookworm-backports' golang-1.23-go for the fixtures here (the
// build and the tests never need it).
package main

import (
	"context"
	"crypto/sha256"
	"flag"
	"fmt"
	"io"
	"net"
	"net/http"
	"os"
	"runtime/pprof"
	"runtime/trace"
	"sync"
	"time"
)

var mu sync.Mutex

func handler(w http.ResponseWriter, r *http.Request) {
	id := r.Header.Get("X-Request-Id")
	ctx, task := trace.NewTask(r.Context(), "http.request")
	defer task.End()
	trace.Log(ctx, "req_id", id)
	trace.WithRegion(ctx, "work", func() {
		sum := sha256.New()
		for i := 0; i < 200; i++ {
			fmt.Fprintf(sum, "%d-%s", i, id)
		}
		_ = sum.Sum(nil)
	})
	trace.WithRegion(ctx, "lock_wait", func() {
		mu.Lock()
		time.Sleep(200 * time.Microsecond)
		mu.Unlock()
	})
	trace.WithRegion(ctx, "sleep", func() { time.Sleep(time.Millisecond) })
	_ = pprof.Labels
	io.WriteString(w, "ok\n")
}

func main() {
	out := flag.String("o", "trace.out", "trace file")
	seconds := flag.Float64("seconds", 3.5, "how long to trace")
	workers := flag.Int("workers", 3, "concurrent clients")
	pause := flag.Duration("pause", 20*time.Millisecond, "each client's pause between requests")
	flag.Parse()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		panic(err)
	}
	go http.Serve(ln, http.HandlerFunc(handler))
	f, err := os.Create(*out)
	if err != nil {
		panic(err)
	}
	pf, _ := os.Create(os.DevNull)
	pprof.StartCPUProfile(pf) // CPU samples land in the trace too
	if err := trace.Start(f); err != nil {
		panic(err)
	}
	deadline := time.Now().Add(time.Duration(*seconds * float64(time.Second)))
	var wg sync.WaitGroup
	for w := 0; w < *workers; w++ {
		wg.Add(1)
		go func(w int) {
			defer wg.Done()
			client := &http.Client{}
			for i := 0; time.Now().Before(deadline); i++ {
				req, _ := http.NewRequestWithContext(context.Background(), "GET",
					"http://"+ln.Addr().String()+"/work", nil)
				req.Header.Set("X-Request-Id", fmt.Sprintf("req-%d-%04d", w, i))
				resp, err := client.Do(req)
				if err == nil {
					io.Copy(io.Discard, resp.Body)
					resp.Body.Close()
				}
				time.Sleep(*pause)
			}
		}(w)
	}
	wg.Wait()
	trace.Stop()
	pprof.StopCPUProfile()
	f.Close()
}
