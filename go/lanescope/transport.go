package lanescope

import (
	"crypto/tls"
	"io"
	"log"
	"net"
	"net/http"
	"net/http/httptrace"
	"net/http/httputil"
	"net/textproto"
	"regexp"
	"sync"
	"time"
)

// Transport is an http.RoundTripper that records each request's client side
// for Lanescope:
//   - the request id: the context's (WithRequestID), else the request's
//     X-Request-Id header, else a new one; sent as X-Request-Id;
//   - every net/http/httptrace hook as one JSON line in Lanescope's
//     httptrace schema (ts_ns, req_id, event, elapsed_ns, hook fields), framed
//     by request_start (method, url) and request_done (status, latency_ns,
//     bytes, err) when the body is read to its end or closed;
//   - optionally the request and response as httputil dumps in a Go log
//     (Dumps), passed through Redact first.
type Transport struct {
	Base  http.RoundTripper // http.DefaultTransport when nil
	Trace io.Writer         // the httptrace JSON lines; nil: none
	Dumps io.Writer         // "Raw outbound request:" / "Raw inbound response:" log records; nil: none
	// Redact rewrites a dump before it is written; nil: DefaultRedact.
	Redact func([]byte) []byte
	// DumpBodies includes the bodies in the dumps.
	DumpBodies bool

	once   sync.Once
	mu     sync.Mutex
	dumper *log.Logger
}

var secretHeader = regexp.MustCompile(`(?mi)^((?:authorization|proxy-authorization|cookie|set-cookie|x-api-key): ).*$`)

// DefaultRedact replaces the values of Authorization, Cookie, Set-Cookie and
// API-key headers with "[redacted]".
func DefaultRedact(b []byte) []byte {
	return secretHeader.ReplaceAll(b, []byte("${1}[redacted]"))
}

func (t *Transport) base() http.RoundTripper {
	if t.Base != nil {
		return t.Base
	}
	return http.DefaultTransport
}

func (t *Transport) event(id string, start time.Time, name string, fields ...Field) {
	if t.Trace == nil {
		return
	}
	now := time.Now()
	elapsed := int64(now.Sub(start))
	b := appendObject(make([]byte, 0, 160), []Field{{"ts_ns", start.UnixNano() + elapsed},
		{"req_id", id}, {"event", name}, {"elapsed_ns", elapsed}}, fields)
	b = append(b, '\n')
	t.mu.Lock()
	t.Trace.Write(b)
	t.mu.Unlock()
}

func (t *Transport) dump(what string, b []byte) {
	t.once.Do(func() {
		t.dumper = log.New(t.Dumps, "", log.LstdFlags|log.Lmicroseconds|log.LUTC)
	})
	redact := t.Redact
	if redact == nil {
		redact = DefaultRedact
	}
	// One record per dump, so dumps of concurrent requests never interleave.
	t.dumper.Printf("%s\n%s", what, redact(b))
}

func errValue(err error) interface{} {
	if err == nil {
		return nil
	}
	return err.Error()
}

// RoundTrip implements http.RoundTripper.
func (t *Transport) RoundTrip(req *http.Request) (*http.Response, error) {
	id := RequestID(req.Context())
	if id == "" {
		id = req.Header.Get(HeaderRequestID)
	}
	if id == "" {
		id = NewRequestID()
	}
	req = req.Clone(WithRequestID(req.Context(), id))
	req.Header.Set(HeaderRequestID, id)
	start := time.Now()
	ev := func(name string, fields ...Field) { t.event(id, start, name, fields...) }
	ev("request_start", F("method", req.Method), F("url", req.URL.String()))
	ct := &httptrace.ClientTrace{
		GetConn: func(hostPort string) { ev("GetConn", F("host_port", hostPort)) },
		GotConn: func(i httptrace.GotConnInfo) {
			f := []Field{F("reused", i.Reused), F("was_idle", i.WasIdle), F("idle_time_ns", int64(i.IdleTime))}
			if i.Conn != nil {
				f = append(f, F("local_addr", addrString(i.Conn.LocalAddr())), F("remote_addr", addrString(i.Conn.RemoteAddr())))
			}
			ev("GotConn", f...)
		},
		PutIdleConn:          func(err error) { ev("PutIdleConn", F("err", errValue(err))) },
		GotFirstResponseByte: func() { ev("GotFirstResponseByte") },
		Got100Continue:       func() { ev("Got100Continue") },
		Got1xxResponse: func(code int, _ textproto.MIMEHeader) error {
			ev("Got1xxResponse", F("code", code))
			return nil
		},
		DNSStart: func(i httptrace.DNSStartInfo) { ev("DNSStart", F("host", i.Host)) },
		DNSDone: func(i httptrace.DNSDoneInfo) {
			addrs := make([]string, 0, len(i.Addrs))
			for _, a := range i.Addrs {
				addrs = append(addrs, a.String())
			}
			ev("DNSDone", F("addrs", addrs), F("coalesced", i.Coalesced), F("err", errValue(i.Err)))
		},
		ConnectStart: func(network, addr string) { ev("ConnectStart", F("network", network), F("addr", addr)) },
		ConnectDone: func(network, addr string, err error) {
			ev("ConnectDone", F("network", network), F("addr", addr), F("err", errValue(err)))
		},
		TLSHandshakeStart: func() { ev("TLSHandshakeStart") },
		TLSHandshakeDone: func(s tls.ConnectionState, err error) {
			ev("TLSHandshakeDone", F("version", tlsVersion(s.Version)), F("cipher_suite", tls.CipherSuiteName(s.CipherSuite)),
				F("negotiated_protocol", s.NegotiatedProtocol), F("server_name", s.ServerName),
				F("did_resume", s.DidResume), F("err", errValue(err)))
		},
		WroteHeaders:    func() { ev("WroteHeaders") },
		Wait100Continue: func() { ev("Wait100Continue") },
		WroteRequest:    func(i httptrace.WroteRequestInfo) { ev("WroteRequest", F("err", errValue(i.Err))) },
	}
	req = req.WithContext(httptrace.WithClientTrace(req.Context(), ct))
	if t.Dumps != nil {
		if b, err := httputil.DumpRequestOut(req, t.DumpBodies); err == nil {
			t.dump("Raw outbound request:", b)
		}
	}
	resp, err := t.base().RoundTrip(req)
	if err != nil {
		ev("request_done", F("status", 0), F("latency_ns", int64(time.Since(start))), F("err", err.Error()))
		return nil, err
	}
	if t.Dumps != nil {
		if b, err := httputil.DumpResponse(resp, t.DumpBodies); err == nil {
			t.dump("Raw inbound response:", b)
		}
	}
	resp.Body = &doneBody{ReadCloser: resp.Body, done: func(n int64, err error) {
		ev("request_done", F("status", resp.StatusCode), F("latency_ns", int64(time.Since(start))),
			F("bytes", n), F("err", errValue(err)))
	}}
	return resp, nil
}

func addrString(a net.Addr) string {
	if a == nil {
		return ""
	}
	return a.String()
}

func tlsVersion(v uint16) string {
	switch v {
	case tls.VersionTLS10:
		return "TLS 1.0"
	case tls.VersionTLS11:
		return "TLS 1.1"
	case tls.VersionTLS12:
		return "TLS 1.2"
	case tls.VersionTLS13:
		return "TLS 1.3"
	}
	return ""
}

// doneBody reports once: at io.EOF, at another read error, or at Close.
type doneBody struct {
	io.ReadCloser
	n    int64
	once sync.Once
	done func(n int64, err error)
}

func (b *doneBody) Read(p []byte) (int, error) {
	n, err := b.ReadCloser.Read(p)
	b.n += int64(n)
	if err == io.EOF {
		b.once.Do(func() { b.done(b.n, nil) })
	} else if err != nil {
		b.once.Do(func() { b.done(b.n, err) })
	}
	return n, err
}

func (b *doneBody) Close() error {
	err := b.ReadCloser.Close()
	b.once.Do(func() { b.done(b.n, nil) })
	return err
}
