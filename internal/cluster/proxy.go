package cluster

import (
	"errors"
	"fmt"
	"net"
	"net/http"
	"net/http/httputil"
	"net/url"
	"sync/atomic"
	"time"
)

// startProxy puts a small reverse proxy at Port+99 in front of the
// servers: round robin, and a server that refuses connections is left
// out for a few seconds (a request without a body that found it away
// goes to the next one; nothing of it reached the server). Sessions live in PostgreSQL, so any server serves any user.
func (c *Cluster) startProxy() error {
	backends := make([]*backend, len(c.Servers))
	for i, s := range c.Servers {
		u, err := url.Parse(s)
		if err != nil {
			return err
		}
		backends[i] = &backend{url: u}
	}
	var next atomic.Uint64
	transport := &http.Transport{Proxy: nil, DialContext: (&net.Dialer{Timeout: 2 * time.Second}).DialContext,
		MaxIdleConnsPerHost: 64, IdleConnTimeout: 90 * time.Second}
	handler := http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		for range backends {
			b := backends[next.Add(1)%uint64(len(backends))]
			if time.Now().UnixNano() < b.downUntil.Load() {
				continue
			}
			refused := false
			rp := &httputil.ReverseProxy{
				Rewrite: func(pr *httputil.ProxyRequest) {
					pr.SetURL(b.url)
					pr.Out.Host = pr.In.Host // the servers see the site's host
					pr.SetXForwarded()
				},
				Transport: transport,
				ErrorHandler: func(w http.ResponseWriter, r *http.Request, err error) {
					var op *net.OpError
					if errors.As(err, &op) && op.Op == "dial" {
						b.downUntil.Store(time.Now().Add(3 * time.Second).UnixNano())
						// The transport closed the body: only a request
						// without one can go to the next server.
						if r.Body == nil || r.Body == http.NoBody {
							refused = true
							return
						}
					}
					// Nothing is known of what the server did: the client
					// sends it again (with the same key or request id).
					http.Error(w, "De server antwoordt niet; probeer het zo opnieuw.", http.StatusBadGateway)
				},
			}
			rp.ServeHTTP(w, r)
			if !refused {
				return
			}
		}
		http.Error(w, "Er is nu geen server bereikbaar; probeer het zo opnieuw.", http.StatusServiceUnavailable)
	})
	ln, err := net.Listen("tcp", fmt.Sprintf("127.0.0.1:%d", c.opt.Port+99))
	if err != nil {
		return err
	}
	c.Proxy = "http://" + ln.Addr().String()
	c.proxy = &http.Server{Handler: handler, ReadHeaderTimeout: 10 * time.Second}
	go func() { _ = c.proxy.Serve(ln) }()
	return nil
}

type backend struct {
	url       *url.URL
	downUntil atomic.Int64
}
