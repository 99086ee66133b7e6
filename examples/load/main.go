// A load client for the example service: requests over its endpoints from a
// few workers, through the Lanescope kit's Transport, so every request's
// client side (httptrace phases, dumps) lands in files Lanescope imports.
//
//	go run ./load -url http://127.0.0.1:6060 -n 200 -c 4 -trace client.jsonl
package main

import (
	"context"
	"flag"
	"fmt"
	"io"
	"net/http"
	"os"
	"strings"
	"sync"
	"time"

	lanescope "lanescope.dev/kit"
)

func main() {
	base := flag.String("url", "http://127.0.0.1:6060", "the service")
	n := flag.Int("n", 200, "requests")
	c := flag.Int("c", 4, "concurrent workers")
	d := flag.Duration("duration", 0, "stop after this long (0: after -n requests)")
	tracePath := flag.String("trace", "client_httptrace.jsonl", "httptrace JSON lines")
	dumpPath := flag.String("dumps", "", "request/response dumps (a Go log)")
	paths := flag.String("paths", "/api/delay,/api/lock,/api/downstream,/api/alloc,/api/panic,/api/flaky",
		"endpoints, used in turn")
	flag.Parse()

	tf, err := os.Create(*tracePath)
	if err != nil {
		fmt.Fprintln(os.Stderr, err)
		os.Exit(1)
	}
	defer tf.Close()
	t := &lanescope.Transport{Trace: tf}
	if *dumpPath != "" {
		df, err := os.Create(*dumpPath)
		if err != nil {
			fmt.Fprintln(os.Stderr, err)
			os.Exit(1)
		}
		defer df.Close()
		t.Dumps = df
	}
	client := &http.Client{Transport: t, Timeout: 10 * time.Second}
	endpoints := strings.Split(*paths, ",")
	var deadline time.Time
	if *d > 0 {
		deadline = time.Now().Add(*d)
	}
	jobs := make(chan int)
	var wg sync.WaitGroup
	var mu sync.Mutex
	status := map[int]int{}
	for w := 0; w < *c; w++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for i := range jobs {
				ctx := lanescope.WithRequestID(context.Background(), lanescope.NewRequestID())
				req, _ := http.NewRequestWithContext(ctx, "GET", *base+endpoints[i%len(endpoints)], nil)
				resp, err := client.Do(req)
				code := 0
				if err == nil {
					io.Copy(io.Discard, resp.Body)
					resp.Body.Close()
					code = resp.StatusCode
				}
				mu.Lock()
				status[code]++
				mu.Unlock()
			}
		}()
	}
	for i := 0; i < *n || (*n == 0 && !deadline.IsZero()); i++ {
		if !deadline.IsZero() && time.Now().After(deadline) {
			break
		}
		jobs <- i
	}
	close(jobs)
	wg.Wait()
	fmt.Printf("done: %v\n", status)
}
