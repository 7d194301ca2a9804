package main

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"net/url"
	"time"
)

// runProbe is a container's health check (the image has no curl): it
// succeeds when the URL, on this machine, answers 200 within five seconds.
func runProbe(ctx context.Context, args []string) error {
	if len(args) != 1 {
		return errors.New("gebruik: topdossier probe http://127.0.0.1:8080/readyz")
	}
	u, err := url.Parse(args[0])
	if err != nil || u.Scheme != "http" || (u.Hostname() != "127.0.0.1" && u.Hostname() != "localhost") {
		return fmt.Errorf("probe: alleen http op deze machine (127.0.0.1 of localhost), niet %q", args[0])
	}
	ctx, cancel := context.WithTimeout(ctx, 5*time.Second)
	defer cancel()
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, u.String(), nil)
	if err != nil {
		return err
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		return fmt.Errorf("probe: %w", err)
	}
	resp.Body.Close()
	if resp.StatusCode != http.StatusOK {
		return fmt.Errorf("probe: %s antwoordt %d", args[0], resp.StatusCode)
	}
	return nil
}
