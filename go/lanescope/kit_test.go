package lanescope

import (
	"bufio"
	"bytes"
	"context"
	"encoding/json"
	"io"
	"net/http"
	"net/http/httptest"
	"regexp"
	"strings"
	"sync"
	"testing"
)

type lockedBuffer struct {
	mu sync.Mutex
	b  bytes.Buffer
}

func (l *lockedBuffer) Write(p []byte) (int, error) {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.b.Write(p)
}

func (l *lockedBuffer) lines(t *testing.T) []map[string]interface{} {
	l.mu.Lock()
	defer l.mu.Unlock()
	var out []map[string]interface{}
	sc := bufio.NewScanner(bytes.NewReader(l.b.Bytes()))
	sc.Buffer(make([]byte, 1<<20), 1<<20)
	for sc.Scan() {
		var m map[string]interface{}
		if err := json.Unmarshal(sc.Bytes(), &m); err != nil {
			t.Fatalf("not a JSON line: %q: %v", sc.Text(), err)
		}
		out = append(out, m)
	}
	return out
}

func TestHandlerLogsStepsAndAccessWithTheRequestID(t *testing.T) {
	var logs lockedBuffer
	log := NewLog(&logs)
	h := Handler(log, "order", http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if RequestID(r.Context()) != "abc-123" {
			t.Errorf("context id %q", RequestID(r.Context()))
		}
		done := Step(r.Context(), "write_db")
		done(F("rows", 3))
		w.WriteHeader(http.StatusCreated)
		io.WriteString(w, "ok")
	}))
	srv := httptest.NewServer(h)
	defer srv.Close()
	req, _ := http.NewRequest("POST", srv.URL+"/api/order", nil)
	req.Header.Set("X-Request-Id", "abc-123")
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if got := resp.Header.Get("X-Request-Id"); got != "abc-123" {
		t.Fatalf("response id %q", got)
	}
	lines := logs.lines(t)
	var msgs []string
	for _, l := range lines {
		msgs = append(msgs, l["msg"].(string))
		if l["req_id"] != "abc-123" {
			t.Errorf("line without the id: %v", l)
		}
		if _, ok := l["time"].(string); !ok {
			t.Errorf("line without time: %v", l)
		}
	}
	if strings.Join(msgs, ",") != "request_start,write_db,access" {
		t.Fatalf("records %v", msgs)
	}
	if lines[1]["rows"] != 3.0 || lines[1]["dur_ns"].(float64) <= 0 {
		t.Errorf("step %v", lines[1])
	}
	if lines[2]["status"] != 201.0 || lines[2]["bytes"] != 2.0 || lines[2]["handler"] != "order" {
		t.Errorf("access %v", lines[2])
	}
}

func TestHandlerMakesAnIDAndRecoversPanics(t *testing.T) {
	var logs lockedBuffer
	h := Handler(NewLog(&logs), "panic", http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		var m map[string]int
		m["x"] = 1
	}))
	srv := httptest.NewServer(h)
	defer srv.Close()
	resp, err := http.Get(srv.URL + "/api/panic")
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if resp.StatusCode != 500 {
		t.Fatalf("status %d", resp.StatusCode)
	}
	id := resp.Header.Get("X-Request-Id")
	if !regexp.MustCompile(`^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$`).MatchString(id) {
		t.Fatalf("generated id %q", id)
	}
	var sawPanic bool
	for _, l := range logs.lines(t) {
		if l["msg"] == "panic recovered" {
			sawPanic = true
			if l["req_id"] != id || !strings.Contains(l["stack"].(string), "goroutine ") ||
				!strings.Contains(l["panic"].(string), "nil map") {
				t.Errorf("panic record %v", l)
			}
		}
		if l["msg"] == "access" && l["status"] != 500.0 {
			t.Errorf("access %v", l)
		}
	}
	if !sawPanic {
		t.Fatal("no panic record")
	}
}

func TestTransportWritesHttptraceLinesAndRedactedDumps(t *testing.T) {
	var seen string
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		seen = r.Header.Get("X-Request-Id")
		w.Header().Set("Set-Cookie", "session=secret")
		io.WriteString(w, strings.Repeat("x", 1000))
	}))
	defer srv.Close()
	var trace, dumps lockedBuffer
	c := &http.Client{Transport: &Transport{Trace: &trace, Dumps: &dumps, DumpBodies: true}}
	req, _ := http.NewRequestWithContext(WithRequestID(context.Background(), "req-7"), "GET", srv.URL+"/x", nil)
	req.Header.Set("Authorization", "Bearer hunter2")
	resp, err := c.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	io.Copy(io.Discard, resp.Body)
	resp.Body.Close()
	if seen != "req-7" {
		t.Fatalf("server saw id %q", seen)
	}
	events := map[string]map[string]interface{}{}
	var order []string
	for _, l := range trace.lines(t) {
		if l["req_id"] != "req-7" {
			t.Errorf("line without the id: %v", l)
		}
		if l["ts_ns"].(float64) <= 0 || l["elapsed_ns"].(float64) < 0 {
			t.Errorf("times %v", l)
		}
		e := l["event"].(string)
		events[e] = l
		order = append(order, e)
	}
	for _, e := range []string{"request_start", "GetConn", "ConnectStart", "ConnectDone", "GotConn",
		"WroteHeaders", "WroteRequest", "GotFirstResponseByte", "request_done"} {
		if events[e] == nil {
			t.Errorf("no %s in %v", e, order)
		}
	}
	if order[0] != "request_start" || order[len(order)-1] != "request_done" {
		t.Errorf("framing %v", order)
	}
	done := events["request_done"]
	if done["status"] != 200.0 || done["bytes"] != 1000.0 || done["err"] != nil {
		t.Errorf("request_done %v", done)
	}
	d := dumps.b.String()
	if !strings.Contains(d, "Raw outbound request:\nGET /x HTTP/1.1\r\n") ||
		!strings.Contains(d, "Raw inbound response:\nHTTP/1.1 200 OK\r\n") {
		t.Fatalf("dumps %q", d)
	}
	if strings.Contains(d, "hunter2") || strings.Contains(d, "session=secret") ||
		!strings.Contains(d, "Authorization: [redacted]") {
		t.Fatalf("secrets not redacted: %q", d)
	}
	if !strings.Contains(d, "X-Request-Id: req-7") {
		t.Fatalf("id not in the dump: %q", d)
	}
}

func TestTransportReportsFailures(t *testing.T) {
	var trace lockedBuffer
	c := &http.Client{Transport: &Transport{Trace: &trace}}
	_, err := c.Get("http://127.0.0.1:1/unreachable")
	if err == nil {
		t.Fatal("expected an error")
	}
	lines := trace.lines(t)
	last := lines[len(lines)-1]
	if last["event"] != "request_done" || last["status"] != 0.0 || last["err"] == nil {
		t.Fatalf("last line %v", last)
	}
}
