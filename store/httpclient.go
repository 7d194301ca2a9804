package store

import (
	"crypto/tls"
	"fmt"
	"net"
	"net/http"
	"net/netip"
	"syscall"
	"time"
)

// PublicHTTPClient returns a client that connects to public addresses
// only: what a licence configures (a webhook, a LAS export) must not reach
// into the platform's own network (SSRF). The check runs on the address
// actually dialled, so a name that resolves to a private address later is
// refused too. Redirects are not followed. allowPrivate is for tests.
func PublicHTTPClient(tc *tls.Config, timeout time.Duration, allowPrivate bool) *http.Client {
	return &http.Client{
		Timeout: timeout,
		Transport: &http.Transport{
			Proxy: nil,
			DialContext: (&net.Dialer{Timeout: 10 * time.Second, Control: func(_, address string, _ syscall.RawConn) error {
				ap, err := netip.ParseAddrPort(address)
				if err != nil {
					return err
				}
				ip := ap.Addr().Unmap()
				if !allowPrivate && (ip.IsLoopback() || ip.IsPrivate() || ip.IsLinkLocalUnicast() || ip.IsLinkLocalMulticast() ||
					ip.IsUnspecified() || ip.IsMulticast() || ip.IsInterfaceLocalMulticast()) {
					return fmt.Errorf("%s is not a public address", ip)
				}
				return nil
			}}).DialContext,
			TLSClientConfig:     tc,
			TLSHandshakeTimeout: 10 * time.Second,
		},
		CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse },
	}
}
