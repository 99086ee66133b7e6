// An HTTP service with the situations that make requests slow, built on the
// Lanescope kit: injected delay, a contended mutex, a slow downstream call,
// allocation churn that triggers GC, a panic, and a flaky 500. It serves
// net/http/pprof under /debug/pprof/ on the same address, for
// `lanescope capture`.
//
//	go run ./service -addr 127.0.0.1:6060 -log service.jsonl
package main

import (
	"context"
	"encoding/json"
	"flag"
	"fmt"
	"math/rand"
	"net"
	"net/http"
	"net/http/pprof"
	"os"
	"runtime"
	"sync"
	"time"

	lanescope "lanescope.dev/kit"
)

var (
	inventoryMu sync.Mutex
	sink        [][]byte
	sinkMu      sync.Mutex
)

func main() {
	addr := flag.String("addr", "127.0.0.1:6060", "listen address (127.0.0.1:0: any free port)")
	logPath := flag.String("log", "", "JSON-lines log file (default: stderr)")
	addrFile := flag.String("addr-file", "", "write the address listened on to this file")
	maxLife := flag.Duration("max-life", 5*time.Minute, "exit after this long")
	flag.Parse()

	out := os.Stderr
	if *logPath != "" {
		f, err := os.OpenFile(*logPath, os.O_CREATE|os.O_WRONLY|os.O_APPEND, 0o644)
		if err != nil {
			fmt.Fprintln(os.Stderr, err)
			os.Exit(1)
		}
		defer f.Close()
		out = f
	}
	log := lanescope.NewLog(out)
	runtime.SetMutexProfileFraction(5)
	runtime.SetBlockProfileRate(100000) // one blocking event per 100 µs blocked

	// The downstream service: a second listener in this process, reached
	// through the kit's Transport so the request id travels with the call.
	down, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		fmt.Fprintln(os.Stderr, err)
		os.Exit(1)
	}
	go http.Serve(down, lanescope.Handler(log, "downstream_service", http.HandlerFunc(
		func(w http.ResponseWriter, r *http.Request) {
			done := lanescope.Step(r.Context(), "downstream_service")
			time.Sleep(time.Duration(30+rand.Intn(50)) * time.Millisecond)
			done()
			json.NewEncoder(w).Encode(map[string]int{"stock": rand.Intn(100)})
		})))
	client := &http.Client{Transport: &lanescope.Transport{}, Timeout: 5 * time.Second}
	downURL := "http://" + down.Addr().String() + "/stock"

	mux := http.NewServeMux()
	handle := func(path, name string, h http.HandlerFunc) {
		mux.Handle(path, lanescope.Handler(log, name, h))
	}
	handle("/api/delay", "delay", func(w http.ResponseWriter, r *http.Request) {
		done := lanescope.Step(r.Context(), "inject_delay")
		d := time.Duration(20+rand.Intn(60)) * time.Millisecond
		time.Sleep(d)
		done(lanescope.F("injected_ns", d.Nanoseconds()))
		parse := lanescope.Step(r.Context(), "parse_params")
		_ = r.URL.Query()
		parse()
		fmt.Fprintln(w, `{"ok":true}`)
	})
	handle("/api/lock", "lock", func(w http.ResponseWriter, r *http.Request) {
		wait := lanescope.Step(r.Context(), "lock_wait")
		inventoryMu.Lock()
		wait()
		hold := lanescope.Step(r.Context(), "lock_hold")
		time.Sleep(15 * time.Millisecond)
		inventoryMu.Unlock()
		hold()
		fmt.Fprintln(w, `{"reserved":1}`)
	})
	handle("/api/downstream", "downstream", func(w http.ResponseWriter, r *http.Request) {
		done := lanescope.Step(r.Context(), "downstream_call")
		req, _ := http.NewRequestWithContext(r.Context(), "GET", downURL, nil)
		resp, err := client.Do(req)
		if err != nil {
			done(lanescope.F("err", err.Error()))
			http.Error(w, err.Error(), http.StatusBadGateway)
			return
		}
		var body map[string]int
		json.NewDecoder(resp.Body).Decode(&body)
		resp.Body.Close()
		done()
		json.NewEncoder(w).Encode(body)
	})
	handle("/api/alloc", "alloc", func(w http.ResponseWriter, r *http.Request) {
		done := lanescope.Step(r.Context(), "alloc_churn")
		var keep [][]byte
		for i := 0; i < 256; i++ { // 16 MiB in 64 KiB pieces: the GC runs
			b := make([]byte, 64<<10)
			b[0] = byte(i)
			keep = append(keep, b)
		}
		sinkMu.Lock()
		sink = keep
		sinkMu.Unlock()
		done(lanescope.F("bytes", 256*64<<10))
		fmt.Fprintln(w, `{"allocated":16777216}`)
	})
	handle("/api/panic", "panic", func(w http.ResponseWriter, r *http.Request) {
		var m map[string]int
		m["boom"]++ // assignment to entry in nil map
	})
	handle("/api/flaky", "flaky", func(w http.ResponseWriter, r *http.Request) {
		done := lanescope.Step(r.Context(), "call_payment")
		time.Sleep(time.Duration(5+rand.Intn(10)) * time.Millisecond)
		if rand.Intn(3) == 0 {
			done(lanescope.F("err", "payment declined"))
			http.Error(w, "payment failed", http.StatusInternalServerError)
			return
		}
		done()
		fmt.Fprintln(w, `{"paid":true}`)
	})
	mux.HandleFunc("/debug/pprof/", pprof.Index)
	mux.HandleFunc("/debug/pprof/cmdline", pprof.Cmdline)
	mux.HandleFunc("/debug/pprof/profile", pprof.Profile)
	mux.HandleFunc("/debug/pprof/symbol", pprof.Symbol)
	mux.HandleFunc("/debug/pprof/trace", pprof.Trace)

	ln, err := net.Listen("tcp", *addr)
	if err != nil {
		fmt.Fprintln(os.Stderr, err)
		os.Exit(1)
	}
	if *addrFile != "" {
		os.WriteFile(*addrFile, []byte(ln.Addr().String()), 0o644)
	}
	log.Info("server_listening", lanescope.F("http", ln.Addr().String()), lanescope.F("pid", os.Getpid()))
	srv := &http.Server{Handler: mux}
	ctx, cancel := context.WithTimeout(context.Background(), *maxLife)
	defer cancel()
	go func() {
		<-ctx.Done()
		srv.Close()
	}()
	if err := srv.Serve(ln); err != nil && err != http.ErrServerClosed {
		fmt.Fprintln(os.Stderr, err)
		os.Exit(1)
	}
}
