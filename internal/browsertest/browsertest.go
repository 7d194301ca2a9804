// Package browsertest starts Debian's headless Chromium for tests of the
// pages people use, with the flags this machine class needs.
package browsertest

import (
	"context"
	"testing"
	"time"

	"github.com/chromedp/chromedp"
)

// New returns a browser tab that closes at cleanup, and a context for its
// actions that ends after timeout.
func New(t testing.TB, timeout time.Duration) context.Context {
	t.Helper()
	opts := append(chromedp.DefaultExecAllocatorOptions[:],
		chromedp.ExecPath("/usr/bin/chromium"),
		chromedp.NoSandbox,
		chromedp.Flag("disable-background-networking", true),
		chromedp.Flag("disable-component-update", true),
		chromedp.Flag("disable-sync", true),
		chromedp.WindowSize(1280, 900),
		// Dutch, as the people who use it: date fields read dd-mm-jjjj.
		chromedp.Flag("lang", "nl-NL"),
	)
	allocCtx, cancelAlloc := chromedp.NewExecAllocator(context.Background(), opts...)
	t.Cleanup(cancelAlloc)
	ctx, cancel := chromedp.NewContext(allocCtx)
	t.Cleanup(cancel)
	if err := chromedp.Do(ctx); err != nil { // starts the browser, without the timeout
		t.Fatalf("start chromium: %v", err)
	}
	// Right after start the tab may not be attached yet ("Not attached to
	// an active page"); a first blank page, retried briefly, settles it.
	var err error
	for range 20 {
		if err = chromedp.Do(ctx, chromedp.Navigate("about:blank")); err == nil {
			break
		}
		time.Sleep(100 * time.Millisecond)
	}
	if err != nil {
		t.Fatalf("open a blank page: %v", err)
	}
	ctx, cancelTimeout := context.WithTimeout(ctx, timeout)
	t.Cleanup(cancelTimeout)
	return ctx
}
